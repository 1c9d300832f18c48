package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With {@code quarkus.cms-cache.enabled=false} every call runs the method and nothing touches Redis.
 */
public class DisabledModeTest {
    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.enabled", "false")
            .overrideConfigKey("quarkus.redis.hosts", "redis://localhost:1")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, ModeBlocks.class));

    @Inject
    ModeBlocks blocks;

    @Inject
    CmsCache cache;

    @Test
    void everyCallRunsTheMethod() {
        assertEquals("a #1", blocks.html("a"));
        assertEquals("a #2", blocks.html("a"));
        blocks.save("a");
        assertEquals("x", cache.get("block", "b", String.class, () -> "x"));
        assertEquals("y", cache.get("block", "b", String.class, () -> "y"));
    }
}
