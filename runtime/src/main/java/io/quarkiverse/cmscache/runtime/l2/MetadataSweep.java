package io.quarkiverse.cmscache.runtime.l2;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the cache's metadata in Redis bounded now that it has no TTL (so that an evicting Redis cannot drop it): each
 * step scans a slice of the namespace's tag sets and prunes them of members whose entry expired or no longer carries
 * the tag, and deletes tag versions older than the retention. Writes prune the sets they touch as well; the sweep
 * reaches the sets nobody writes any more. Every instance sweeps; the work is idempotent. It also carries on the
 * drains of large invalidations ({@link #continueDrains}).
 * <p>
 * Thread-safe; one step runs at a time.
 */
public final class MetadataSweep {

    private static final Logger LOG = Logger.getLogger(MetadataSweep.class);

    /** Tags Redis returns per step of the scan over the index of tag sets (a hint to SSCAN). */
    static final int SCAN_COUNT = 1_000;
    /** Tag versions deleted per step at most. */
    static final int MAX_VERSIONS = 500;
    /** Set members checked per step at most. */
    static final int MAX_MEMBER_CHECKS = 2_000;
    /** Members of a drain taken per step: about a millisecond of Redis's time. */
    static final int DRAIN_STEP = 1_000;

    private final RedisL2 l2;
    private final Duration versionRetention;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final LongAdder drained = new LongAdder();
    private final LongAdder versionsDeleted = new LongAdder();
    private final LongAdder membersRemoved = new LongAdder();
    private volatile String cursor = "0";

    /**
     * @param l2 the namespace's Redis
     * @param versionRetention how long a tag version is kept after the tag's last invalidation
     */
    public MetadataSweep(RedisL2 l2, Duration versionRetention) {
        this.l2 = l2;
        this.versionRetention = versionRetention;
    }

    /**
     * Runs one step, unless the previous one is still running.
     *
     * @return a Uni completing when the step is done (for tests); the step runs whether or not it is subscribed
     */
    public Uni<Void> step() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> work = l2.scanTagSets(cursor, SCAN_COUNT).chain(scanned -> {
            cursor = scanned.cursor();
            return l2.sweep(scanned.keys(), versionRetention, MAX_VERSIONS, MAX_MEMBER_CHECKS);
        }).invoke(counts -> {
            versionsDeleted.add(counts[0]);
            membersRemoved.add(counts[1]);
        }).replaceWithVoid().onTermination().invoke(() -> running.set(false)).memoize().indefinitely();
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache could not sweep its Redis metadata yet: %s", failure.getMessage()));
        return work;
    }

    /**
     * Carries on the given drains, one bounded step ({@link #DRAIN_STEP} members) after the other, unless this
     * instance is draining already. Several instances may drain the same tag at once: each step takes its own members.
     *
     * @param drains tag to the sequence number of the invalidation that started its drain
     * @return a Uni completing when these drains are over or a step failed (for tests)
     */
    public Uni<Void> continueDrains(Map<String, Long> drains) {
        if (drains.isEmpty() || !draining.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> work = Multi.createFrom().iterable(List.copyOf(drains.entrySet()))
                .onItem().transformToUniAndConcatenate(drain -> drainFully(drain.getValue(), drain.getKey()))
                .collect().last().replaceWithVoid()
                .onTermination().invoke(() -> draining.set(false)).memoize().indefinitely();
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache could not drain yet: %s", failure.getMessage()));
        return work;
    }

    private Uni<Void> drainFully(long seq, String tag) {
        return l2.drain(seq, tag, DRAIN_STEP).chain(result -> {
            drained.add(result[0]);
            return result[1] > 0 ? drainFully(seq, tag) : Uni.createFrom().voidItem();
        });
    }

    /**
     * @return entries this instance's drain steps deleted since start-up
     */
    public long entriesDrained() {
        return drained.sum();
    }

    /**
     * @return tag versions this instance's sweep deleted since start-up
     */
    public long versionsDeleted() {
        return versionsDeleted.sum();
    }

    /**
     * @return tag set members this instance's sweep removed since start-up
     */
    public long membersRemoved() {
        return membersRemoved.sum();
    }
}
