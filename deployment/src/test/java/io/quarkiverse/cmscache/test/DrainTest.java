package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationRecord;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Invalidating a tag with more entries than one script may check without blocking Redis (a region cleared with
 * thousands of entries): the invalidation itself deletes nothing and leaves the entries to a drain, bounded steps that
 * any instance carries on -- also when the instance that started it is gone. Meanwhile no instance serves a drained
 * entry, and entries stored after the invalidation survive the drain. With two slot groups, so that the tag's set
 * in each group is large enough to drain.
 */
public class DrainTest {

    static final int PAGES = 3_000;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .overrideConfigKey("quarkus.cms-cache.l2.slot-groups", "2")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    RedisDataSource redis;

    @Test
    void clearingALargeRegionDrainsItInBoundedStepsAndServesNothingOld() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        for (int i = 0; i < PAGES; i++) {
            int n = i;
            cache.get("pages", "p" + n, String.class, () -> "page " + n + " v1");
        }
        List<String> regionSets = here.l2().keys().groups().stream().map(group -> group.tagSet("@pages")).toList();
        for (String regionSet : regionSets) {
            assertTrue(redis.set(String.class).scard(regionSet) > 1_000, "more than one script checks: " + regionSet);
        }
        assertEquals(PAGES, regionSets.stream().mapToLong(set -> redis.set(String.class).scard(set)).sum());

        // Cleared by an instance that goes away at once: the drain is carried on by the others.
        CmsCacheEngine clearer = instances.start();
        // As if it went away before it could start the drains, which it does at once (see the next test).
        clearer.invalidator().onDrains(started -> {
        });
        clearer.clear("pages");
        InvalidationRecord clear = clearer.invalidator().log().recent(1).get(0);
        clearer.close();
        assertEquals(0, clear.redisDeleted(), "the invalidation script itself checked none of the entries");
        for (String regionSet : regionSets) {
            assertFalse(redis.key().exists(regionSet), "the region's set became a drain: " + regionSet);
        }

        CmsCacheEngine reader = instances.start();
        try {
            List<String> old = new ArrayList<>();
            for (int i = 0; i < PAGES; i += 7) {
                int n = i;
                for (CmsCache instance : List.of(cache, reader)) {
                    String served = instance.get("pages", "p" + n, String.class, () -> "page " + n + " v2");
                    if (!served.endsWith(" v2") && old.size() < 5) {
                        old.add(served);
                    }
                }
            }
            assertEquals(List.of(), old, "pages served from before the clear");

            await().atMost(Duration.ofSeconds(20)).until(() -> !redis.key().exists(here.l2().keys().pending())
                    && redis.key().keys(here.l2().keys().entryPattern("").replace("}:e:", "}:drain:*")).isEmpty());
            assertTrue(here.metadataSweep().entriesDrained() + reader.metadataSweep().entriesDrained() > PAGES / 2,
                    "the drain deleted the old entries");
            for (int i = 0; i < PAGES; i += 7) {
                assertTrue(redis.key().exists(here.l2().keys().entry("pages:p" + i)),
                        "an entry stored after the clear survives the drain: p" + i);
            }
            long stored = redis.key().keys(here.l2().keys().entryPattern("pages:p*")).size();
            assertEquals((PAGES + 6) / 7, stored, "only the entries stored after the clear are left");
        } finally {
            reader.close();
        }
    }

    @Test
    void theInvalidatingInstanceStartsItsDrainsAtOnce() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        for (int i = 0; i < PAGES; i++) {
            int n = i;
            cache.get("articles", "a" + n, String.class, () -> "article " + n + " v1");
        }
        long drainedBefore = here.metadataSweep().entriesDrained();
        cache.clear("articles");
        assertEquals(0, here.invalidator().log().recent(1).get(0).redisDeleted(), "the clear left its entries to drains");
        // Other instances would help only after the invalidation stayed pending for 2 x l2.timeout.
        await().atMost(Duration.ofSeconds(20)).until(() -> here.metadataSweep().entriesDrained() - drainedBefore == PAGES);
        assertTrue(redis.key().keys(here.l2().keys().entryPattern("articles:*")).isEmpty(), "the drains deleted them all");
        await().atMost(Duration.ofSeconds(5)).until(() -> !redis.key().exists(here.l2().keys().pending()));
    }
}
