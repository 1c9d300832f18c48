package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * Redis crashing, restarting or stalling: callers never see an exception, the circuit breaker stops calling Redis
 * while it is down and lets it back when it returns, readiness stays up and reports the state, and an invalidation
 * made during the outage reaches the other instances once Redis is back.
 */
public class RedisFailureTest {

    static final LocalRedisServer REDIS = LocalRedisServer.named("failure");

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .overrideConfigKey("quarkus.cms-cache.l2.timeout", "300ms")
            .overrideConfigKey("quarkus.cms-cache.l2.circuit-breaker.delay", "1s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, LocalRedisServer.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @BeforeEach
    void redisIsUp() {
        REDIS.ensureRunning();
        await().atMost(Duration.ofSeconds(20)).until(() -> engine().l2State() == L2State.UP);
    }

    @Test
    void redisKilledUnderLoadFailsNoRequest() throws Exception {
        Load load = new Load(cache);
        load.start(4);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.reads.get() > 500);

            REDIS.kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine().l2State() == L2State.DOWN);
            long readsAtOutage = load.reads.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.reads.get() > readsAtOutage + 500
                    && load.invalidations.get() > 20);
            RestAssured.get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'CMS cache' }.data.l2", equalTo("down"));

            REDIS.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> engine().l2State() == L2State.UP);
            long readsAtRecovery = load.reads.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.reads.get() > readsAtRecovery + 500);
            // The editor keeps invalidating: one that meets a connection reset right after the restart is replayed on
            // the next tick, and the state is degraded until then.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> RestAssured.get("/q/health/ready").then()
                    .statusCode(200).body("checks.find { it.name == 'CMS cache' }.data.l2", equalTo("up")));
        } finally {
            load.stop();
        }
        assertEquals(List.of(), load.failures, () -> "no caller saw an exception; the first: " + stackTrace(load.failures));
        assertEquals(List.of(), load.wrongValues, "every value was the current one");
        assertTrue(cache.stats("pages").l2Errors() > 0);
    }

    @Test
    void invalidationDuringAnOutageReachesTheOtherInstanceAfterRecovery() {
        CmsCacheEngine other = instances.start();
        try {
            AtomicReference<String> block = new AtomicReference<>("footer v1");
            assertEquals("<home>footer v1</home>", home(cache, block));
            assertEquals("<home>footer v1</home>", home(other, block), "from Redis, now in the other's L1 too");

            REDIS.kill();
            block.set("footer v2");
            cache.invalidate("block", "footer");
            assertEquals("<home>footer v2</home>", home(cache, block), "this instance evicted at once");

            REDIS.start();
            // The other instance hears of it once Redis is back: replayed, published, or found in the log.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "<home>footer v2</home>".equals(home(other, block)));
        } finally {
            other.close();
        }
    }

    @Test
    void redisBackWithoutItsDataMakesTheOtherInstancesDropTheirL1() {
        CmsCacheEngine other = instances.start();
        try {
            assertEquals("header v1", other.get("block", "header", String.class, () -> "header v1"));
            assertNotNull(other.region("block").l1().get("block:header"));

            // Whatever was invalidated just before, Redis no longer knows: the other instance cannot tell what it
            // missed, and must not trust its L1.
            REDIS.kill();
            REDIS.restartEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> other.region("block").l1().get("block:header") == null);
            assertEquals("header v2", other.get("block", "header", String.class, () -> "header v2"));
        } finally {
            other.close();
        }
    }

    @Test
    void stalledRedisAddsBoundedLatencyAndNoError() {
        long errorsBefore = cache.stats("pages").l2Errors();
        REDIS.pause(Duration.ofSeconds(3));
        // Redis answers nothing for 3 s: reads give up after l2.timeout and load, writes fill L1 only.
        assertEquals("stalled v1", cache.get("pages", "stalled", String.class, () -> "stalled v1"));
        assertEquals("stalled v1", cache.get("pages", "stalled", String.class, () -> "stalled v2"), "from L1");
        cache.invalidate("pages", "stalled");
        assertEquals("stalled v3", cache.get("pages", "stalled", String.class, () -> "stalled v3"));
        assertTrue(cache.stats("pages").l2Errors() > errorsBefore);
    }

    private static String stackTrace(List<Throwable> failures) {
        if (failures.isEmpty()) {
            return "none";
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        failures.get(0).printStackTrace(new java.io.PrintWriter(trace));
        return trace.toString();
    }

    private static String home(CmsCache instance, AtomicReference<String> block) {
        return instance.get("rendered", "home", String.class,
                () -> "<home>" + instance.get("block", "footer", String.class, block::get) + "</home>");
    }

    /**
     * Readers on a small set of pages, and an editor invalidating one of them now and then; every read checks that it
     * got the page's current version.
     */
    static final class Load {
        static final int PAGES = 20;
        final CmsCache cache;
        final AtomicLong reads = new AtomicLong();
        final AtomicInteger invalidations = new AtomicInteger();
        final ConcurrentHashMap<Integer, AtomicInteger> versions = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Integer, AtomicInteger> invalidated = new ConcurrentHashMap<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final List<String> wrongValues = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();

        Load(CmsCache cache) {
            this.cache = cache;
            for (int i = 0; i < PAGES; i++) {
                versions.put(i, new AtomicInteger());
                invalidated.put(i, new AtomicInteger());
            }
        }

        void start(int readers) {
            for (int r = 0; r < readers; r++) {
                threads.add(new Thread(this::read, "reader-" + r));
            }
            threads.add(new Thread(this::edit, "editor"));
            threads.forEach(Thread::start);
        }

        /**
         * Readers only, for another instance that watches the edits of {@code editing}, loading the versions it sets
         * (what it serves is not checked: it hears of an edit a few milliseconds after it returned).
         */
        void startReaders(int readers, Load editing) {
            for (int r = 0; r < readers; r++) {
                threads.add(new Thread(() -> readOnly(editing), "watcher-" + r));
            }
            threads.forEach(Thread::start);
        }

        void readOnly(Load editing) {
            while (running.get()) {
                int page = ThreadLocalRandom.current().nextInt(PAGES);
                try {
                    cache.get("pages", "page-" + page, String.class,
                            () -> "page-" + page + " v" + editing.versions.get(page).get());
                    reads.incrementAndGet();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        }

        void read() {
            while (running.get()) {
                int page = ThreadLocalRandom.current().nextInt(PAGES);
                try {
                    // Once invalidate() has returned, no read may give an older version.
                    int floor = invalidated.get(page).get();
                    String value = cache.get("pages", "page-" + page, String.class,
                            () -> "page-" + page + " v" + versions.get(page).get());
                    int version = Integer.parseInt(value.substring(value.indexOf(" v") + 2));
                    if (version < floor) {
                        wrongValues.add(value + " after v" + floor);
                    }
                    reads.incrementAndGet();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        }

        void edit() {
            while (running.get()) {
                int page = ThreadLocalRandom.current().nextInt(PAGES);
                try {
                    int version = versions.get(page).incrementAndGet();
                    cache.invalidate("pages", "page-" + page);
                    invalidated.get(page).set(version);
                    invalidations.incrementAndGet();
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
        }
    }
}
