package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The tag sets in Redis stay bounded by the entries that still carry their tag under a long-tail workload: thousands
 * of entries written once and expired are pruned from the region's set, and the sets of their own identity tags
 * disappear. Before, members left a set only when its tag was invalidated: a region's set held every key ever written.
 * One slot group, so that the region has one set to watch (the sweep going through the groups of a cluster is
 * {@code ClusterTest}'s).
 */
public class TagSetBoundTest {

    static final int EXPIRED = 2_000;
    static final int LIVE = 200;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"tail\".l2.ttl", "4s")
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .overrideConfigKey("quarkus.cms-cache.l2.slot-groups", "1")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    RedisDataSource redis;

    @Test
    void expiredMembersLeaveTheSetsAndEmptySetsDisappear() {
        RedisKeyspace.Group keys = ((CmsCacheEngine) cache).l2().keys().groups().get(0);
        for (int i = 0; i < EXPIRED; i++) {
            int n = i;
            cache.get("tail", "k" + n, String.class, () -> "v" + n);
        }
        String regionSet = keys.tagSet(EntryKeys.regionTag("tail"));
        long grown = redis.set(String.class).scard(regionSet);
        assertTrue(grown > EXPIRED / 2, "the region's set grew with the writes: " + grown);
        await().atMost(Duration.ofSeconds(20)).until(() -> !redis.key().exists(keys.entry("tail:k0")));

        for (int i = EXPIRED; i < EXPIRED + LIVE; i++) {
            int n = i;
            cache.get("tail", "k" + n, String.class, () -> "v" + n);
        }
        for (int i = EXPIRED; i < EXPIRED + LIVE; i++) {
            assertTrue(redis.set(String.class).sismember(regionSet, keys.entry("tail:k" + i)),
                    "a live entry is never pruned: k" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.set(String.class).scard(regionSet) <= LIVE);
        await().atMost(Duration.ofSeconds(30)).until(() -> !redis.key().exists(keys.tagSet("tail:k0")));
        // The index the sweep walks keeps only tags whose set still exists (the live entries expire too, meanwhile).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var indexed = redis.set(String.class).smembers(keys.tagSetIndex());
            return indexed.size() <= LIVE + 1 && indexed.stream().allMatch(tag -> redis.key().exists(keys.tagSet(tag)));
        });
    }
}
