package io.quarkiverse.cmscache.runtime.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.config.RegionSettings;
import io.quarkiverse.cmscache.runtime.config.TestSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkiverse.cmscache.runtime.region.Refresher;
import io.quarkiverse.cmscache.runtime.region.Region;
import io.quarkiverse.cmscache.runtime.region.Regions;
import io.quarkus.runtime.BlockingOperationControl;
import io.quarkus.runtime.IOThreadDetector;

/**
 * The invalidating caller and the pub/sub echo of its own message apply the same invalidation at the same time. The
 * caller must not return while an entry carrying the tag is still in L1, whichever thread gets to it first.
 * <p>
 * The race is forced: a third thread holds the map bin of one entry, so the echo stalls in the middle of its eviction;
 * then the caller applies the same tag.
 */
class ConcurrentApplicationTest {

    final RegionSettings pages = TestSettings.region("page");
    final EngineSettings settings = TestSettings.engine(pages);
    final TagIndex index = new TagIndex();
    final TagVersions versions = new TagVersions(Duration.ofHours(1), Duration.ofSeconds(1));
    final Regions regions = new Regions(settings, index, versions, null, new EntryCodec(new ObjectMapper()),
            AfterCommit.NONE, new Refresher(null), null, "test");
    final Invalidator invalidator = new Invalidator(regions, index, versions, null, AfterCommit.NONE, "test",
            100, List.of());

    static {
        // Outside a Quarkus application no thread is an I/O thread.
        BlockingOperationControl.setIoThreadDetector(new IOThreadDetector[0]);
    }

    @Test
    void callerReturnsOnlyWhenEveryEntryCarryingTheTagIsGone() throws Exception {
        Region region = regions.get("page");
        for (String page : List.of("page:a", "page:b", "page:c")) {
            region.put(page, "<" + page + ">", List.of("block:header"));
        }
        assertNotNull(region.l1().get("page:b"));

        CountDownLatch binHeld = new CountDownLatch(1);
        CountDownLatch releaseBin = new CountDownLatch(1);
        Thread holder = new Thread(() -> region.l1().holdWhile("page:b", () -> {
            binHeld.countDown();
            await(releaseBin);
        }), "bin-holder");
        holder.start();
        await(binHeld);

        Thread echo = new Thread(() -> invalidator.applyLocally(List.of("block:header")), "echo");
        echo.start();
        awaitState(echo, Thread.State.BLOCKED);

        AtomicReference<Entry> leftWhenCallerReturned = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            invalidator.applyLocally(List.of("block:header"));
            leftWhenCallerReturned.set(region.l1().get("page:b"));
        }, "caller");
        caller.start();
        awaitState(caller, Thread.State.BLOCKED, Thread.State.TERMINATED);

        releaseBin.countDown();
        for (Thread t : List.of(holder, echo, caller)) {
            t.join(10_000);
        }
        assertNull(leftWhenCallerReturned.get(), "the caller returned while page:b was still cached");
        assertEquals(0, region.l1().size());
        assertEquals(3, region.stats().invalidations());
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void awaitState(Thread thread, Thread.State... states) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (Thread.State state : states) {
                if (thread.getState() == state) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(thread.getName() + " is " + thread.getState());
    }
}
