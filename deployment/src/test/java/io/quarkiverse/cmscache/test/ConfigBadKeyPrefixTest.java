package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * A key prefix with a hash-tag brace fails start-up naming the property and the value.
 */
public class ConfigBadKeyPrefixTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.key-prefix", "cms{x}")
            .assertException(t -> StartupFailures.assertNames(t, "quarkus.cms-cache.key-prefix", "cms{x}"));

    @Test
    void startFails() {
        fail("start-up should have failed");
    }
}
