package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With Redis unreachable, the cache keeps serving from L1 and the loader, without exceptions.
 */
public class RedisUnreachableModeTest {
    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", "redis://localhost:1")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, ModeBlocks.class));

    @Inject
    ModeBlocks blocks;

    @Inject
    CmsCache cache;

    @Test
    void keepsServingFromL1AndTheLoader() {
        assertEquals("a #1", blocks.html("a"), "a Redis error is a miss, not an exception");
        assertEquals("a #1", blocks.html("a"), "and the value is still cached in L1");
        assertTrue(cache.stats("block").l2Errors() >= 1);

        blocks.save("a");

        assertEquals("a #2", blocks.html("a"), "the invalidation still reached this instance's L1");
    }
}
