package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Once an instance knows Redis is back -- its invalidation subscription reconnected -- it uses Redis again at once
 * (within a second of Redis answering), not after the circuit breaker's delay: a page one instance stores right after the
 * outage is read from Redis by the
 * other, not rendered again.
 */
public class RedisRecoveryTest {

    static final LocalRedisServer REDIS = LocalRedisServer.named("recovery");

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .overrideConfigKey("quarkus.cms-cache.l2.timeout", "300ms")
            .overrideConfigKey("quarkus.cms-cache.l2.circuit-breaker.request-volume-threshold", "2")
            // Far longer than the test: only the return of Redis can close the breakers.
            .overrideConfigKey("quarkus.cms-cache.l2.circuit-breaker.delay", "10m")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, LocalRedisServer.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @Test
    void bothInstancesUseRedisAgainAsSoonAsItIsBack() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        CmsCacheEngine other = instances.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> here.l2State() == L2State.UP
                    && other.l2State() == L2State.UP);

            REDIS.kill();
            for (CmsCacheEngine instance : new CmsCacheEngine[] { here, other }) {
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    instance.get("pages", "during-outage", String.class, () -> "rendered without Redis");
                    return instance.l2().breakerState() == CircuitBreakerState.OPEN;
                });
            }

            REDIS.start();
            // Within a second of Redis answering again: resubscribed, history checked, breaker closed.
            await().atMost(Duration.ofSeconds(1)).until(() -> here.l2State() == L2State.UP
                    && other.l2State() == L2State.UP);

            assertEquals("home v1", here.get("pages", "home", String.class, () -> "home v1"));
            AtomicInteger renders = new AtomicInteger();
            assertEquals("home v1", other.get("pages", "home", String.class, () -> {
                renders.incrementAndGet();
                return "home rendered again";
            }), "the other instance reads the page from Redis");
            assertEquals(0, renders.get());
        } finally {
            other.close();
        }
    }
}
