package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Stale-while-revalidate serves an entry past its L1 life while one background reload runs; stale-if-error serves
 * the last value when its reload fails; neither ever serves an entry that was invalidated. Both are off by default.
 */
public class StaleServingTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"swr\".l1.expire-after-write", "200ms")
            .overrideConfigKey("quarkus.cms-cache.regions.\"swr\".refresh-ahead", "0")
            .overrideConfigKey("quarkus.cms-cache.regions.\"swr\".stale-while-revalidate", "1H")
            .overrideConfigKey("quarkus.cms-cache.regions.\"sie\".l1.expire-after-write", "200ms")
            .overrideConfigKey("quarkus.cms-cache.regions.\"sie\".refresh-ahead", "0")
            .overrideConfigKey("quarkus.cms-cache.regions.\"sie\".stale-if-error", "1H")
            .overrideConfigKey("quarkus.cms-cache.regions.\"plain\".l1.expire-after-write", "200ms")
            .overrideConfigKey("quarkus.cms-cache.regions.\"plain\".refresh-ahead", "0")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Latches.class));

    @Inject
    CmsCache cache;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @Test
    void staleWhileRevalidateServesTheOldValueWhileOneReloadRuns() {
        AtomicInteger loads = new AtomicInteger();
        AtomicReference<CountDownLatch> hold = new AtomicReference<>();
        Supplier<String> loader = () -> {
            int n = loads.incrementAndGet();
            CountDownLatch latch = hold.get();
            if (latch != null) {
                Latches.await(latch);
            }
            return "menu v" + n;
        };
        assertEquals("menu v1", cache.get("swr", "menu", String.class, loader));
        CountDownLatch release = new CountDownLatch(1);
        hold.set(release);
        // Past its 200 ms life, but within stale-while-revalidate.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            assertEquals("menu v1", cache.get("swr", "menu", String.class, loader));
            return loads.get() == 2;
        });

        for (int i = 0; i < 20; i++) {
            assertEquals("menu v1", cache.get("swr", "menu", String.class, loader), "served stale, at once");
        }
        assertEquals(2, loads.get(), "one reload for all the stale reads");
        assertEquals(java.util.Set.of("swr:menu"), engine().refresher().running());
        assertTrue(cache.stats("swr").staleServed() >= 20);
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> "menu v2".equals(cache.get("swr", "menu", String.class,
                loader)));
    }

    @Test
    void staleWhileRevalidateNeverServesAnInvalidatedEntry() {
        AtomicInteger loads = new AtomicInteger();
        Supplier<String> loader = () -> "footer v" + loads.incrementAndGet();
        assertEquals("footer v1", cache.get("swr", "footer", String.class, loader));
        cache.invalidate("swr", "footer");
        assertEquals("footer v2", cache.get("swr", "footer", String.class, loader));
    }

    @Test
    void staleIfErrorServesTheLastValueWhenTheReloadFails() {
        AtomicReference<String> source = new AtomicReference<>("prices v1");
        Supplier<String> loader = failingWhileEmpty(source);
        assertEquals("prices v1", cache.get("sie", "prices", String.class, loader));
        source.set(null);
        engine().l2().delete("sie:prices").await().indefinitely();

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            assertEquals("prices v1", cache.get("sie", "prices", String.class, loader));
            return cache.stats("sie").loadFailures() >= 1;
        });
        assertEquals("prices v1", cache.get("sie", "prices", String.class, loader), "the last value, not the error");
        assertTrue(cache.stats("sie").staleServed() >= 1);

        source.set("prices v2");
        assertEquals("prices v2", cache.get("sie", "prices", String.class, loader), "reloaded once the loader works");
    }

    @Test
    void staleIfErrorNeverServesAnInvalidatedEntry() {
        AtomicReference<String> source = new AtomicReference<>("stock v1");
        Supplier<String> loader = failingWhileEmpty(source);
        assertEquals("stock v1", cache.get("sie", "stock", String.class, loader));
        source.set(null);
        cache.invalidate("sie", "stock");
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> cache.get("sie", "stock", String.class, loader));
        assertEquals("database down", failure.getMessage());
    }

    @Test
    void withoutStaleServingAFailedReloadReachesTheCaller() {
        AtomicReference<String> source = new AtomicReference<>("tags v1");
        Supplier<String> loader = failingWhileEmpty(source);
        assertEquals("tags v1", cache.get("plain", "tags", String.class, loader));
        source.set(null);
        engine().l2().delete("plain:tags").await().indefinitely();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThrows(IllegalStateException.class,
                () -> cache.get("plain", "tags", String.class, loader)));
        assertEquals(0, cache.stats("plain").staleServed());
    }

    /** A loader reading its value from a source that fails, as a database that is down, while the source is empty. */
    private static Supplier<String> failingWhileEmpty(AtomicReference<String> source) {
        return () -> {
            String value = source.get();
            if (value == null) {
                throw new IllegalStateException("database down");
            }
            return value;
        };
    }
}
