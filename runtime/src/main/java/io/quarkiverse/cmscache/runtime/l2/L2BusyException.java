package io.quarkiverse.cmscache.runtime.l2;

/**
 * A Redis command the cache did not send because {@code quarkus.cms-cache.l2.max-in-flight} of its commands were
 * already in the client and {@code quarkus.cms-cache.l2.max-waiting} more were waiting. Like any Redis failure, a read
 * that gets it is a miss and a write is skipped; unlike one, it does not count towards opening the circuit breaker,
 * because it says nothing about Redis.
 */
public final class L2BusyException extends RuntimeException {

    L2BusyException(int maxInFlight, int maxWaiting) {
        super("CMS cache has " + maxInFlight + " Redis commands in flight and " + maxWaiting
                + " waiting (quarkus.cms-cache.l2.max-in-flight, quarkus.cms-cache.l2.max-waiting)", null, false,
                false);
    }
}
