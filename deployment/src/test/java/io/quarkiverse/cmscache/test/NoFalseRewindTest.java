package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The check of Redis's history after every resubscription, and the sequence check on every tick, run while this
 * instance keeps invalidating: an invalidation that completes while a check's reads are in flight must not look like
 * Redis going back in time (which would make every instance drop its cache for nothing). Found by the metadata
 * benchmark: a log read just before the instance's own invalidation "lacked" it.
 */
public class NoFalseRewindTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.invalidation.gap-timeout", "100ms")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    RedisDataSource redis;

    @Test
    void checksRacingTheInstancesOwnInvalidationsFindNoRewind() throws Exception {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.l2State() == L2State.UP);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger invalidations = new AtomicInteger();
        Thread editor = new Thread(() -> {
            while (running.get()) {
                cache.invalidateTags(Set.of("block:" + invalidations.incrementAndGet() % 50));
            }
        });
        editor.start();
        int checks = 0;
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        try {
            while (System.nanoTime() < until) {
                // Drops the subscription: the instance resubscribes and checks Redis's history while invalidating.
                String name = "name=" + engine.feed().connectionName() + " ";
                String subscription = redis.execute("CLIENT", "LIST").toString().lines()
                        .filter(line -> line.contains(name)).findFirst().orElseThrow();
                redis.execute("CLIENT", "KILL", "ID", subscription.substring(3, subscription.indexOf(' ')));
                checks++;
                await().atMost(Duration.ofSeconds(5)).until(() -> engine.l2().distrusted() == null);
            }
        } finally {
            running.set(false);
            editor.join();
        }
        assertTrue(checks > 5 && invalidations.get() > 200, checks + " checks, " + invalidations + " invalidations");
        assertEquals(0, engine.l2().floor(), "no new generation was started: Redis never went back in time");
    }
}
