package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The "set after delete" race: a load that began before an invalidation of a tag it depends on must not be stored in
 * L1 or Redis after that invalidation. Latches force each interleaving.
 */
public class StaleRepopulationTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Latches.class, OtherInstance.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    ExecutorService pool;

    @BeforeEach
    void startPool() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @Test
    void loadOverlappingAnInvalidationOfItsOwnKeyIsNotStored() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch invalidated = new CountDownLatch(1);
        Future<String> slowLoad = pool.submit(() -> cache.get("page", "home", String.class, () -> {
            loading.countDown();
            Latches.await(invalidated);
            return "old home";
        }));
        Latches.await(loading);

        cache.invalidate("page", "home");
        invalidated.countDown();

        assertEquals("old home", slowLoad.get(10, TimeUnit.SECONDS), "the overlapping caller still gets its value");
        assertNull(engine().region("page").l1().get("page:home"), "not in L1");
        assertNull(engine().l2().read("page:home").await().indefinitely(), "not in Redis");
        assertEquals("new home", cache.get("page", "home", String.class, () -> "new home"));
        assertEquals(1, cache.stats("page").staleWritesRejected());
    }

    @Test
    void loadThatReadADependencyBeforeItsInvalidationIsNotStored() throws Exception {
        assertEquals("header v1", cache.get("block", "header", String.class, () -> "header v1"));
        CountDownLatch readTheBlock = new CountDownLatch(1);
        CountDownLatch invalidated = new CountDownLatch(1);
        Future<String> slowPage = pool.submit(() -> cache.get("rendered", "about", String.class, () -> {
            String header = cache.get("block", "header", String.class, () -> "unused");
            readTheBlock.countDown();
            Latches.await(invalidated);
            return "<about>" + header + "</about>";
        }));
        Latches.await(readTheBlock);

        cache.invalidate("block", "header");
        invalidated.countDown();

        assertEquals("<about>header v1</about>", slowPage.get(10, TimeUnit.SECONDS));
        assertNull(engine().region("rendered").l1().get("rendered:about"));
        assertNull(engine().l2().read("rendered:about").await().indefinitely());
        assertEquals("<about>header v2</about>", cache.get("rendered", "about", String.class,
                () -> "<about>" + cache.get("block", "header", String.class, () -> "header v2") + "</about>"));
    }

    @Test
    void loadOnAnotherInstanceThatHasNotHeardOfTheInvalidationIsRefusedByRedis() throws Exception {
        CmsCacheEngine other = instances.start();
        try {
            CountDownLatch loading = new CountDownLatch(1);
            CountDownLatch invalidated = new CountDownLatch(1);
            Future<String> slowLoad = pool.submit(() -> other.get("page", "contact", String.class, () -> {
                loading.countDown();
                Latches.await(invalidated);
                return "old contact";
            }));
            Latches.await(loading);

            // Invalidate without letting the other instance apply it first: its basis is older than the tag's version.
            cache.invalidate("page", "contact");
            invalidated.countDown();

            assertEquals("old contact", slowLoad.get(10, TimeUnit.SECONDS));
            assertNull(engine().l2().read("page:contact").await().indefinitely(), "Redis refused the stale write");
            assertNull(other.region("page").l1().get("page:contact"));
        } finally {
            other.close();
        }
    }

    @Test
    void readerArrivingAfterTheInvalidationDoesNotJoinTheOlderLoad() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> cache.get("page", "news", String.class, () -> {
            loads.incrementAndGet();
            loading.countDown();
            Latches.await(release);
            return "old news";
        }));
        Latches.await(loading);
        cache.invalidate("page", "news");

        AtomicReference<String> second = new AtomicReference<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(
                () -> second.set(cache.get("page", "news", String.class, () -> {
                    loads.incrementAndGet();
                    return "fresh news";
                })), pool);
        reader.get(10, TimeUnit.SECONDS);
        release.countDown();

        assertEquals("fresh news", second.get(), "a read that starts after the invalidation returned sees the new value");
        assertEquals("old news", first.get(10, TimeUnit.SECONDS));
        assertEquals(2, loads.get());
        assertEquals("fresh news", cache.get("page", "news", String.class, () -> "unused"),
                "the newer load is the one cached");
    }

    @Test
    void oldButValidDependencyDoesNotStopAFreshPageFromBeingStored() {
        // The masthead was cached long before the promo block was edited: its basis is older than the promo's
        // invalidation. A page (and a fragment in between) made of both afterwards is current and must be cached.
        assertEquals("masthead", cache.get("block", "masthead", String.class, () -> "masthead"));
        assertEquals("promo v1", cache.get("block", "promo", String.class, () -> "promo v1"));
        cache.invalidate("block", "promo");

        AtomicInteger renders = new AtomicInteger();
        Supplier<String> landing = () -> cache.get("rendered", "landing", String.class, () -> {
            renders.incrementAndGet();
            return "<landing>" + cache.get("fragment", "hero", String.class,
                    () -> cache.get("block", "masthead", String.class, () -> "unused")
                            + cache.get("block", "promo", String.class, () -> "promo v2"))
                    + "</landing>";
        });
        assertEquals("<landing>mastheadpromo v2</landing>", landing.get());
        assertEquals("<landing>mastheadpromo v2</landing>", landing.get());

        assertEquals(1, renders.get(), "rendered once, then served from the cache");
        assertEquals(0, cache.stats("fragment").staleWritesRejected());
        assertNotNull(engine().l2().read("rendered:landing").await().indefinitely());
        assertEquals(Set.of("block:masthead", "fragment:hero", "rendered:landing"), cache.dependents("block:masthead"));
    }

    @Test
    void blockLoadedBeforeAnEditNeverReachesAPageRenderedAfterIt() throws Exception {
        // A block load begins, the block is edited and invalidated, then the load ends and tries to store the old
        // version. A page rendered after the invalidation returned must be made of the new version: the old block is
        // never visible in L1, not even for an instant, and it is refused by Redis.
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch edited = new CountDownLatch(1);
        Future<String> slowBlock = pool.submit(() -> cache.get("block", "banner", String.class, () -> {
            loading.countDown();
            Latches.await(edited);
            return "banner v1";
        }));
        Latches.await(loading);
        cache.invalidate("block", "banner");
        edited.countDown();
        assertEquals("banner v1", slowBlock.get(10, TimeUnit.SECONDS), "its own caller still gets its value");

        assertEquals("<sale>banner v2</sale>", cache.get("rendered", "sale", String.class,
                () -> "<sale>" + cache.get("block", "banner", String.class, () -> "banner v2") + "</sale>"));

        byte[][] stored = engine().l2().read("block:banner").await().indefinitely();
        assertEquals("banner v2", EntryCodec.displayText(stored[2]), "Redis holds the new block");
        assertEquals("banner v2", engine().region("block").l1().get("block:banner").value(), "so does L1");
        assertEquals("<sale>banner v2</sale>", cache.get("rendered", "sale", String.class, () -> "unused"));
    }

}
