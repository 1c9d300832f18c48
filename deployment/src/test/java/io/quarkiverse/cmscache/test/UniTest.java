package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
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
import io.smallrye.mutiny.Uni;

/**
 * {@code Uni} methods: the item is cached, failures are not, and dependencies bubble through chains that hop threads.
 */
public class UniTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Blocks.class, Sections.class, Pages.class,
                    Threads.class));

    @Inject
    Blocks blocks;

    @Inject
    Pages pages;

    @Inject
    CmsCache cache;

    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void itemIsCachedAndFailureIsNot() {
        assertEquals("[logo]", blocks.html("logo").await().atMost(WAIT));
        assertEquals("[logo]", blocks.html("logo").await().atMost(WAIT));
        assertEquals(1, blocks.loads("logo"));

        assertThrows(IllegalArgumentException.class, () -> blocks.html("missing").await().atMost(WAIT));
        assertThrows(IllegalArgumentException.class, () -> blocks.html("missing").await().atMost(WAIT));
        assertEquals(2, blocks.loads("missing"), "a failed Uni is loaded again");
    }

    @Test
    void dependenciesBubbleThroughThreeLevelsAcrossThreadHops() {
        String page = pages.render("home", "en").await().atMost(WAIT);
        assertEquals("<home:en><section intro>[hero]</section></home:en>", page);

        Set<String> dependents = cache.dependents("block:hero");
        assertTrue(dependents.containsAll(Set.of("section:intro:hero", "rendered:home:en")), dependents::toString);
        assertTrue(cache.dependents("menu:main").contains("rendered:home:en"),
                "CmsDependencies.add in a callback on another thread reached the page");
        assertTrue(pages.callbackThread().startsWith("pool-"), "the callback ran on " + pages.callbackThread());

        blocks.save("hero").await().atMost(WAIT);
        assertEquals(1, pages.loads());
        pages.render("home", "en").await().atMost(WAIT);
        assertEquals(2, pages.loads(), "editing the block evicted the page");
    }

    @Test
    void concurrentSubscriptionsToAMissLoadOnce() {
        Uni<String> first = blocks.html("banner");
        Uni<String> second = blocks.html("banner");
        var both = Uni.combine().all().unis(first, second).asTuple().await().atMost(WAIT);
        assertEquals(both.getItem1(), both.getItem2());
        assertEquals(1, blocks.loads("banner"));
    }

    @ApplicationScoped
    static class Threads {
        final ExecutorService pool = Executors.newFixedThreadPool(4);

        @PreDestroy
        void stop() {
            pool.shutdownNow();
        }
    }

    @ApplicationScoped
    static class Blocks {
        final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

        @Inject
        Threads threads;

        @CmsCached(region = "block")
        Uni<String> html(@CmsKey String id) {
            return Uni.createFrom().item(id).emitOn(threads.pool).map(i -> {
                loads.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
                if (i.equals("missing")) {
                    throw new IllegalArgumentException("no block " + i);
                }
                return "[" + i + "]";
            });
        }

        @CmsInvalidate(region = "block")
        Uni<Void> save(String id) {
            return Uni.createFrom().voidItem();
        }

        int loads(String id) {
            return loads.getOrDefault(id, new AtomicInteger()).get();
        }
    }

    @ApplicationScoped
    static class Sections {
        @Inject
        Blocks blocks;

        @Inject
        Threads threads;

        @CmsCached(region = "section")
        Uni<String> render(String name, String blockId) {
            return Uni.createFrom().voidItem().runSubscriptionOn(threads.pool)
                    .chain(() -> blocks.html(blockId))
                    .map(html -> "<section " + name + ">" + html + "</section>");
        }
    }

    @ApplicationScoped
    static class Pages {
        final AtomicInteger loads = new AtomicInteger();
        volatile String callbackThread;

        @Inject
        Sections sections;

        @Inject
        Threads threads;

        @CmsCached(region = "rendered")
        Uni<String> render(@CmsKey String page, @CmsKey String lang) {
            loads.incrementAndGet();
            return Uni.createFrom().item(page).emitOn(threads.pool)
                    .invoke(() -> {
                        callbackThread = Thread.currentThread().getName();
                        CmsDependencies.add("menu:main");
                    })
                    .chain(p -> sections.render("intro", "hero"))
                    .map(section -> "<" + page + ":" + lang + ">" + section + "</" + page + ":" + lang + ">");
        }

        int loads() {
            return loads.get();
        }

        String callbackThread() {
            return callbackThread;
        }
    }
}
