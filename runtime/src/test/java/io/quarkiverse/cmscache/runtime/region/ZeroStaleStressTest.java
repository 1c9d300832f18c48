package io.quarkiverse.cmscache.runtime.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.config.RegionSettings;
import io.quarkiverse.cmscache.runtime.config.TestSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.Invalidator;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkiverse.cmscache.runtime.tags.Computation;
import io.quarkus.runtime.BlockingOperationControl;
import io.quarkus.runtime.IOThreadDetector;

/**
 * The L1 side of rules 2 and 3 under real concurrency, with no hook in the code: many threads fill L1 while others
 * invalidate, and the invariants are checked, not timings. Each test is bounded to a few seconds.
 * <ul>
 * <li>Once {@code invalidate(T)} has returned, no L1 entry carries T (unless its load began after the invalidation),
 * and every L1 entry is listed in the tag index under each of its tags.</li>
 * <li>Once {@code invalidate(T)} has returned, no reader is handed a value loaded before it, not even for an
 * instant, and no entry computed from such a value is stored.</li>
 * </ul>
 */
class ZeroStaleStressTest {

    static {
        // Outside a Quarkus application no thread is an I/O thread.
        BlockingOperationControl.setIoThreadDetector(new IOThreadDetector[0]);
    }

    static RegionSettings region(String name) {
        RegionSettings defaults = TestSettings.region(name);
        return new RegionSettings(name, 1_000_000, 0, defaults.l1ExpireAfterWrite(), 0, false, defaults.l2Ttl(), true,
                defaults.maxValueSize(), 0.0, Duration.ZERO, Duration.ZERO, 0, false, defaults.stampedeMaxWait(),
                defaults.stampedeLeaseTtl());
    }

    final EngineSettings settings = TestSettings.engine(region("page"), region("block"), region("rendered"));
    final TagIndex index = new TagIndex();
    final TagVersions versions = new TagVersions(Duration.ofHours(1), Duration.ofSeconds(1));
    final Regions regions = new Regions(settings, index, versions, null, new EntryCodec(new ObjectMapper()),
            AfterCommit.NONE, new Refresher(null), null, "test");
    final Invalidator invalidator = new Invalidator(regions, index, versions, null, AfterCommit.NONE, "test",
            100, List.of());

    @Test
    void noEntryOutlivesAnInvalidationOfATagItCarries() throws Exception {
        Region pages = regions.get("page");
        String shared = "block:shared";
        String[] dependencies = new String[40];
        for (int i = 0; i < dependencies.length; i++) {
            dependencies[i] = i == 20 ? shared : "block:b" + i;
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger loads = new AtomicInteger();
        List<Thread> loaders = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            loaders.add(new Thread(() -> {
                for (int n = 0; !stop.get() && n < 200_000; n++) {
                    try {
                        pages.get("page:" + thread + ":" + n, String.class, Loader.of(() -> {
                            Computation.addToCurrent(dependencies);
                            loads.incrementAndGet();
                            return "page";
                        }));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "loader-" + t));
        }
        Thread invalidating = new Thread(() -> {
            while (!stop.get()) {
                invalidator.applyLocally(List.of(shared));
            }
        }, "invalidating");
        loaders.forEach(Thread::start);
        invalidating.start();
        TimeUnit.SECONDS.sleep(3);
        stop.set(true);
        for (Thread thread : loaders) {
            thread.join(10_000);
        }
        invalidating.join(10_000);

        invalidator.applyLocally(List.of(shared));

        List<String> survivors = new ArrayList<>();
        List<String> unindexed = new ArrayList<>();
        java.util.Set<String> listed = new java.util.HashSet<>();
        index.forEach("block:b0", e -> listed.add(e.key()));
        for (String key : pages.l1().keys()) {
            Entry entry = pages.l1().get(key);
            if (entry == null) {
                continue;
            }
            if (entry.carries(shared)) {
                survivors.add(key);
            }
            if (!listed.contains(key)) {
                unindexed.add(key);
            }
        }
        assertTrue(loads.get() > 1000, "the loaders ran: " + loads.get());
        assertEquals(List.of(), survivors, "entries still carrying " + shared + " after its invalidation returned");
        assertEquals(List.of(), unindexed, "L1 entries missing from the tag index");
    }

    @Test
    void noReaderSeesAValueLoadedBeforeAnInvalidationThatReturned() throws Exception {
        Region blocks = regions.get("block");
        Region rendered = regions.get("rendered");
        String[] others = new String[40];
        for (int i = 0; i < others.length; i++) {
            others[i] = "menu:m" + i;
        }
        // Each round edits a block of its own: a load of it begins, the block is edited and invalidated, and only
        // then the round is published to the reader, which from then on must never see the old version, while the
        // load that began before the edit ends and tries to fill L1.
        AtomicInteger round = new AtomicInteger(-1);
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                int k = round.get();
                if (k < 0) {
                    continue;
                }
                String key = "block:r" + k;
                Entry seen = blocks.l1().get(key);
                if (seen != null && ("old-" + k).equals(seen.value())) {
                    violations.add(key + " served its old version after its invalidation returned");
                }
                try {
                    String html = (String) rendered.get("rendered:p" + k, String.class,
                            Loader.of(() -> "<" + blocks.get(key, String.class, Loader.of(() -> {
                                Computation.addToCurrent(others);
                                return "new-" + k;
                            })) + ">"));
                    if (html.equals("<old-" + k + ">")) {
                        violations.add("rendered:p" + k + " was made of the old " + key
                                + " after its invalidation returned");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }, "reader");
        reader.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int edits = 0;
        for (int k = 0; System.nanoTime() < deadline && k < 20_000; k++) {
            int thisRound = k;
            String key = "block:r" + k;
            CountDownLatch loaded = new CountDownLatch(1);
            CountDownLatch edited = new CountDownLatch(1);
            Thread slowLoad = new Thread(() -> {
                try {
                    blocks.get(key, String.class, Loader.of(() -> {
                        Computation.addToCurrent(others);
                        loaded.countDown();
                        edited.await(10, TimeUnit.SECONDS);
                        return "old-" + thisRound;
                    }));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "slow-load");
            slowLoad.start();
            assertTrue(loaded.await(10, TimeUnit.SECONDS), "nobody else reads " + key + " yet");
            invalidator.applyLocally(List.of(key));
            round.set(k);
            edited.countDown();
            slowLoad.join(10_000);
            edits++;
        }
        stop.set(true);
        reader.join(10_000);

        assertTrue(edits > 100, "edits made: " + edits);
        List<String> seen = List.copyOf(violations);
        assertEquals(List.of(), seen.subList(0, Math.min(5, seen.size())), seen.size() + " violations");
    }
}
