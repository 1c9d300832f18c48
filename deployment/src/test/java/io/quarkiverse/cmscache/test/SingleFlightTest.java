package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.RegionStats;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Concurrent misses of one key in one instance run the loader once; a failure reaches every waiting reader and is not
 * cached; a loader that reads its own entry fails clearly instead of deadlocking.
 */
public class SingleFlightTest {

    static final int READERS = 16;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Pages.class));

    @Inject
    Pages pages;

    @Inject
    CmsCache cache;

    @Test
    void concurrentMissesLoadOnce() throws Exception {
        RegionStats before = cache.stats("page");
        CountDownLatch gate = pages.hold();
        ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
        List<Thread> readers = startReaders(() -> results.add(pages.render("crowded")));

        awaitAllBlocked(readers);
        gate.countDown();
        join(readers);

        assertEquals(1, pages.loads("crowded"), "one load for " + READERS + " concurrent misses");
        assertEquals(READERS, results.size());
        Object first = results.peek();
        results.forEach(r -> assertSame(first, r, "every reader got the one loaded value"));
        RegionStats after = cache.stats("page");
        assertEquals(READERS, after.l1Misses() - before.l1Misses());
        assertEquals(1, after.loads() - before.loads());
        assertEquals(1, after.l2Misses() - before.l2Misses(), "one Redis read for all readers");
    }

    @Test
    void failureReachesEveryWaitingReaderAndIsNotCached() throws Exception {
        CountDownLatch gate = pages.hold();
        pages.failNextLoad();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = startReaders(() -> {
            try {
                pages.render("broken");
            } catch (IllegalStateException e) {
                failures.add(e);
            }
        });

        awaitAllBlocked(readers);
        gate.countDown();
        join(readers);

        assertEquals(READERS, failures.size());
        failures.forEach(f -> assertEquals("origin down", f.getMessage()));
        assertEquals(1, pages.loads("broken"));
        pages.noGate();
        assertEquals("<broken #2>", pages.render("broken"), "the failure was not cached");
    }

    @Test
    void loaderReadingItsOwnEntryFailsWithTheChain() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.get("page", "loop",
                String.class, () -> cache.get("page", "loop", String.class, () -> "never")));
        assertTrue(e.getMessage().contains("page:loop is read while it is being computed"), e.getMessage());
    }

    private List<Thread> startReaders(Runnable read) {
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            Thread reader = new Thread(read, "reader-" + i);
            readers.add(reader);
            reader.start();
        }
        return readers;
    }

    /** Waits until the loader holds the gate and every other reader waits for its flight. */
    private static void awaitAllBlocked(List<Thread> readers) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> readers.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING));
    }

    private static void join(List<Thread> readers) throws InterruptedException {
        for (Thread reader : readers) {
            reader.join(10_000);
        }
    }

    @ApplicationScoped
    static class Pages {
        final java.util.Map<String, AtomicInteger> loads = new java.util.concurrent.ConcurrentHashMap<>();
        volatile CountDownLatch gate;
        volatile boolean failNext;

        @CmsCached(region = "page")
        Object render(String id) {
            int n = loads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("origin down");
            }
            return "<" + id + " #" + n + ">";
        }

        int loads(String id) {
            return loads.getOrDefault(id, new AtomicInteger()).get();
        }

        CountDownLatch hold() {
            gate = new CountDownLatch(1);
            return gate;
        }

        void noGate() {
            gate = null;
        }

        void failNextLoad() {
            failNext = true;
        }
    }
}
