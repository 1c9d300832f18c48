package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A TTL that is not a duration fails start-up naming the property.
 */
public class ConfigUnparsableDurationTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.defaults.l2.ttl", "an hour")
            .assertException(t -> StartupFailures.assertNames(t, "quarkus.cms-cache.defaults.l2.ttl"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
