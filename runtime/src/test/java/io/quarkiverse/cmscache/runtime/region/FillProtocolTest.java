package io.quarkiverse.cmscache.runtime.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.config.TestSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;

/**
 * The L1 side of "no stale repopulation", in both orders a fetch's fill and an invalidation can take: an entry
 * fetched before an invalidation of one of its tags never stays in L1 after the invalidation, whichever runs first,
 * and an entry fetched after it is kept.
 */
class FillProtocolTest {

    final TagIndex index = new TagIndex();
    final TagVersions versions = new TagVersions(Duration.ofHours(1), Duration.ofSeconds(1));
    final Region region = new Region(
            TestSettings.region("block"),
            index, versions, null, new EntryCodec(new ObjectMapper()), AfterCommit.NONE, new Refresher(null), null,
            "test");

    Entry entry(String key, String... dependencies) {
        return new Entry(key, "block", "value of " + key, Entry.tags(key, "block", List.of(dependencies)), 0,
                System.currentTimeMillis(), 10, 0);
    }

    /** What the invalidation path does on an instance: record the tag, then evict what the index holds. */
    void invalidate(String tag) {
        versions.recordInvalidated(List.of(tag));
        index.forEach(tag, region::evict);
    }

    @Test
    void fillAfterTheInvalidationIsUndone() {
        long fetchStarted = versions.epoch();
        Entry fetched = entry("block:a", "menu:main");

        invalidate("menu:main");
        region.fill(fetched, fetchStarted);

        assertNull(region.l1().get("block:a"));
        assertEquals(1, region.stats().staleWritesRejected());
    }

    @Test
    void fillBeforeTheInvalidationIsEvictedByIt() {
        long fetchStarted = versions.epoch();
        Entry fetched = entry("block:b", "menu:main");

        region.fill(fetched, fetchStarted);
        assertNotNull(region.l1().get("block:b"));
        invalidate("menu:main");

        assertNull(region.l1().get("block:b"));
        assertEquals(1, region.stats().invalidations());
    }

    @Test
    void fetchStartedAfterTheInvalidationIsKept() {
        invalidate("menu:main");
        long fetchStarted = versions.epoch();

        region.fill(entry("block:c", "menu:main"), fetchStarted);

        assertNotNull(region.l1().get("block:c"));
    }

    @Test
    void invalidationOfAnotherTagDoesNotTouchTheEntry() {
        long fetchStarted = versions.epoch();
        invalidate("menu:footer");

        region.fill(entry("block:d", "menu:main"), fetchStarted);

        assertNotNull(region.l1().get("block:d"));
    }

    @Test
    void replacedEntryIsNotEvictedByATagOnlyTheOldOneCarried() {
        region.fill(entry("block:e", "block:old-child"), versions.epoch());
        region.fill(entry("block:e", "block:new-child"), versions.epoch());

        invalidate("block:old-child");

        assertNotNull(region.l1().get("block:e"), "the current entry no longer depends on block:old-child");
    }

    @Test
    void droppingTheWholeL1UndoesFillsOfFetchesStartedBefore() {
        long fetchStarted = versions.epoch();
        versions.recordDropAll();

        region.fill(entry("block:f"), fetchStarted);

        assertNull(region.l1().get("block:f"));
    }
}
