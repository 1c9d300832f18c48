package io.quarkiverse.cmscache.runtime.l1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;

import org.junit.jupiter.api.Test;

import io.quarkiverse.cmscache.runtime.config.RegionSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;

/**
 * The global L1 budget decides from what the regions really hold. Caffeine counts a write towards a region's weight
 * only when its maintenance runs, which it hands to the common pool; on a busy machine that runs late. A budget that
 * read the weight before then would take full regions for empty ones and let them grow past it.
 */
class L1BudgetTest {

    static final long BUDGET = 64 * 1024;

    final TagIndex index = new TagIndex();
    final L1Region pages = new L1Region(weighted("pages"), index, (entry, cause) -> {
    });
    final L1Region blocks = new L1Region(weighted("blocks"), index, (entry, cause) -> {
    });
    final L1Budget budget = new L1Budget(BUDGET, () -> List.of(pages, blocks));

    static RegionSettings weighted(String name) {
        return new RegionSettings(name, 0, 1 << 20, Duration.ofMinutes(5), 0, false, Duration.ofHours(1), true,
                1 << 20, 0.2, Duration.ZERO, Duration.ZERO, 0, true, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    static Entry kilobyte(String region, String key) {
        String[] tags = Entry.tags(key, region, List.of());
        return new Entry(key, region, "x".repeat(1000), tags, 0, System.currentTimeMillis(), 1000, 0,
                Entry.epochs(tags.length, 0), null);
    }

    @Test
    void aRebalanceWhileCaffeineMaintenanceIsLateStillKeepsTheRegionsWithinTheBudget() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        int busy = ForkJoinPool.commonPool().getParallelism();
        CountDownLatch occupied = new CountDownLatch(busy);
        for (int i = 0; i < busy; i++) {
            ForkJoinPool.commonPool().execute(() -> {
                occupied.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            occupied.await();
            // The common pool is busy: the regions' maintenance waits, as it does on a loaded machine.
            for (int i = 0; i < 150; i++) {
                pages.fill(kilobyte("pages", "pages:" + i), entry -> true);
                blocks.fill(kilobyte("blocks", "blocks:" + i), entry -> true);
            }
            budget.rebalance();
            pages.cleanUp();
            blocks.cleanUp();

            assertTrue(pages.weight() + blocks.weight() <= BUDGET,
                    () -> "pages " + pages.weight() + " + blocks " + blocks.weight() + " > " + BUDGET);
        } finally {
            release.countDown();
        }
    }
}
