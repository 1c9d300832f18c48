package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A region bounded both by entries and by bytes fails start-up naming both properties.
 */
public class ConfigSizeAndWeightTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"rendered\".l1.maximum-size", "100")
            .overrideConfigKey("quarkus.cms-cache.regions.\"rendered\".l1.maximum-weight", "10M")
            .assertException(t -> StartupFailures.assertNames(t,
                    "quarkus.cms-cache.regions.\"rendered\".l1.maximum-size",
                    "quarkus.cms-cache.regions.\"rendered\".l1.maximum-weight", "set only one"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
