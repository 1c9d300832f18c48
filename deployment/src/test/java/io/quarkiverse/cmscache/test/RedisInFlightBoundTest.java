package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The cache's own Redis commands never hold every connection of the client's pool, whatever the burst: the pool here
 * has 4 connections and no wait queue at all ({@code max-pool-waiting=0}), so any command the cache sent beyond the
 * connections left would be refused by the client and show as a Redis error. The same headroom keeps the Vert.x
 * cluster client from deadlocking its pool during a slot refresh (vertx-redis-client issue 541).
 */
public class RedisInFlightBoundTest {

    static final int READERS = 200;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.max-pool-size", "4")
            .overrideConfigKey("quarkus.redis.max-pool-waiting", "0")
            .overrideConfigKey("quarkus.cms-cache.l2.timeout", "5s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    RedisDataSource redis;

    @Test
    void aBurstOfMissesNeverTakesEveryConnectionOfThePool() throws Exception {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        assertEquals(2, engine.settings().commands().maxInFlight(), "max-pool-size 4, minus the subscription, "
                + "minus one kept free");
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> reads = new ArrayList<>();
        try {
            for (int i = 0; i < READERS; i++) {
                String key = "burst-" + i;
                reads.add(readers.submit(() -> {
                    start.await();
                    return cache.get("pages", key, String.class, () -> "page " + key);
                }));
            }
            start.countDown();
            for (int i = 0; i < READERS; i++) {
                assertEquals("page burst-" + i, reads.get(i).get(30, TimeUnit.SECONDS));
            }
        } finally {
            readers.shutdownNow();
        }

        assertEquals(0, cache.stats("pages").l2Errors(), "no read was refused by the client's pool");
        String[] entries = new String[READERS];
        for (int i = 0; i < READERS; i++) {
            entries[i] = engine.l2().keys().entry("pages:burst-" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.key().exists(entries) == READERS
                && engine.l2().commandsInFlight() == 0);
        assertEquals(0, cache.stats("pages").l2Errors(), "no write was refused by the client's pool");
        assertEquals(0, engine.l2().commandsRejected(), "none was refused by the cache's own queue either");
        assertEquals(0, engine.l2().commandsWaiting());
    }
}
