package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With {@code quarkus.cms-cache.l2.enabled=false} the cache works in memory, without any Redis.
 */
public class InMemoryOnlyModeTest {
    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.l2.enabled", "false")
            .overrideConfigKey("quarkus.redis.hosts", "redis://localhost:1")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, ModeBlocks.class));

    @Inject
    ModeBlocks blocks;

    @Inject
    CmsCache cache;

    @Test
    void cachesAndInvalidatesWithoutRedis() {
        assertEquals("a #1", blocks.html("a"));
        assertEquals("a #1", blocks.html("a"));
        cache.get("page", "home", String.class, () -> "home " + blocks.html("a"));

        blocks.save("a");

        assertEquals("a #2", blocks.html("a"));
        assertEquals("home a #2", cache.get("page", "home", String.class, () -> "home " + blocks.html("a")),
                "the page depending on the block was evicted too");
        assertEquals(0, cache.stats("block").l2Errors() + cache.stats("block").l2Misses(), "Redis never asked");
    }
}
