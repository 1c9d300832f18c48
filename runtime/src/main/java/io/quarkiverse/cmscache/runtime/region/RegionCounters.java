package io.quarkiverse.cmscache.runtime.region;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.runtime.l1.L1Region;

/**
 * The counters behind {@link RegionStats}. Thread-safe and cheap to increment.
 */
final class RegionCounters {

    final LongAdder l1Hits = new LongAdder();
    final LongAdder l1Misses = new LongAdder();
    final LongAdder l2Hits = new LongAdder();
    final LongAdder l2Misses = new LongAdder();
    final LongAdder loads = new LongAdder();
    final LongAdder loadFailures = new LongAdder();
    final LongAdder loadNanos = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder expirations = new LongAdder();
    final LongAdder invalidations = new LongAdder();
    final LongAdder staleWritesRejected = new LongAdder();
    final LongAdder oversizeSkipped = new LongAdder();
    final LongAdder corruptEntries = new LongAdder();
    final LongAdder l2Errors = new LongAdder();
    final LongAdder staleServed = new LongAdder();
    final LongAdder refreshes = new LongAdder();
    final LongAdder refreshFailures = new LongAdder();
    final LongAdder leaseWaits = new LongAdder();

    void loaded(long nanos, boolean failed) {
        (failed ? loadFailures : loads).increment();
        loadNanos.add(nanos);
    }

    RegionStats snapshot(String region, L1Region l1) {
        return new RegionStats(region, l1Hits.sum(), l1Misses.sum(), l2Hits.sum(), l2Misses.sum(), loads.sum(),
                loadFailures.sum(), Duration.ofNanos(loadNanos.sum()), evictions.sum(), invalidations.sum(),
                staleWritesRejected.sum(), oversizeSkipped.sum(), corruptEntries.sum(), l2Errors.sum(),
                staleServed.sum(), refreshes.sum(), refreshFailures.sum(), leaseWaits.sum(), l1.size(), l1.weight());
    }
}
