package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * L1 memory bounds per region: a region bounded in entries keeps no more (what it evicts is still served from Redis),
 * and values above {@code l1.max-value-size} are kept in Redis only.
 */
public class MemoryTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"blocks\".l1.maximum-size", "5")
            .overrideConfigKey("quarkus.cms-cache.regions.\"media\".l1.max-value-size", "1K")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @Test
    void regionBoundedInEntriesKeepsNoMoreAndServesTheRestFromRedis() {
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            int n = i;
            cache.get("blocks", "block-" + n, String.class, () -> {
                loads.incrementAndGet();
                return "block " + n;
            });
        }
        engine().region("blocks").l1().cleanUp();
        assertTrue(engine().region("blocks").l1().size() <= 5, () -> engine().region("blocks").l1().size() + "");
        assertTrue(cache.stats("blocks").evictions() >= 45);

        for (int i = 0; i < 50; i++) {
            int n = i;
            assertEquals("block " + n, cache.get("blocks", "block-" + n, String.class, () -> "loaded again"));
        }
        assertEquals(50, loads.get(), "evicted from L1, still in Redis");
    }

    @Test
    void valueAboveTheL1LimitIsKeptInRedisOnly() {
        String video = "v".repeat(4096);
        AtomicInteger loads = new AtomicInteger();
        assertEquals(video, cache.get("media", "intro", String.class, () -> {
            loads.incrementAndGet();
            return video;
        }));
        assertNull(engine().region("media").l1().get("media:intro"), "not in L1");
        assertNotNull(engine().l2().read("media:intro").await().indefinitely(), "in Redis");

        long l2Hits = cache.stats("media").l2Hits();
        assertEquals(video, cache.get("media", "intro", String.class, () -> "loaded again"));
        assertEquals(1, loads.get());
        assertEquals(l2Hits + 1, cache.stats("media").l2Hits(), "served from Redis");

        assertEquals("logo", cache.get("media", "logo", String.class, () -> "logo"));
        assertNotNull(engine().region("media").l1().get("media:logo"), "a small value is in L1");
    }
}
