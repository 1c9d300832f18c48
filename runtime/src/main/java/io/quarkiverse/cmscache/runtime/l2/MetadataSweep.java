package io.quarkiverse.cmscache.runtime.l2;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Keeps the cache's metadata in Redis bounded now that it has no TTL (so that an evicting Redis cannot drop it): each
 * step scans a slice of the namespace's tag sets and prunes them of members whose entry expired or no longer carries
 * the tag, and deletes tag versions older than the retention. Writes prune the sets they touch as well; the sweep
 * reaches the sets nobody writes any more. Every instance sweeps; the work is idempotent.
 * <p>
 * Thread-safe; one step runs at a time.
 */
public final class MetadataSweep {

    private static final Logger LOG = Logger.getLogger(MetadataSweep.class);

    /** Keys Redis looks at per step of the scan over tag sets. */
    static final int SCAN_COUNT = 1_000;
    /** Tag versions deleted per step at most. */
    static final int MAX_VERSIONS = 500;
    /** Set members checked per step at most. */
    static final int MAX_MEMBER_CHECKS = 2_000;

    private final RedisL2 l2;
    private final Duration versionRetention;
    private final AtomicBoolean running = new AtomicBoolean();
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
