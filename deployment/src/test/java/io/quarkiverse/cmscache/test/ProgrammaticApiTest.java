package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@link CmsCache}: the same keys as the annotations, put with dependencies, dependents, clearing a region on every
 * instance, non-blocking invalidation, per-region stats, and a byte-bounded region.
 */
public class ProgrammaticApiTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"html\".l1.maximum-weight", "2K")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Pages.class));

    @Inject
    CmsCache cache;

    @Inject
    Pages pages;

    @Inject
    OtherInstance instances;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @Test
    void keysAreTheAnnotationsKeys() {
        assertEquals("home in de", pages.render("home", "de"));
        assertEquals("home in de", cache.get("rendered", CmsCache.key("home", "de"), String.class, () -> "other"),
                "CmsCache.key(parts) addresses the entry the annotated method cached");
        assertEquals("rendered:home:de", CmsCache.tag("rendered", "home", "de"));

        cache.invalidate("rendered", CmsCache.key("home", "de"));
        pages.render("home", "de");
        assertEquals(2, pages.loads());
    }

    @Test
    void putEntriesDependOnTheirTagsAndShowAsDependents() {
        cache.put("page", "pricing", "<pricing/>", "product:42", "menu:main");
        cache.put("page", "team", "<team/>", "menu:main");

        assertEquals(Set.of("page:pricing", "page:team"), cache.dependents("menu:main"));
        assertEquals(Set.of("page:pricing"), cache.dependents("product:42"));

        cache.invalidateTags("product:42");

        assertNull(engine().region("page").l1().get("page:pricing"));
        assertNotNull(engine().region("page").l1().get("page:team"));
        assertEquals(Set.of("page:team"), cache.dependents("menu:main"),
                () -> "Redis: " + engine().l2().dependents("menu:main").await().indefinitely() + ", L1: "
                        + engine().region("page").l1().keys());
    }

    @Test
    void clearingARegionEvictsItsEntriesAndTheirDependentsOnEveryInstance() {
        cache.put("nav", "top", "top nav");
        cache.put("nav", "side", "side nav");
        String page = cache.get("layout", "landing", String.class,
                () -> cache.get("nav", "top", String.class, () -> "unused") + " + body");
        cache.put("layout", "plain", "no navigation");
        CmsCacheEngine other = instances.start();
        try {
            other.get("nav", "side", String.class, () -> "unused");
            assertEquals("top nav + body", page);

            cache.clear("nav");

            assertEquals(0, engine().region("nav").l1().size());
            assertNull(engine().region("layout").l1().get("layout:landing"), "built from a nav entry");
            assertNotNull(engine().region("layout").l1().get("layout:plain"), "not built from one");
            await().atMost(Duration.ofSeconds(2)).until(() -> other.region("nav").l1().size() == 0);
            assertEquals("side v2", other.get("nav", "side", String.class, () -> "side v2"), "gone from Redis");
        } finally {
            other.close();
        }
    }

    @Test
    void asyncInvalidationHasTakenEffectWhenItEmits() {
        cache.put("page", "faq", "faq v1");

        cache.invalidateTagsAsync(List.of("page:faq")).await().atMost(Duration.ofSeconds(5));

        assertNull(engine().region("page").l1().get("page:faq"));
        assertNull(engine().l2().read("page:faq").await().indefinitely());
    }

    @Test
    void statsCountEachLevel() {
        CmsCacheEngine other = instances.start();
        try {
            cache.get("counted", "a", String.class, () -> "a");
            cache.get("counted", "a", String.class, () -> "a");
            other.get("counted", "a", String.class, () -> "a");
        } finally {
            other.close();
        }
        try {
            cache.get("counted", "b", String.class, () -> {
                throw new IllegalStateException("down");
            });
        } catch (IllegalStateException expected) {
            // the failed load is counted
        }
        cache.invalidate("counted", "a");

        RegionStats stats = cache.stats("counted");
        assertEquals(1, stats.l1Hits());
        assertEquals(2, stats.l1Misses());
        assertEquals(2, stats.l2Misses());
        assertEquals(1, stats.loads());
        assertEquals(1, stats.loadFailures());
        assertEquals(1, stats.invalidations());
        assertEquals(0, stats.l1Entries());
        assertTrue(stats.loadTime().toNanos() > 0);
        assertEquals(1.0 / 3, stats.hitRatio(), 1e-9, "one hit in three reads");
        assertTrue(cache.stats().containsKey("counted"));
    }

    @Test
    void byteBoundedRegionKeepsItsWeightUnderTheBound() {
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            int n = i;
            cache.get("html", "page-" + n, String.class, () -> {
                loads.incrementAndGet();
                return "<p>" + "x".repeat(500) + n + "</p>";
            });
        }
        engine().region("html").l1().cleanUp();

        RegionStats stats = cache.stats("html");
        assertTrue(stats.l1Weight() <= 2048, "weight " + stats.l1Weight());
        assertTrue(stats.evictions() >= 16, "evictions " + stats.evictions());
        assertEquals(20, loads.get());
    }

    @ApplicationScoped
    static class Pages {
        final AtomicInteger loads = new AtomicInteger();

        @CmsCached(region = "rendered")
        String render(String page, String lang) {
            loads.incrementAndGet();
            return page + " in " + lang;
        }

        int loads() {
            return loads.get();
        }
    }
}
