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
 * Redis at its memory limit under {@code allkeys-lru}, which may evict any key -- the cache's tag sets, versions,
 * sequence and log included. The cache does not use such a Redis for entries, and other data filling it past its
 * limit evicts the cache's metadata; an edit still reaches every page that used the edited block, on both instances.
 */
public class AllKeysEvictionTest {

    static final LocalRedisServer REDIS = LocalRedisServer.named("eviction-allkeys");
    static final int FILLERS = 6_000;

    static {
        REDIS.configure("maxmemory", "8mb");
        REDIS.configure("maxmemory-policy", "allkeys-lru");
    }

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, LocalRedisServer.class,
                    EvictionSafetyTest.class));

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

    @Test
    void anEditReachesEveryPageThatUsedTheBlockWhileRedisEvictsAnyKey() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        CmsCacheEngine other = instances.start();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> here.l2State() == L2State.REFUSED && other.l2State() == L2State.REFUSED);
            for (int i = 0; i < EvictionSafetyTest.PAGES; i++) {
                EvictionSafetyTest.page(cache, i, "v1");
                EvictionSafetyTest.page(other, i, "v1");
            }
            // Another application's data pushes Redis past its limit while the editor invalidates.
            String filler = "x".repeat(2_000);
            for (int f = 0; f < FILLERS; f++) {
                redis.value(String.class).set("filler:" + f, filler);
                if (f % 1_000 == 0) {
                    here.invalidate("block", "unrelated-" + f);
                }
            }
            long evicted = REDIS.evictedKeys();
            assertTrue(evicted > 0, "Redis evicted keys: " + evicted);

            for (int b = 0; b < EvictionSafetyTest.BLOCKS; b++) {
                cache.invalidate("block", "b" + b);
            }
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<String> stale = new ArrayList<>();
                for (CmsCache instance : List.of(cache, other)) {
                    for (int i = 0; i < EvictionSafetyTest.PAGES; i++) {
                        String served = EvictionSafetyTest.page(instance, i, "v2");
                        if (served.contains(" v1")) {
                            stale.add(served);
                        }
                    }
                }
                assertEquals(0, stale.size(), () -> stale.size() + " pages made of an edited block served after "
                        + "the edit, e.g. " + stale.subList(0, Math.min(5, stale.size())));
            });
        } finally {
            other.close();
        }
    }
}
