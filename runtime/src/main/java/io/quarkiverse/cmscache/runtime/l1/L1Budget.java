package io.quarkiverse.cmscache.runtime.l1;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * Keeps the estimated bytes of all regions' L1 within {@code quarkus.cms-cache.l1.max-memory}: when the regions hold
 * more, each region's bound shrinks in proportion to what it holds, and Caffeine evicts its least valuable entries;
 * when they hold less, the bounds grow back towards their configured values. Run every second by the engine.
 */
public final class L1Budget {

    private static final long MINIMUM = 16 * 1024;

    private final long budget;
    private final Supplier<Collection<L1Region>> regions;

    public L1Budget(long budget, Supplier<Collection<L1Region>> regions) {
        this.budget = budget;
        this.regions = regions;
    }

    public void rebalance() {
        Collection<L1Region> all = regions.get();
        if (all.isEmpty()) {
            return;
        }
        long total = 0;
        for (L1Region region : all) {
            // Caffeine counts a write towards the weight only once its maintenance has run, which it hands to the
            // common pool: on a busy machine, late. Run it here, so that the shares come from what is really held.
            region.cleanUp();
            total += region.weight();
        }
        if (total > budget) {
            for (L1Region region : all) {
                long share = (long) ((double) region.weight() / total * budget);
                region.setMaximumWeight(Math.max(MINIMUM, Math.min(share, region.configuredMaximumWeight())));
            }
        } else {
            long spare = (budget - total) / all.size();
            for (L1Region region : all) {
                region.setMaximumWeight(Math.min(region.configuredMaximumWeight(), region.maximumWeight() + spare));
            }
        }
    }

    public long budget() {
        return budget;
    }
}
