package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * With a named Redis client ({@code quarkus.cms-cache.l2.client-name}), the bound on commands in flight is checked
 * against that client's pool, configured the way the docs show it ({@code quarkus.redis.<name>.max-pool-size}).
 */
public class ConfigMaxInFlightNamedClientTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.l2.client-name", "cms")
            .overrideConfigKey("quarkus.redis.cms.hosts", "redis://localhost:6379")
            .overrideConfigKey("quarkus.redis.cms.max-pool-size", "3")
            .overrideConfigKey("quarkus.cms-cache.l2.max-in-flight", "3")
            .assertException(t -> StartupFailures.assertNames(t, "quarkus.cms-cache.l2.max-in-flight",
                    "below quarkus.redis.cms.max-pool-size (3)"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
