package io.quarkiverse.cmscache.benchmarks;

import java.time.Duration;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;

/**
 * Waits until the cache's second level is up -- Redis answers and the invalidation subscription is in place -- before
 * a part measures anything. On a Redis Cluster the client first fetches the slot map, which on a busy machine can take
 * longer than {@code l2.timeout}; a read or write meanwhile would skip Redis, and the round would measure nothing.
 */
public final class L2Ready {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private L2Ready() {
    }

    public static void await(CmsCache cache) throws InterruptedException {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (engine.l2State() != L2State.UP) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cache's L2 is " + engine.l2State() + ", not UP, after " + TIMEOUT);
            }
            Thread.sleep(50);
        }
    }
}
