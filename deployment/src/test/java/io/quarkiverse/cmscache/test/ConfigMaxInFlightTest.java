package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Commands in flight that could take every connection of the Redis client's pool fail start-up, naming the property
 * and the pool size it must stay below.
 */
public class ConfigMaxInFlightTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.max-pool-size", "8")
            .overrideConfigKey("quarkus.cms-cache.l2.max-in-flight", "8")
            .assertException(t -> StartupFailures.assertNames(t, "quarkus.cms-cache.l2.max-in-flight",
                    "must be at least 1 and below quarkus.redis.max-pool-size (8)"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
