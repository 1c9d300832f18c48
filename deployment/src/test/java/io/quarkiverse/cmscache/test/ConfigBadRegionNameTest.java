package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Configuring a region whose name cannot be a region fails start-up naming the property.
 */
public class ConfigBadRegionNameTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"my page\".l2.ttl", "5M")
            .assertException(t -> StartupFailures.assertNames(t, "quarkus.cms-cache.regions.\"my page\"",
                    "Invalid region name"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
