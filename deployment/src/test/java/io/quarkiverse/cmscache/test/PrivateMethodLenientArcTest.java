package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkus.test.QuarkusUnitTest;

/**
 * When ArC only warns about private intercepted methods, the extension still fails the build for a private cached
 * method, because its result would silently never be cached.
 */
public class PrivateMethodLenientArcTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.arc.fail-on-intercepted-private-method", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Hidden.class))
            .assertException(t -> {
                String message = StartupFailures.messages(t);
                assertTrue(message.contains("PrivateMethodLenientArcTest$Hidden#html(java.lang.String) is private, "
                        + "so @CmsCached cannot intercept it"), message);
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @ApplicationScoped
    static class Hidden {
        @CmsCached(region = "block")
        private String html(String id) {
            return id;
        }
    }
}
