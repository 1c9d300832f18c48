package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Redis at its memory limit under {@code volatile-lru}, the default of managed services: filling it with thousands of
 * entries while some pages stay in use makes it evict, and yet an edit reaches every page that used the edited block,
 * on both instances. Before, the tag sets (written once, never read, with a TTL) were the first keys evicted, the
 * invalidation deleted nothing, and the pages were served stale from Redis.
 */
public class EvictionSafetyTest {

    static final LocalRedisServer REDIS = LocalRedisServer.named("eviction-volatile");
    static final int PAGES = 200;
    static final int BLOCKS = 10;
    static final int FILLERS = 6_000;

    static {
        REDIS.configure("maxmemory", "8mb");
        REDIS.configure("maxmemory-policy", "volatile-lru");
    }

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, LocalRedisServer.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    RedisDataSource redis;

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    static String page(CmsCache instance, int i, String version) {
        return instance.get("pages", "p" + i, String.class,
                () -> "<page " + i + ">" + instance.get("block", "b" + (i % BLOCKS), String.class,
                        () -> "block " + (i % BLOCKS) + " " + version) + "</page>");
    }

    @Test
    void anEditReachesEveryPageThatUsedTheBlockWhileRedisEvicts() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        await().atMost(Duration.ofSeconds(20)).until(() -> here.l2State() == L2State.UP);
        for (int i = 0; i < PAGES; i++) {
            page(cache, i, "v1");
        }

        // Thousands of other entries push Redis past its limit; the pages in use are read all along.
        String filler = "x".repeat(2_000);
        for (int f = 0; f < FILLERS; f++) {
            int n = f;
            cache.get("filler", "f" + n, String.class, () -> filler + n);
            if (f % 200 == 0) {
                for (int i = 0; i < PAGES; i++) {
                    redis.hash(String.class).hget(here.l2().keys().entry("pages:p" + i), "t");
                }
            }
        }
        long evicted = REDIS.evictedKeys();
        assertTrue(evicted > 0, "Redis evicted keys: " + evicted);

        for (int b = 0; b < BLOCKS; b++) {
            cache.invalidate("block", "b" + b);
        }

        CmsCacheEngine other = instances.start();
        try {
            List<String> stale = new ArrayList<>();
            for (CmsCache instance : List.of(cache, other)) {
                for (int i = 0; i < PAGES; i++) {
                    String served = page(instance, i, "v2");
                    if (served.contains(" v1")) {
                        stale.add(served);
                    }
                }
            }
            assertEquals(0, stale.size(), () -> "no page made of an edited block is served after the edit, but "
                    + stale.size() + " were, e.g. " + stale.subList(0, Math.min(5, stale.size())));
        } finally {
            other.close();
        }
    }
}
