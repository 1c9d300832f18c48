package io.quarkiverse.cmscache.benchmarks.workload;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The content store behind the cache: an in-process origin that takes a fixed time per load ({@code LOAD_COST}, spent
 * parked, not computing, as a database round trip is) and keeps every item's version and when each version was
 * committed, so that a read can be checked against the edits that had completed before it started.
 */
final class Origin {

    static final long LOAD_COST_NANOS = 100_000;
    private static final String FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. "
            .repeat(3);

    private final AtomicIntegerArray versions = new AtomicIntegerArray(Site.ITEMS);
    /** Per item, when each version became visible to everyone (index = version); version 0 at the start. */
    private final long[][] committedAt = new long[Site.ITEMS][];
    final LongAdder loads = new LongAdder();
    final LongAdder loadNanos = new LongAdder();

    Origin() {
        Arrays.fill(committedAt, new long[] { Long.MIN_VALUE });
    }

    /**
     * @return the item as stored now, after the load's fixed cost
     */
    Content load(int item) {
        long start = System.nanoTime();
        long until = start + LOAD_COST_NANOS;
        for (long now = start; now < until; now = System.nanoTime()) {
            LockSupport.parkNanos(until - now);
        }
        Content content = new Content(item, versions.get(item), Site.name(item) + " " + FILLER);
        loads.increment();
        loadNanos.add(System.nanoTime() - start);
        return content;
    }

    /**
     * @return the item's committed version
     */
    int version(int item) {
        return versions.get(item);
    }

    /** An editor's change is committed: loads from now on see the new version. */
    int commit(int item) {
        return versions.incrementAndGet(item);
    }

    /** The editor's save call has returned (its invalidation done): no read started later may show an older version. */
    synchronized void completed(int item, int version, long at) {
        long[] times = committedAt[item];
        if (times.length <= version) {
            long[] longer = Arrays.copyOf(times, version + 1);
            Arrays.fill(longer, times.length, longer.length, Long.MAX_VALUE);
            times = longer;
        }
        times[version] = at;
        committedAt[item] = times;
    }

    /**
     * @return how old the version is that a read started at {@code start} saw, in nanoseconds since the newer version
     *         was completed; 0 when it was current
     */
    long staleness(int item, int version, long start) {
        long[] times;
        synchronized (this) {
            times = committedAt[item];
        }
        for (int newer = version + 1; newer < times.length; newer++) {
            if (times[newer] <= start) {
                return Math.max(1, start - times[newer]);
            }
        }
        return 0;
    }

    /** One item of content. */
    record Content(int item, int version, String text) {
    }
}
