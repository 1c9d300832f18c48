package io.quarkiverse.cmscache.runtime.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The local tag epochs are bounded by the tags invalidated within the retention, not by uptime; forgetting one never
 * lets a load that began before it fill L1 with a value it made out of date.
 */
class TagEpochRetentionTest {

    final AtomicLong nanos = new AtomicLong();
    final TagVersions versions = new TagVersions(Duration.ofMinutes(1), Duration.ofSeconds(1), nanos::get);

    @Test
    void epochsOfTagsInvalidatedLongAgoAreForgottenAndOldLoadsAreRefused() {
        long loadStarted = versions.epoch();
        for (int i = 0; i < 10_000; i++) {
            versions.recordInvalidated(List.of("block:" + i));
        }
        assertEquals(10_000, versions.tagEpochsKept());
        String[] tags = { "block:42" };
        assertTrue(versions.isStale(tags, new long[] { loadStarted }), "invalidated after the load began");

        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertEquals(0, versions.tagEpochsKept(), "forgotten after the retention");
        assertTrue(versions.isStale(tags, new long[] { loadStarted }),
                "a load that began before a forgotten invalidation is still out of date");
        assertTrue(versions.invalidatedSince("block:42", loadStarted));
        assertTrue(versions.isStale(new String[] { "never-invalidated" }, new long[] { loadStarted }),
                "its tags may be any of the forgotten ones");

        long newLoad = versions.epoch();
        assertFalse(versions.isStale(tags, new long[] { newLoad }), "a load that began after is not");
        versions.recordInvalidated(List.of("block:42"));
        assertTrue(versions.isStale(tags, new long[] { newLoad }));
        assertFalse(versions.isStale(new String[] { "block:7" }, new long[] { newLoad }));
    }
}
