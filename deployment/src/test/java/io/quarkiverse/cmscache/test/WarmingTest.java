package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.CmsWarmer;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.warming.Warming;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * Start-up warming: the application's warmers run in the background (start-up and readiness do not wait for them), a
 * failing warmer is logged and skipped, and the most-read entries of earlier runs are loaded again through their
 * methods, their read counts fading with time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class WarmingTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.read-sampling", "1")
            .overrideConfigKey("quarkus.cms-cache.warming.hot-entries", "2")
            .overrideConfigKey("quarkus.cms-cache.warming.concurrency", "2")
            .overrideConfigKey("quarkus.cms-cache.warming.half-life", "1H")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Latches.class, Pages.class, Gate.class,
                    GlobalBlocksWarmer.class, BrokenWarmer.class, SlowWarmer.class));

    @Inject
    Pages pages;

    @Inject
    Gate gate;

    @Inject
    Warming warming;

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @Test
    @Order(1)
    void startUpWarmsInTheBackgroundAndSkipsAFailingWarmer() {
        // The slow warmer still holds: the application started, and is ready, all the same.
        assertFalse(warming.startupDone());
        RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'CMS cache' }.data.warming", equalTo("running"));
        await().atMost(Duration.ofSeconds(5)).until(() -> pages.loads("global-header") == 1);

        gate.release();
        await().atMost(Duration.ofSeconds(5)).until(warming::startupDone);
        Warming.Report report = warming.lastReport();
        assertEquals(2, report.warmers(), "the good and the slow warmer");
        assertEquals(1, report.failed(), "the broken warmer");
        assertEquals(1, pages.loads("global-header"), "warmed once");
        assertEquals("global-header page", pages.page("global-header"));
        assertEquals(1, pages.loads("global-header"), "a hit, thanks to warming");
    }

    @Test
    @Order(2)
    void theMostReadEntriesOfEarlierRunsAreWarmed() {
        for (int i = 0; i < 5; i++) {
            pages.page("about");
        }
        for (int i = 0; i < 3; i++) {
            pages.page("contact");
        }
        pages.page("imprint");
        engine().hotEntries().flush().await().indefinitely();
        // The next run: nothing cached anywhere.
        cache.clear("pages");
        pages.forget();

        Warming.Report report = warming.run("test");
        assertEquals(2, report.hotEntries(), "the two most-read (warming.hot-entries)");
        assertEquals(1, pages.loads("about"));
        assertEquals(1, pages.loads("contact"));
        assertEquals(0, pages.loads("imprint"));

        pages.page("about");
        pages.page("contact");
        assertEquals(1, pages.loads("about"), "warmed: a hit");
        assertEquals(1, pages.loads("contact"), "warmed: a hit");
    }

    @Test
    @Order(3)
    void readCountsFadeSoYesterdaysHotPageGivesWayToTodays() {
        for (int i = 0; i < 50; i++) {
            pages.page("yesterday");
        }
        engine().hotEntries().flush().await().indefinitely();
        // Counts were last decayed ten half-lives ago: what they hold is worth a thousandth now.
        long tenHalfLivesAgo = System.currentTimeMillis() - Duration.ofHours(10).toMillis();
        redis.send(Request.cmd(Command.SET).arg(engine().l2().keys().hotDecayed()).arg(tenHalfLivesAgo))
                .await().indefinitely();
        for (int i = 0; i < 3; i++) {
            pages.page("today");
        }
        engine().hotEntries().flush().await().indefinitely();

        List<String> hottest = engine().l2().hottestRecipes(1).await().indefinitely();
        assertEquals(1, hottest.size());
        assertTrue(hottest.get(0).contains("\"today\""), hottest::toString);
    }

    @ApplicationScoped
    public static class Pages {
        final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

        @CmsCached(region = "pages")
        public String page(@CmsKey String slug) {
            loads.computeIfAbsent(slug, s -> new AtomicInteger()).incrementAndGet();
            return slug + " page";
        }

        int loads(String slug) {
            AtomicInteger n = loads.get(slug);
            return n == null ? 0 : n.get();
        }

        void forget() {
            loads.clear();
        }
    }

    @ApplicationScoped
    public static class Gate {
        final CountDownLatch slowWarmer = new CountDownLatch(1);

        void release() {
            slowWarmer.countDown();
        }

        void await() {
            Latches.await(slowWarmer);
        }
    }

    @ApplicationScoped
    public static class GlobalBlocksWarmer implements CmsWarmer {
        @Inject
        Pages pages;

        @Override
        public void warm() {
            pages.page("global-header");
        }
    }

    @ApplicationScoped
    public static class BrokenWarmer implements CmsWarmer {
        @Override
        public void warm() {
            throw new IllegalStateException("the templates table is missing");
        }
    }

    @ApplicationScoped
    public static class SlowWarmer implements CmsWarmer {
        @Inject
        Gate gate;

        @Override
        public void warm() {
            gate.await();
        }
    }
}
