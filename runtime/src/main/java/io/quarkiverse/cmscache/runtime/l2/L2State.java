package io.quarkiverse.cmscache.runtime.l2;

/**
 * How the second level is doing, as the health check and the inspector report it.
 */
public enum L2State {
    /** Redis answers and invalidations flow. */
    UP,
    /**
     * Redis answers, but the cache is catching up: the invalidation subscription is being re-established or checked
     * (Redis entries are not used meanwhile), or invalidations made during an outage are still to be replayed.
     */
    DEGRADED,
    /**
     * The circuit breaker is open, or half-open with its probe not yet answered: the cache serves from L1 and the
     * loaders without calling Redis.
     */
    DOWN,
    /**
     * Redis answers, but runs with an eviction policy that may drop the cache's metadata ({@code allkeys-*} with a
     * memory limit): entries are cached in L1 only, and invalidations still reach every instance.
     */
    REFUSED,
    /** L2 is turned off. */
    OFF
}
