package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A region bounded to zero entries fails start-up naming the property.
 */
public class ConfigZeroSizeTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"page\".l1.maximum-size", "0")
            .assertException(t -> StartupFailures.assertNames(t, "quarkus.cms-cache.regions.\"page\".l1.maximum-size",
                    "must be at least 1"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
