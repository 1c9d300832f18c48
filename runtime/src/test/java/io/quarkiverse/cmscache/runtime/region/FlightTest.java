package io.quarkiverse.cmscache.runtime.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.config.RegionSettings;
import io.quarkiverse.cmscache.runtime.config.TestSettings;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.Invalidator;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkus.runtime.BlockingOperationControl;
import io.quarkus.runtime.IOThreadDetector;
import io.smallrye.mutiny.Uni;

/**
 * Concurrent misses of one key share one load (a flight), and sharing never hangs: a reader waits for another's load
 * at most {@code stampede.max-wait}, a wait that would close a cycle fails at once, and invalidations of tags the
 * load does not depend on do not stop readers from sharing it.
 */
class FlightTest {

    static {
        // Outside a Quarkus application no thread is an I/O thread.
        BlockingOperationControl.setIoThreadDetector(new IOThreadDetector[0]);
    }

    static RegionSettings region(String name, Duration maxWait) {
        RegionSettings d = TestSettings.region(name);
        return new RegionSettings(name, 10_000, 0, d.l1ExpireAfterWrite(), 0, false, d.l2Ttl(), true,
                d.maxValueSize(), 0.0, Duration.ZERO, Duration.ZERO, 0, false, maxWait, d.stampedeLeaseTtl());
    }

    final EngineSettings settings = TestSettings.engine(region("page", Duration.ofMillis(300)),
            region("a", Duration.ofSeconds(30)), region("b", Duration.ofSeconds(30)),
            region("block", Duration.ofSeconds(30)));
    final TagIndex index = new TagIndex();
    final TagVersions versions = new TagVersions(Duration.ofHours(1), Duration.ofSeconds(1));
    final Regions regions = new Regions(settings, index, versions, null, new EntryCodec(new ObjectMapper()),
            AfterCommit.NONE, new Refresher(null), null, "test");
    final Invalidator invalidator = new Invalidator(regions, index, versions, null, AfterCommit.NONE, "test",
            100, List.of());
    final ExecutorService pool = Executors.newCachedThreadPool();
    final CountDownLatch endOfTest = new CountDownLatch(1);

    @AfterEach
    void stop() {
        endOfTest.countDown();
        pool.shutdownNow();
    }

    @Test
    void aLoaderThatNeverReturnsHoldsOtherReadersOnlyUntilTheMaximumWait() throws Exception {
        Region pages = regions.get("page");
        CountDownLatch hanging = new CountDownLatch(1);
        pool.submit(() -> pages.get("page:home", String.class, Loader.of(() -> {
            hanging.countDown();
            endOfTest.await();
            return "never";
        })));
        assertTrue(hanging.await(10, TimeUnit.SECONDS));

        Future<Object> reader = pool.submit(() -> pages.get("page:home", String.class, Loader.of(() -> "home")));

        assertEquals("home", reader.get(10, TimeUnit.SECONDS),
                "the reader loads by itself once it has waited stampede.max-wait (300 ms)");
    }

    @Test
    void twoEntriesThatReadEachOtherFromTwoThreadsFailNamingBothInsteadOfDeadlocking() throws Exception {
        Region a = regions.get("a");
        Region b = regions.get("b");
        CountDownLatch bothStarted = new CountDownLatch(2);
        Future<Object> first = pool.submit(() -> a.get("a:1", String.class, Loader.of(() -> {
            bothStarted.countDown();
            bothStarted.await();
            return "a(" + b.get("b:1", String.class, Loader.of(() -> "b alone")) + ")";
        })));
        Future<Object> second = pool.submit(() -> b.get("b:1", String.class, Loader.of(() -> {
            bothStarted.countDown();
            bothStarted.await();
            return "b(" + a.get("a:1", String.class, Loader.of(() -> "a alone")) + ")";
        })));

        List<String> failures = new ArrayList<>();
        for (Future<Object> read : List.of(first, second)) {
            try {
                read.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failures.add(e.getCause().getMessage());
            }
        }
        assertTrue(failures.stream().anyMatch(m -> m.contains("a:1") && m.contains("b:1")
                && m.contains("read each other")), "an error names both keys: " + failures);
    }

    @Test
    void twoHundredMissesShareOneLoadWhileUnrelatedTagsAreInvalidated() throws Exception {
        Region blocks = regions.get("block");
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Loader loader = Loader.of(() -> {
            loads.incrementAndGet();
            release.await(10, TimeUnit.SECONDS);
            return "header";
        });
        AtomicBoolean editing = new AtomicBoolean(true);
        Future<?> edits = pool.submit(() -> {
            for (int n = 0; editing.get(); n++) {
                invalidator.applyLocally(List.of("block:other" + n % 50));
            }
        });
        CountDownLatch asked = new CountDownLatch(200);
        List<Future<Object>> readers = new ArrayList<>();
        List<Thread> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 200; i++) {
            readers.add(pool.submit(() -> {
                threads.add(Thread.currentThread());
                asked.countDown();
                return blocks.get("block:header", String.class, loader);
            }));
        }
        assertTrue(asked.await(10, TimeUnit.SECONDS));
        // Every reader is inside get(): waiting for the one load, or (if the code were wrong) loading itself.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !allWaiting(threads)) {
            Thread.onSpinWait();
        }
        release.countDown();
        for (Future<Object> reader : readers) {
            assertEquals("header", reader.get(10, TimeUnit.SECONDS));
        }
        editing.set(false);
        edits.get(10, TimeUnit.SECONDS);

        assertEquals(1, loads.get(), "the loader ran once for 200 concurrent misses");
    }

    @Test
    void aReaderThatStopsWaitingLeavesTheSharedLoadToTheOthers() throws Exception {
        Region blocks = regions.get("block");
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> first = pool.submit(() -> blocks.get("block:footer", String.class, Loader.of(() -> {
            loading.countDown();
            release.await(10, TimeUnit.SECONDS);
            return "footer";
        })));
        assertTrue(loading.await(10, TimeUnit.SECONDS));

        // A non-blocking reader joins the load, then its caller goes away (a timeout, a closed connection).
        AtomicBoolean loadedByItself = new AtomicBoolean();
        AsyncLoader ownLoad = new AsyncLoader() {
            @Override
            public Uni<?> get() {
                loadedByItself.set(true);
                return Uni.createFrom().item("footer loaded by the reader that left");
            }

            @Override
            public Recipe recipe() {
                return null;
            }
        };
        Object gaveUp = blocks.getAsync("block:footer", String.class, ownLoad, null)
                .ifNoItem().after(Duration.ofMillis(200)).recoverWithItem("gave up")
                .await().atMost(Duration.ofSeconds(10));
        assertEquals("gave up", gaveUp);
        assertFalse(loadedByItself.get(), "the reader that left had joined the shared load");
        // The block changes while it loads: the load's outcome is not stored, so nothing in L1 can stand in for it.
        invalidator.applyLocally(List.of("block:footer"));
        release.countDown();

        assertEquals("footer", first.get(10, TimeUnit.SECONDS),
                "the reader that started the load gets its outcome, not the CancellationException of the one that left");
    }

    private static boolean allWaiting(List<Thread> threads) {
        synchronized (threads) {
            for (Thread thread : List.copyOf(threads)) {
                Thread.State state = thread.getState();
                if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
                    return false;
                }
            }
            return true;
        }
    }
}
