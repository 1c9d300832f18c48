package io.quarkiverse.cmscache.runtime.config;

import java.time.Duration;

/**
 * The resolved settings of one region: its overrides applied on top of the defaults, validated.
 *
 * @param name the region name
 * @param l1MaximumSize the most entries in L1, when {@code l1MaximumWeight} is 0
 * @param l1MaximumWeight the most estimated bytes in L1, or 0 to bound by entries
 * @param l1ExpireAfterWrite how long an entry is fresh in L1
 * @param l1MaxValueSize values larger than this (estimated bytes) skip L1; 0 for no limit
 * @param l2Enabled whether entries go to Redis
 * @param l2Ttl Redis lifetime of an entry
 * @param negativeCaching whether {@code null} results are cached
 * @param maxValueSize the largest value cached, in bytes
 * @param refreshAhead the last share of the L1 lifetime in which a read triggers a background refresh; 0 for none
 * @param staleWhileRevalidate how long after its lifetime an entry is served while it is reloaded
 * @param staleIfError how long after its lifetime an entry is served when its reload fails
 * @param earlyExpirationBeta the XFetch beta; 0 for no probabilistic early expiration
 * @param stampedeLease whether misses in both levels take a lease so that one instance loads
 * @param stampedeMaxWait how long instances without the lease wait for the value
 * @param stampedeLeaseTtl how long a lease lasts at most
 */
public record RegionSettings(String name, long l1MaximumSize, long l1MaximumWeight, Duration l1ExpireAfterWrite,
        long l1MaxValueSize, boolean l2Enabled, Duration l2Ttl, boolean negativeCaching, long maxValueSize,
        double refreshAhead, Duration staleWhileRevalidate, Duration staleIfError, double earlyExpirationBeta,
        boolean stampedeLease, Duration stampedeMaxWait, Duration stampedeLeaseTtl) {

    /**
     * @return whether L1 is bounded by estimated bytes rather than by entries
     */
    public boolean weighted() {
        return l1MaximumWeight > 0;
    }

    /**
     * @return how long L1 keeps an entry at all: its lifetime, plus the time it may still be served stale
     */
    public Duration l1Retention() {
        Duration stale = staleWhileRevalidate.compareTo(staleIfError) >= 0 ? staleWhileRevalidate : staleIfError;
        return l1ExpireAfterWrite.plus(stale);
    }

    /**
     * @return the same settings under another name
     */
    RegionSettings named(String other) {
        return new RegionSettings(other, l1MaximumSize, l1MaximumWeight, l1ExpireAfterWrite, l1MaxValueSize, l2Enabled,
                l2Ttl, negativeCaching, maxValueSize, refreshAhead, staleWhileRevalidate, staleIfError,
                earlyExpirationBeta, stampedeLease, stampedeMaxWait, stampedeLeaseTtl);
    }

    /**
     * @return the same settings bounded by bytes, for a global L1 budget
     */
    RegionSettings weightedWithin(long budget) {
        long weight = l1MaximumWeight > 0 ? Math.min(l1MaximumWeight, budget)
                : Math.min(budget, l1MaximumSize * 1024);
        return new RegionSettings(name, l1MaximumSize, weight, l1ExpireAfterWrite, l1MaxValueSize, l2Enabled, l2Ttl,
                negativeCaching, maxValueSize, refreshAhead, staleWhileRevalidate, staleIfError, earlyExpirationBeta,
                stampedeLease, stampedeMaxWait, stampedeLeaseTtl);
    }
}
