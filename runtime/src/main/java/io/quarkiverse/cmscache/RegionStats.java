package io.quarkiverse.cmscache;

import java.time.Duration;

/**
 * A snapshot of one region's counters since start-up, in this instance.
 *
 * @param region the region name
 * @param l1Hits reads answered from this instance's memory
 * @param l1Misses reads not found in L1
 * @param l2Hits L1 misses answered from Redis
 * @param l2Misses L1 misses not found in Redis (or Redis not consulted because of an error)
 * @param loads loader invocations that returned a value
 * @param loadFailures loader invocations that threw
 * @param loadTime total time spent in loaders
 * @param evictions L1 entries dropped because of the region's size bound or expiry
 * @param invalidations entries evicted from this instance's L1 by invalidations
 * @param staleWritesRejected loaded values not stored because a tag they depend on was invalidated during the load
 * @param oversizeSkipped values served but not stored because they exceed the region's {@code max-value-size}
 * @param corruptEntries Redis values that no longer deserialize; each was treated as a miss and deleted
 * @param l2Errors Redis commands of this region that failed, timed out or were not sent (circuit breaker open, or
 *        Redis's entries not trusted while the invalidation subscription is down or being checked)
 * @param staleServed reads answered with an entry past its L1 lifetime (stale-while-revalidate, stale-if-error)
 * @param refreshes background refreshes that reloaded an entry
 * @param refreshFailures background refreshes whose loader failed (the current value was kept)
 * @param leaseWaits misses that waited for another instance to load the entry (stampede protection)
 * @param l1Entries entries in L1 now
 * @param l1Weight estimated bytes in L1 now (for byte-bounded regions, else 0)
 */
public record RegionStats(String region, long l1Hits, long l1Misses, long l2Hits, long l2Misses, long loads,
        long loadFailures, Duration loadTime, long evictions, long invalidations, long staleWritesRejected,
        long oversizeSkipped, long corruptEntries, long l2Errors, long staleServed, long refreshes,
        long refreshFailures, long leaseWaits, long l1Entries, long l1Weight) {

    /**
     * @return the share of reads answered by L1 or L2, between 0 and 1 (0 when nothing was read)
     */
    public double hitRatio() {
        long reads = l1Hits + l1Misses;
        return reads == 0 ? 0 : (double) (l1Hits + l2Hits) / reads;
    }
}
