package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Two instances on one Redis: a Redis hit fills L1, and an invalidation on either instance reaches the other's L1
 * through pub/sub within milliseconds, and Redis at once.
 */
public class CrossInstanceTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Blocks.class));

    @Inject
    Blocks blocks;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    CmsCacheEngine other;

    @BeforeEach
    void startOther() {
        other = instances.start();
        await().until(() -> other.feed().isSubscribed());
    }

    @AfterEach
    void stopOther() {
        other.close();
    }

    @Test
    void secondInstanceReadsFromRedisIntoItsL1() {
        assertEquals("v1 of header", blocks.html("header"));
        AtomicInteger otherLoads = new AtomicInteger();

        String read = other.get("block", "header", String.class, () -> "loaded by other " + otherLoads.incrementAndGet());

        assertEquals("v1 of header", read, "served from Redis, not loaded again");
        assertEquals(0, otherLoads.get());
        assertEquals(1, other.stats("block").l2Hits());
        other.get("block", "header", String.class, () -> "loaded by other " + otherLoads.incrementAndGet());
        assertEquals(1, other.stats("block").l1Hits(), "the Redis hit filled the other instance's L1");
    }

    @Test
    void invalidationOnOneInstanceEvictsTheOthersL1() {
        blocks.html("footer");
        other.get("block", "footer", String.class, () -> "unused");
        assertNotNull(other.region("block").l1().get("block:footer"));

        blocks.save("footer");

        assertNull(cache instanceof CmsCacheEngine e ? e.region("block").l1().get("block:footer") : null,
                "the invalidating instance dropped it before returning");
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(2))
                .until(() -> other.region("block").l1().get("block:footer") == null);
        assertEquals("v2 of footer", other.get("block", "footer", String.class, () -> "v2 of footer"),
                "Redis no longer held the old value either");
    }

    @Test
    void invalidationOnTheOtherInstanceReachesTheApplication() {
        blocks.html("nav");
        int loadsBefore = blocks.loads();
        blocks.html("nav");
        assertEquals(loadsBefore, blocks.loads(), "cached");

        other.invalidate("block", "nav");

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(2))
                .until(() -> ((CmsCacheEngine) cache).region("block").l1().get("block:nav") == null);
        blocks.html("nav");
        assertEquals(loadsBefore + 1, blocks.loads());
        assertTrue(cache.stats("block").invalidations() >= 1);
    }

    @Test
    void readServedFromRedisStillBubblesIntoTheOuterEntry() {
        blocks.html("hero");
        String page = other.get("rendered", "landing", String.class,
                () -> "<main>" + other.get("block", "hero", String.class, () -> "not from Redis") + "</main>");
        assertEquals("<main>v1 of hero</main>", page);
        assertEquals(1, other.stats("block").l2Hits(), "the block came from Redis");

        assertTrue(other.dependents("block:hero").contains("rendered:landing"));
        blocks.save("hero");
        await().atMost(Duration.ofSeconds(2)).until(() -> other.region("rendered").l1().get("rendered:landing") == null);
    }

    @Test
    void bumpingTheKeyVersionMakesEveryOldEntryUnreachable() {
        blocks.html("legal");
        CmsCacheEngine nextRelease = instances.startWithKeyVersion("2");
        try {
            assertEquals("recomputed", nextRelease.get("block", "legal", String.class, () -> "recomputed"));
            assertEquals(0, nextRelease.stats("block").l2Hits());
            nextRelease.invalidate("block", "legal");
            assertEquals("v1 of legal", other.get("block", "legal", String.class, () -> "unused"),
                    "and the two versions do not invalidate each other");
        } finally {
            nextRelease.close();
        }
    }

    @ApplicationScoped
    static class Blocks {
        final AtomicInteger loads = new AtomicInteger();
        final java.util.Map<String, Integer> versions = new java.util.concurrent.ConcurrentHashMap<>();

        @CmsCached(region = "block")
        String html(@CmsKey String id) {
            loads.incrementAndGet();
            return "v" + versions.getOrDefault(id, 1) + " of " + id;
        }

        @CmsInvalidate(region = "block")
        void save(String id) {
            versions.merge(id, 1, Integer::sum);
        }

        int loads() {
            return loads.get();
        }
    }
}
