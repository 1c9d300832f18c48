package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.MetadataSweep;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Tag versions stay bounded by the invalidation rate times the retention, whatever the number of slot groups: an
 * invalidation writes its tags' versions into every group, so one sweep step deletes the versions past their retention
 * in every group, not in the one group whose tag sets it scans. Before, a step deleted versions in one group only
 * (500 at most), so with 16 groups the sweep forgot about 30 versions per group per second, and a site invalidating
 * more distinct tags than that kept more versions every second.
 */
public class VersionSweepTest {

    /** More than one script call deletes per group ({@code MetadataSweep.MAX_VERSIONS}). */
    static final int TAGS = 1_200;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    RedisDataSource redis;

    @Test
    void oneStepForgetsTheVersionsPastTheirRetentionInEveryGroup() {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        List<RedisKeyspace.Group> groups = engine.l2().keys().groups();
        assertTrue(groups.size() > 1, "the default layout has several slot groups");
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < TAGS; i++) {
            tags.add("swept-" + i);
        }
        for (int from = 0; from < TAGS; from += 100) {
            cache.invalidateTags(tags.subList(from, from + 100));
        }
        for (RedisKeyspace.Group group : groups) {
            assertTrue(versions(group) >= TAGS, "every group records the invalidated tags' versions: " + group.index());
        }
        // Every version is past a retention of zero once Redis's clock has moved on from the last one.
        double newest = groups.stream().mapToDouble(group -> redis.sortedSet(String.class)
                .zrangeWithScores(group.versionIndex(), -1, -1).get(0).score()).max().orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> redisMillis() > newest);

        MetadataSweep sweep = new MetadataSweep(engine.l2(), Duration.ZERO, Duration.ofMinutes(1));
        sweep.step().await().atMost(Duration.ofSeconds(20));

        for (RedisKeyspace.Group group : groups) {
            assertEquals(0, versions(group),
                    "slot group " + group.index() + " keeps versions past their retention after a sweep step");
            assertTrue(redis.key().keys(group.versionPrefix() + "swept-*").isEmpty(),
                    "the version keys of slot group " + group.index() + " are deleted with their index entries");
        }
        assertEquals((long) TAGS * groups.size(), sweep.versionsDeleted());
    }

    private long versions(RedisKeyspace.Group group) {
        return redis.sortedSet(String.class).zcard(group.versionIndex());
    }

    private long redisMillis() {
        var time = redis.execute("TIME");
        return Long.parseLong(time.get(0).toString()) * 1000 + Long.parseLong(time.get(1).toString()) / 1000;
    }
}
