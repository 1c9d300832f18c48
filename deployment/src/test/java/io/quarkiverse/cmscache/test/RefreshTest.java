package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Uni;

/**
 * Refresh-ahead: a read near the end of an entry's L1 life reloads it in the background, calling the method again
 * with the same arguments, while readers keep the current value; the refresh keeps dependency capture, never
 * overwrites a newer invalidation, and runs on one instance at a time. Also probabilistic early expiration.
 */
public class RefreshTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            // Entries live 10 s in L1 and are due for a refresh from their 10th millisecond on.
            .overrideConfigKey("quarkus.cms-cache.regions.\"news\".l1.expire-after-write", "10s")
            .overrideConfigKey("quarkus.cms-cache.regions.\"news\".refresh-ahead", "0.999")
            .overrideConfigKey("quarkus.cms-cache.regions.\"ticker\".l1.expire-after-write", "10s")
            .overrideConfigKey("quarkus.cms-cache.regions.\"ticker\".refresh-ahead", "0.999")
            .overrideConfigKey("quarkus.cms-cache.regions.\"early\".refresh-ahead", "0")
            .overrideConfigKey("quarkus.cms-cache.regions.\"early\".early-expiration-beta", "1000000")
            .withApplicationRoot(
                    jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Latches.class, News.class, Edition.class));

    @Inject
    News news;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    /** The test's own calls run in a request context, as an HTTP request's would; refreshes get their own. */
    @BeforeEach
    void activateRequestContext() {
        Arc.container().requestContext().activate();
    }

    @AfterEach
    void terminateRequestContext() {
        Arc.container().requestContext().terminate();
    }

    @Test
    void readNearTheEndOfLifeReloadsInTheBackgroundWithTheSameArguments() {
        news.setSource("v1", "dep:a");
        assertEquals("headline v1", news.headline("front"));
        int loaded = news.loads();
        long refreshed = cache.stats("news").refreshes();
        CountDownLatch release = news.holdNextLoad();
        news.setSource("v2", "dep:b");

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            // Readers are answered at once with the current value while the refresh is held.
            assertEquals("headline v1", news.headline("front"));
            return news.loads() == loaded + 1;
        });
        assertEquals(Set.of("news:front"), engine().refresher().running());
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> engine().refresher().running().isEmpty());
        assertEquals("headline v2", news.headline("front"));
        assertEquals("front", news.lastArgument(), "called again with the same argument");
        Set<String> nowDependingOnB = cache.dependents("dep:b");
        assertTrue(nowDependingOnB.contains("news:front"), nowDependingOnB::toString);
        assertTrue(!cache.dependents("dep:a").contains("news:front"), "the new tags replaced the old");
        assertTrue(cache.stats("news").refreshes() > refreshed);
    }

    @Test
    void refreshRacingAnInvalidationIsNotStored() {
        news.setSource("v1", "dep:race");
        assertEquals("headline v1", news.headline("sport"));
        CountDownLatch release = news.holdNextLoad();
        news.setSource("v2", "dep:race");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            news.headline("sport");
            return engine().refresher().running().contains("news:sport");
        });
        await().until(() -> news.held());

        cache.invalidateTags("dep:race");
        news.setSource("v3", "dep:race");
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> engine().refresher().running().isEmpty());
        assertNull(engine().region("news").l1().get("news:sport"), "the refresh began before the invalidation");
        assertNull(engine().l2().read("news:sport").await().indefinitely());
        assertEquals("headline v3", news.headline("sport"));
    }

    @Test
    void onlyOneInstanceRefreshesAnEntry() {
        AtomicInteger loads = new AtomicInteger();
        AtomicReference<CountDownLatch> hold = new AtomicReference<>(null);
        CmsCacheEngine other = instances.start();
        try {
            java.util.function.Supplier<String> loader = () -> {
                int n = loads.incrementAndGet();
                CountDownLatch latch = hold.get();
                if (latch != null) {
                    Latches.await(latch);
                }
                return "weather v" + n;
            };
            assertEquals("weather v1", cache.get("news", "weather", String.class, loader));
            assertEquals("weather v1", other.get("news", "weather", String.class, loader), "from Redis");
            CountDownLatch release = new CountDownLatch(1);
            hold.set(release);

            await().atMost(Duration.ofSeconds(5)).until(() -> {
                cache.get("news", "weather", String.class, loader);
                return loads.get() == 2;
            });
            // The other instance wants to refresh too, but the lease is taken: it gives up.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                other.get("news", "weather", String.class, loader);
                return other.refresher().running().isEmpty() && other.stats("news").l1Hits() >= 2;
            });
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> engine().refresher().running().isEmpty());

            assertEquals(2, loads.get(), "one initial load and one refresh, on one instance");
        } finally {
            hold.set(null);
            other.close();
        }
    }

    @Test
    void asynchronousMethodIsRefreshedWithoutBlockingAThread() {
        news.setTicker("DAX 1", null);
        assertEquals("ticker DAX 1", news.ticker("de").await().indefinitely());
        int loaded = news.tickerLoads();
        CompletableFuture<String> pending = new CompletableFuture<>();
        news.setTicker(null, pending);

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            // Answered at once with the current value while the refresh waits for its Uni.
            assertEquals("ticker DAX 1", news.ticker("de").await().indefinitely());
            return news.tickerLoads() == loaded + 1;
        });
        assertEquals(Set.of("ticker:de"), engine().refresher().running());
        // Later refreshes (every read is due for one in this region) find the same value.
        news.setTicker("DAX 2", null);
        pending.complete("DAX 2");

        await().atMost(Duration.ofSeconds(5)).until(() -> engine().refresher().running().isEmpty());
        assertEquals("ticker DAX 2", news.ticker("de").await().indefinitely());
    }

    @Test
    void earlyExpirationRefreshesBeforeTheEndOfLife() {
        AtomicInteger loads = new AtomicInteger();
        java.util.function.Supplier<String> loader = () -> {
            // A measurable load time, which early expiration weighs.
            long end = System.nanoTime() + 2_000_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return "early v" + loads.incrementAndGet();
        };
        cache.get("early", "one", String.class, loader);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            cache.get("early", "one", String.class, loader);
            return loads.get() >= 2;
        });
        assertTrue(cache.stats("early").refreshes() >= 1);
    }

    @ApplicationScoped
    public static class News {
        final AtomicInteger loads = new AtomicInteger();
        volatile String version;
        volatile String dependency;
        volatile CountDownLatch hold;
        volatile boolean held;
        volatile String lastArgument;
        final AtomicInteger tickerLoads = new AtomicInteger();
        volatile String ticker;
        volatile CompletableFuture<String> pendingTicker;

        @CmsCached(region = "news")
        public String headline(@CmsKey String section) {
            edition.name();
            loads.incrementAndGet();
            lastArgument = section;
            CmsDependencies.add(dependency);
            String current = version;
            CountDownLatch latch = hold;
            if (latch != null) {
                hold = null;
                held = true;
                Latches.await(latch);
            }
            return "headline " + current;
        }

        @Inject
        Edition edition;

        @CmsCached(region = "ticker")
        public Uni<String> ticker(@CmsKey String market) {
            // Request-scoped: a refresh runs in a request context as a normal call does.
            edition.name();
            tickerLoads.incrementAndGet();
            CompletableFuture<String> pending = pendingTicker;
            if (pending != null) {
                pendingTicker = null;
                return Uni.createFrom().completionStage(pending).map(value -> "ticker " + value);
            }
            return Uni.createFrom().item("ticker " + ticker);
        }

        void setTicker(String ticker, CompletableFuture<String> pending) {
            this.ticker = ticker;
            this.pendingTicker = pending;
        }

        int tickerLoads() {
            return tickerLoads.get();
        }

        void setSource(String version, String dependency) {
            this.version = version;
            this.dependency = dependency;
        }

        CountDownLatch holdNextLoad() {
            held = false;
            hold = new CountDownLatch(1);
            return hold;
        }

        boolean held() {
            return held;
        }

        int loads() {
            return loads.get();
        }

        String lastArgument() {
            return lastArgument;
        }
    }

    @RequestScoped
    public static class Edition {
        String name() {
            return "morning";
        }
    }
}
