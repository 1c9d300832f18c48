package io.quarkiverse.cmscache.runtime.l2;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the cache's metadata in Redis bounded now that it has no TTL (so that an evicting Redis cannot drop it). Each
 * step deletes the tag versions older than the retention in every slot group (an invalidation writes its tags' versions
 * into every group), and scans a slice of one group's tag sets and prunes them of members whose entry expired or no
 * longer carries the tag; the tag-set scan goes through the groups in turn. Writes prune the sets they touch as well;
 * the sweep reaches the sets nobody writes any more. Every instance sweeps; the work is idempotent. It also carries on
 * the invalidations still pending in some group: those whose invalidating instance failed half-way, and the drains of
 * large ones ({@link #continuePending}).
 * <p>
 * Thread-safe; one step runs at a time.
 */
public final class MetadataSweep {

    private static final Logger LOG = Logger.getLogger(MetadataSweep.class);

    /** Tags Redis returns per step of the scan over the index of tag sets (a hint to SSCAN). */
    static final int SCAN_COUNT = 1_000;
    /** Tag versions one script call deletes in a group at most. */
    static final int MAX_VERSIONS = 500;
    /**
     * Script calls per group and step at most while versions are left to delete: a step forgets up to 10,000 versions
     * per group, so versions stay bounded for any site invalidating fewer distinct tags than that per step.
     */
    static final int MAX_VERSION_ROUNDS = 20;
    /** Set members checked per step at most. */
    static final int MAX_MEMBER_CHECKS = 2_000;

    private final RedisL2 l2;
    private final Duration versionRetention;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final LongAdder drained = new LongAdder();
    private final LongAdder versionsDeleted = new LongAdder();
    private final LongAdder membersRemoved = new LongAdder();
    private final long helpAfterNanos;
    /** When this instance first saw each pending invalidation listed: at most {@link RedisL2#MAX_PENDING_LISTED}. */
    private final Map<RedisL2.Pending, Long> firstListed = new ConcurrentHashMap<>();
    private volatile String cursor = "0";
    private volatile int group;

    /**
     * @param l2 the namespace's Redis
     * @param versionRetention how long a tag version is kept after the tag's last invalidation
     * @param helpAfter how long an invalidation stays pending before this instance carries it on: by then its
     *        invalidating instance has had its answers from every group, or given up on them
     */
    public MetadataSweep(RedisL2 l2, Duration versionRetention, Duration helpAfter) {
        this.l2 = l2;
        this.versionRetention = versionRetention;
        this.helpAfterNanos = helpAfter.toNanos();
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
        RedisKeyspace.Group swept = l2.keys().groups().get(group);
        Uni<Void> work = l2.scanTagSets(swept, cursor, SCAN_COUNT).chain(scanned -> {
            cursor = scanned.cursor();
            if ("0".equals(cursor)) {
                group = (swept.index() + 1) % l2.keys().groups().size();
            }
            return sweep(swept, scanned.keys(), 1);
        }).onTermination().invoke(() -> running.set(false)).memoize().indefinitely();
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache could not sweep its Redis metadata yet: %s", failure.getMessage()));
        return work;
    }

    /**
     * Carries on the given pending invalidations that this instance has seen listed for longer than the time to help
     * after, one bounded step ({@link RedisL2#DRAIN_STEP} members of a drain per group) after the other, unless this
     * instance is doing so already. Several instances may carry on the same one at once: applying it again changes
     * nothing, and each drain step takes its own members.
     *
     * @param listed the invalidations pending, oldest first, as Redis listed them now
     * @return a Uni completing when these are over or a step failed (for tests)
     */
    public Uni<Void> continuePending(List<RedisL2.Pending> listed) {
        long now = System.nanoTime();
        firstListed.keySet().retainAll(listed);
        listed.forEach(one -> firstListed.putIfAbsent(one, now));
        List<RedisL2.Pending> due = listed.stream()
                .filter(one -> now - firstListed.getOrDefault(one, now) >= helpAfterNanos).toList();
        return carryOn(due);
    }

    /**
     * Starts the drains of an invalidation this instance has just sent, at once rather than after the time to help
     * after, unless this instance is carrying on pending invalidations already (then its tick takes them up).
     *
     * @param started the invalidation's tags left to a drain
     * @return a Uni completing when these are over or a step failed (for tests)
     */
    public Uni<Void> drainNow(List<RedisL2.Pending> started) {
        return carryOn(started);
    }

    private Uni<Void> carryOn(List<RedisL2.Pending> due) {
        if (due.isEmpty() || !draining.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> work = Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(this::continueFully)
                .collect().last().replaceWithVoid()
                .onTermination().invoke(() -> draining.set(false)).memoize().indefinitely();
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache could not drain yet: %s", failure.getMessage()));
        return work;
    }

    private Uni<Void> sweep(RedisKeyspace.Group pruned, List<String> tagSets, int round) {
        return l2.sweep(pruned, tagSets, versionRetention, MAX_VERSIONS, MAX_MEMBER_CHECKS).chain(swept -> {
            versionsDeleted.add(swept.versionsDeleted());
            membersRemoved.add(swept.membersRemoved());
            return swept.versionsLeft() && round < MAX_VERSION_ROUNDS ? sweep(pruned, List.of(), round + 1)
                    : Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> continueFully(RedisL2.Pending pending) {
        return l2.continuePending(pending).chain(result -> {
            drained.add(result[0]);
            return result[1] > 0 ? continueFully(pending) : Uni.createFrom().voidItem();
        });
    }

    /**
     * @return entries this instance's steps of pending invalidations deleted since start-up
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
