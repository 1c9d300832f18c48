package io.quarkiverse.cmscache.runtime.l2;

/**
 * An entry command not sent because this instance does not trust Redis's entries right now: its invalidation
 * subscription is down (Redis may have restarted or failed over, possibly with older data) and has not been checked
 * since, or Redis runs with an eviction policy that may drop the cache's metadata. Callers treat it as a miss or a
 * skipped write; it says nothing about Redis's health, so the circuit breaker ignores it.
 */
public final class L2UntrustedException extends RuntimeException {

    public L2UntrustedException(String reason) {
        super(reason, null, false, false);
    }
}
