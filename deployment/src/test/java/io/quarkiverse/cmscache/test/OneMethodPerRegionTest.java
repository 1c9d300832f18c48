package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The remedy the identity build error names: each method its own region, and one {@code @CmsInvalidate} per region on
 * the edit, so that the edit still evicts both. A method seen more than once -- its compiler bridge, an override of an
 * annotated method, the programmatic API on its region -- is still one method and builds.
 */
public class OneMethodPerRegionTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Source.class, Blocks.class, BaseTeasers.class,
                    Teasers.class));

    @Inject
    Blocks blocks;

    @Inject
    Teasers teasers;

    @Inject
    CmsCache cache;

    @Test
    void methodsOfOneKeyAnswerEachForItself() {
        int loaded = blocks.loads();
        assertEquals("<p>header</p>", blocks.html("header"));
        assertEquals("Header", blocks.title("header"));
        assertEquals("<p>header</p>", blocks.html("header"));
        assertEquals("Header", blocks.title("header"));
        assertEquals(loaded + 2, blocks.loads(), "one load per method");
    }

    @Test
    void oneEditEvictsTheEntriesOfBothRegions() {
        blocks.html("footer");
        blocks.title("footer");
        int loaded = blocks.loads();

        blocks.save("footer");
        blocks.html("footer");
        blocks.title("footer");

        assertEquals(loaded + 2, blocks.loads(), "both entries were evicted and loaded again");
    }

    @Test
    void anOverrideIsOneMethodWithItsOverriddenMethod() {
        int loaded = teasers.loads();
        assertEquals("teaser of home", teasers.teaser("home"));
        assertEquals("teaser of home", teasers.teaser("home"));
        assertEquals(loaded + 1, teasers.loads());
    }

    @Test
    void theProgrammaticApiMayUseAMethodsRegion() {
        int loaded = blocks.loads();
        assertEquals("<p>intro</p>", cache.get("block-html", "intro", String.class, () -> "<p>intro</p>"));

        assertEquals("<p>intro</p>", blocks.html("intro"), "the caller computed the same value");
        assertEquals(loaded, blocks.loads(), "the method found the entry the API stored");
    }

    /** Makes the compiler add a bridge method {@code Object html(String)} carrying a copy of the annotation. */
    interface Source<T> {
        T html(String id);
    }

    @ApplicationScoped
    static class Blocks implements Source<String> {
        final AtomicInteger loads = new AtomicInteger();

        @Override
        @CmsCached(region = "block-html")
        public String html(String id) {
            loads.incrementAndGet();
            return "<p>" + id + "</p>";
        }

        @CmsCached(region = "block-title")
        String title(String id) {
            loads.incrementAndGet();
            return Character.toUpperCase(id.charAt(0)) + id.substring(1);
        }

        @CmsInvalidate(region = "block-html")
        @CmsInvalidate(region = "block-title")
        void save(String id) {
        }

        int loads() {
            return loads.get();
        }
    }

    abstract static class BaseTeasers {
        final AtomicInteger loads = new AtomicInteger();

        @CmsCached(region = "teaser")
        String teaser(String id) {
            loads.incrementAndGet();
            return "teaser " + id;
        }

        int loads() {
            return loads.get();
        }
    }

    @ApplicationScoped
    static class Teasers extends BaseTeasers {
        @Override
        @CmsCached(region = "teaser")
        String teaser(String id) {
            loads.incrementAndGet();
            return "teaser of " + id;
        }
    }
}
