package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A private cached method fails the build: ArC refuses interceptor bindings on private methods before the
 * extension's own checks run, with a message naming the method and the annotation. (With
 * {@code quarkus.arc.fail-on-intercepted-private-method=false} the extension's own check reports it.)
 */
public class PrivateMethodTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Hidden.class))
            .assertException(t -> {
                String message = StartupFailures.messages(t);
                assertTrue(message.contains("@CmsCached(region = \"block\")")
                        && message.contains("PrivateMethodTest$Hidden.html()") && message.contains("private"),
                        message);
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
