package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkus.test.QuarkusUnitTest;

public class BubblingTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Blocks.class, Sections.class, Pages.class));

    @Inject
    Blocks blocks;

    @Inject
    Pages pages;

    @Inject
    CmsCache cache;

    @Test
    void pageDependsOnBlockReadTwoLevelsDown() {
        assertEquals("<page home:en><section intro>[hello]</section></page>", pages.render("home", "en"));
        assertEquals("<page about:en><section team>[people]</section></page>", pages.render("about", "en"));
        assertEquals(1, pages.loads("home"));

        assertTrue(cache.dependents("block:hello").contains("rendered:home:en"),
                () -> "dependents of block:hello: " + cache.dependents("block:hello"));
        assertTrue(cache.dependents("menu:main").contains("rendered:home:en"));

        blocks.save("hello", "bonjour");

        assertEquals("<page home:en><section intro>[bonjour]</section></page>", pages.render("home", "en"));
        assertEquals(2, pages.loads("home"), "the page that used the block was reloaded");
        assertEquals("<page about:en><section team>[people]</section></page>", pages.render("about", "en"));
        assertEquals(1, pages.loads("about"), "the page that did not use the block stayed cached");
    }

    @ApplicationScoped
    static class Blocks {
        final Map<String, String> store = new ConcurrentHashMap<>(Map.of("hello", "hello", "people", "people"));

        @CmsCached(region = "block")
        String html(@CmsKey String id) {
            return "[" + store.get(id) + "]";
        }

        @CmsInvalidate(region = "block", keys = "id")
        void save(String id, String text) {
            store.put(id, text);
        }
    }

    @ApplicationScoped
    static class Sections {
        @Inject
        Blocks blocks;

        @CmsCached(region = "section")
        String render(String name, String blockId) {
            return "<section " + name + ">" + blocks.html(blockId) + "</section>";
        }
    }

    @ApplicationScoped
    static class Pages {
        final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

        int loads(String page) {
            return loads.getOrDefault(page, new AtomicInteger()).get();
        }

        @Inject
        Sections sections;

        @CmsCached(region = "rendered")
        String render(@CmsKey String page, @CmsKey String lang) {
            loads.computeIfAbsent(page, p -> new AtomicInteger()).incrementAndGet();
            CmsDependencies.add("menu:main");
            String section = page.equals("home") ? sections.render("intro", "hello") : sections.render("team", "people");
            return "<page " + page + ":" + lang + ">" + section + "</page>";
        }
    }
}
