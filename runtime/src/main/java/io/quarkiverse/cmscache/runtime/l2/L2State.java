package io.quarkiverse.cmscache.runtime.l2;

/**
 * How the second level is doing, as the health check and the inspector report it.
 */
public enum L2State {
    /** Redis answers and invalidations flow. */
    UP,
    /**
     * Redis answers, but the cache is catching up: the invalidation subscription is being re-established, or
     * invalidations made during an outage are still to be replayed.
     */
    DEGRADED,
    /**
     * The circuit breaker is open, or half-open with its probe not yet answered: the cache serves from L1 and the
     * loaders without calling Redis.
     */
    DOWN,
    /** L2 is turned off. */
    OFF
}
