package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.CmsInvalidationListener;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkiverse.cmscache.runtime.region.CallerContext;
import io.quarkiverse.cmscache.runtime.region.Region;
import io.quarkiverse.cmscache.runtime.region.Regions;
import io.quarkus.runtime.BlockingOperationControl;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The one invalidation path, used by {@code @CmsInvalidate}, {@code CmsCache}, and (for other instances'
 * invalidations) the {@link InvalidationFeed}.
 * <p>
 * An invalidation requested inside a transaction is deferred to after commit. Otherwise it applies the tags to this
 * instance's L1, so this instance never serves an old entry afterwards, and then runs the Redis script (which deletes
 * the tags' entries from Redis, records the tags' versions, logs and publishes): waiting for it where the thread may
 * block, without waiting on an I/O thread. Without Redis (L2 off) only the local part runs.
 * <p>
 * Every invalidation applied here, local or remote, is recorded in the {@link InvalidationLog}.
 * <p>
 * Until Redis has received an invalidation its tags are <em>unconfirmed</em>: Redis entries carrying them are ignored
 * by this instance. When Redis cannot be reached they stay so until the invalidation has been replayed to Redis,
 * which the feed retries on every tick.
 * <p>
 * Thread-safe.
 */
public final class Invalidator {

    /** Tags sent to Redis per script when replaying the invalidations made while it was unreachable. */
    static final int REPLAY_BATCH = 100;

    /** Invalidations kept until a replica confirms them; beyond that, a failover starts a new generation instead. */
    static final int MAX_UNREPLICATED = 1_000;

    private static final Logger LOG = Logger.getLogger(Invalidator.class);

    private final Regions regions;
    private final TagIndex index;
    private final TagVersions versions;
    private final RedisL2 l2;
    private final AfterCommit afterCommit;
    private final String instanceId;
    private final int logSize;
    private final List<CmsInvalidationListener> listeners;
    private final InvalidationLog log;
    private volatile Consumer<List<RedisL2.Pending>> drains = started -> {
    };
    private final AtomicBoolean replaying = new AtomicBoolean();
    /** Invalidations made here that no replica confirmed, by sequence number; at most {@link #MAX_UNREPLICATED}. */
    private final java.util.TreeMap<Long, Set<String>> unreplicated = new java.util.TreeMap<>();
    private boolean unreplicatedOverflow;
    private final java.util.concurrent.atomic.LongAdder generations = new java.util.concurrent.atomic.LongAdder();

    public Invalidator(Regions regions, TagIndex index, TagVersions versions, RedisL2 l2, AfterCommit afterCommit,
            String instanceId, int logSize, List<CmsInvalidationListener> listeners) {
        this.regions = regions;
        this.index = index;
        this.versions = versions;
        this.l2 = l2;
        this.afterCommit = afterCommit;
        this.instanceId = instanceId;
        this.logSize = logSize;
        this.listeners = List.copyOf(listeners);
        this.log = new InvalidationLog(logSize, l2);
    }

    /**
     * @param drains what starts the drains an invalidation sent from here left in Redis (the metadata sweep's)
     */
    public void onDrains(Consumer<List<RedisL2.Pending>> drains) {
        this.drains = drains;
    }

    /**
     * @return the log of the invalidations applied here
     */
    public InvalidationLog log() {
        return log;
    }

    /**
     * Declares, at the start of an invalidating method inside a transaction, that the transaction changes what the
     * tags stand for; see {@link AfterCommit#markDirty}.
     */
    public void markDirty(Set<String> tags) {
        afterCommit.markDirty(versions, tags);
    }

    /**
     * @return the tags the current transaction changes; loads depending on one of them are neither shared nor stored
     */
    public Set<String> dirtyTags() {
        return afterCommit.dirtyTags(versions);
    }

    /**
     * Invalidates tags now, or after the current transaction commits. Where the thread may block, returns once Redis
     * has answered (or failed to); on an I/O thread -- including a transaction committing on one -- it applies the
     * invalidation here before returning and sends it to Redis without waiting.
     *
     * @param tags the tags
     * @param trigger what asks for it, for the log and the metrics
     */
    public void invalidate(Set<String> tags, Trigger trigger) {
        if (tags.isEmpty() || afterCommit.defer(versions, tags, deferred -> invalidateNow(deferred, trigger))) {
            return;
        }
        invalidateNow(tags, trigger);
    }

    /**
     * Non-blocking {@link #invalidate(Set, Trigger)}: applied here when subscribed, done when Redis has answered. Never
     * fails because of Redis.
     */
    public Uni<Void> invalidateAsync(Set<String> tags, Trigger trigger) {
        return Uni.createFrom().deferred(() -> {
            if (tags.isEmpty() || afterCommit.defer(versions, tags, deferred -> invalidateNow(deferred, trigger))) {
                return Uni.createFrom().voidItem();
            }
            return CallerContext.ownWork(() -> invalidateHereAndInRedis(tags, trigger));
        });
    }

    private void invalidateNow(Set<String> tags, Trigger trigger) {
        CallerContext.ownWork(() -> invalidateNowWithoutContext(tags, trigger));
    }

    private void invalidateNowWithoutContext(Set<String> tags, Trigger trigger) {
        Uni<Void> invalidation = invalidateHereAndInRedis(tags, trigger);
        if (BlockingOperationControl.isBlockingAllowed()) {
            // So that other instances have heard of it when the caller goes on.
            invalidation.await().indefinitely();
        } else {
            // Applied here already; an I/O thread must not wait for Redis, and a failure is kept for the replay.
            invalidation.subscribe().with(ok -> {
            }, failure -> LOG.errorf(failure, "CMS cache invalidation of %s failed", tags));
        }
    }

    /**
     * The invalidation path: sent to Redis, and applied to this instance's L1 while Redis works on it; done when both
     * are (Redis's part may have failed).
     * <p>
     * The tags are marked unconfirmed <em>before</em> either starts, so that from then until Redis has received the
     * invalidation this instance trusts no Redis entry carrying them, and cannot refill L1 with an entry Redis is
     * about to delete. Redis's answer confirms this invalidation of the tags -- not a later one; a failure leaves them
     * to the feed's replay.
     */
    private Uni<Void> invalidateHereAndInRedis(Set<String> tags, Trigger trigger) {
        long at = System.currentTimeMillis();
        if (l2 == null) {
            int evicted = applyLocally(tags);
            log.record(new InvalidationRecord(-1, at, List.copyOf(tags), trigger, instanceId, evicted, -1,
                    System.currentTimeMillis()));
            tell(tags);
            return Uni.createFrom().voidItem();
        }
        long generation = versions.markUnconfirmed(tags);
        // Redis applies it while this instance evicts its L1: the caller goes on once both are done. Unconfirmed, the
        // tags' entries in Redis are not trusted here meanwhile, whichever finishes first.
        Uni<RedisL2.Invalidated> inRedis = l2.invalidate(tags, instanceId, versions.highestSeen(), logSize,
                InvalidationMessage.details(at, trigger)).memoize().indefinitely();
        inRedis.subscribe().with(done -> {
        }, failure -> {
        });
        int evicted = applyLocally(tags);
        return inRedis
                .onItemOrFailure().invoke((done, failure) -> afterRedis(tags, generation, trigger, at, evicted, done,
                        failure))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void afterRedis(Set<String> tags, long generation, Trigger trigger, long at, int evicted,
            RedisL2.Invalidated done, Throwable failure) {
        if (failure != null) {
            // Said once per outage: during one, every invalidation fails the same way.
            boolean first = !versions.hasUnconfirmed();
            versions.sendFailed(tags, generation);
            LOG.logf(first ? Logger.Level.WARN : Logger.Level.DEBUG, "CMS cache could not invalidate %s in Redis (%s); "
                    + "evicted %d entries from this instance's L1, and will send this and later invalidations to Redis "
                    + "when it answers again", tags, failure.getMessage(), evicted);
            log.record(new InvalidationRecord(-1, at, List.copyOf(tags), trigger, instanceId, evicted, -1,
                    System.currentTimeMillis()));
            tell(tags);
            return;
        }
        versions.confirm(tags, generation);
        noteSent(done, tags);
        log.record(new InvalidationRecord(done.sequence(), at, List.copyOf(tags), trigger, instanceId, evicted,
                done.deleted(), System.currentTimeMillis()));
        tell(tags);
    }

    /**
     * Reports an invalidation that originated here to the application's listeners.
     */
    private void tell(Set<String> tags) {
        for (CmsInvalidationListener listener : listeners) {
            try {
                listener.invalidated(tags);
            } catch (RuntimeException e) {
                LOG.errorf(e, "CMS cache invalidation listener %s failed for %s", listener.getClass().getName(), tags);
            }
        }
    }

    /**
     * Applies an invalidation published through Redis, unless applied already.
     * <p>
     * This instance's own invalidations come back too. The invalidating thread evicts them from L1 itself, whether
     * Redis answered or not, before it returns, and logs what it evicted; so the echo only marks the sequence number
     * as applied (when it overtakes the invalidating thread), leaving the eviction, and its count, to that thread.
     */
    public void applyRemote(InvalidationMessage message, String text) {
        if (versions.isApplied(message.seq())) {
            return;
        }
        if (instanceId.equals(message.origin())) {
            versions.markApplied(message.seq(), System.nanoTime());
            versions.noteMessage(message.seq(), text);
            return;
        }
        // The slot groups apply it after it was published: until Redis lists it as done, the tags' entries loaded before
        // it are not trusted.
        message.tags().forEach(tag -> versions.markPending(tag, message.seq()));
        int evicted = applyLocally(message.tags());
        versions.markApplied(message.seq(), System.nanoTime());
        versions.noteMessage(message.seq(), text);
        log.record(message.toRecord().appliedHere(evicted, System.currentTimeMillis()));
    }

    /**
     * Evicts the tags' entries from this instance's L1. When it returns, no entry carrying one of the tags that was
     * in L1 when it was called is left, even if another thread applies the same tags at the same time.
     *
     * @return how many entries this call evicted
     */
    public int applyLocally(Collection<String> tags) {
        versions.recordInvalidated(tags);
        AtomicInteger evicted = new AtomicInteger();
        for (String tag : tags) {
            index.forEach(tag, entry -> {
                Region region = regions.find(entry.region());
                if (region != null && region.evict(entry)) {
                    evicted.incrementAndGet();
                }
            });
        }
        return evicted.get();
    }

    /**
     * Drops every entry of this instance's L1, when invalidations were missed that can no longer be replayed.
     *
     * @return how many entries were dropped
     */
    public int dropAllLocally() {
        return dropAllLocally(Trigger.reconciliation("missed invalidations no longer in the Redis log: dropped L1"));
    }

    private int dropAllLocally(Trigger trigger) {
        versions.recordDropAll();
        int dropped = 0;
        for (Region region : regions.all()) {
            dropped += region.dropAll();
        }
        long now = System.currentTimeMillis();
        log.record(new InvalidationRecord(-1, now, List.of(), trigger, instanceId, dropped, -1, now));
        return dropped;
    }

    /**
     * What every invalidation this instance sent takes from Redis's answer, whichever path sent it (the caller's, the
     * replay after an outage, the replay after a failover): a new generation if the script started one, the tags left
     * to a drain (pending until it is over), whether a replica confirmed it, and its sequence number and message as applied
     * here.
     */
    private void noteSent(RedisL2.Invalidated done, Set<String> tags) {
        adoptFloor(done.floor(), done.sequence() - 1);
        done.draining().forEach(tag -> versions.markPending(tag, done.sequence()));
        if (!done.draining().isEmpty()) {
            drains.accept(done.draining().stream().map(tag -> new RedisL2.Pending(done.sequence(), tag)).toList());
        }
        noteReplication(done, tags);
        versions.markApplied(done.sequence(), System.nanoTime());
        versions.noteMessage(done.sequence(), done.message());
    }

    /**
     * Keeps an invalidation no replica confirmed, to send it again after a failover; one a replica confirmed also
     * confirms every earlier one (replication is in order).
     */
    private void noteReplication(RedisL2.Invalidated done, Set<String> tags) {
        synchronized (unreplicated) {
            if (done.replicated()) {
                unreplicated.headMap(done.sequence(), true).clear();
                return;
            }
            unreplicated.put(done.sequence(), Set.copyOf(tags));
            if (unreplicated.size() > MAX_UNREPLICATED) {
                unreplicated.pollFirstEntry();
                unreplicatedOverflow = true;
            }
        }
    }

    /**
     * @return how many invalidations made here no replica has confirmed yet
     */
    public int unreplicated() {
        synchronized (unreplicated) {
            return unreplicated.size();
        }
    }

    /**
     * After a failover (or a restart): sends again, in batches, the invalidations made here that no replica had
     * confirmed, since the new master may lack them. If more were unconfirmed than this instance keeps, starts a new
     * generation instead ({@link RedisL2#recover}): nothing stored before is trusted.
     */
    public Uni<Void> replayUnreplicated() {
        Set<String> tags = new java.util.LinkedHashSet<>();
        boolean overflow;
        synchronized (unreplicated) {
            unreplicated.values().forEach(tags::addAll);
            overflow = unreplicatedOverflow;
            unreplicated.clear();
            unreplicatedOverflow = false;
        }
        if (overflow) {
            return startNewGeneration(versions.highestSeen(), "Redis changed server (a restart or a failover) while "
                    + "more than " + MAX_UNREPLICATED + " invalidations made here were not confirmed by a replica")
                    .replaceWithVoid();
        }
        if (tags.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("CMS cache: Redis changed server (a restart or a failover); sending again %d tags whose "
                + "invalidation no replica had confirmed", tags.size());
        List<String> all = List.copyOf(tags);
        Trigger trigger = Trigger.reconciliation("invalidations no replica had confirmed before a failover");
        return Multi.createFrom().range(0, (all.size() + REPLAY_BATCH - 1) / REPLAY_BATCH)
                .onItem().transformToUniAndConcatenate(batch -> {
                    Set<String> some = Set.copyOf(all.subList(batch * REPLAY_BATCH,
                            Math.min(all.size(), (batch + 1) * REPLAY_BATCH)));
                    long at = System.currentTimeMillis();
                    return l2.invalidate(some, instanceId, versions.highestSeen(), logSize,
                            InvalidationMessage.details(at, trigger)).invoke(done -> {
                                noteSent(done, some);
                                log.record(new InvalidationRecord(done.sequence(), at, List.copyOf(some), trigger,
                                        instanceId, 0, done.deleted(), System.currentTimeMillis()));
                            });
                }).collect().last().replaceWithVoid();
    }

    /**
     * @return how many new generations this instance adopted since start-up (Redis went back in time)
     */
    public long generationsAdopted() {
        return generations.sum();
    }

    /**
     * Starts a new generation of the namespace ({@link RedisL2#recover}) and adopts it here: the one way this instance
     * acts on finding that Redis went back in time, or may have.
     *
     * @param highest the highest sequence number this instance had seen when it found out
     * @param why what it found, for the log
     * @return the sequence number after it
     */
    public Uni<Long> startNewGeneration(long highest, String why) {
        LOG.warnf("CMS cache: %s: starting a new generation of Redis's entries", why);
        return l2.recover(highest).map(recovered -> {
            adoptFloor(recovered.floor(), recovered.sequence());
            return recovered.sequence();
        });
    }

    /**
     * Adopts a floor read from Redis (or raised by one of this instance's invalidations): if it is above the one this
     * instance knew, Redis went back in time and an instance started a new generation, so everything cached here may
     * hold content invalidated in the part of the history Redis forgot. Drops L1 and takes every invalidation up to
     * {@code sequence} as applied.
     *
     * @return whether the floor rose
     */
    public boolean adoptFloor(long floor, long sequence) {
        if (l2 == null || !l2.raiseFloor(floor)) {
            return false;
        }
        generations.increment();
        int dropped = dropAllLocally(Trigger.reconciliation("a new generation of Redis entries started (Redis went "
                + "back in time, or too many invalidations stayed pending in Redis): dropped L1"));
        versions.reset(sequence, System.nanoTime());
        LOG.warnf("CMS cache: a new generation of the Redis entries started at #%d, because Redis went back in time (a "
                + "restart from an older snapshot, or a failover to a replica that lagged) or %d tags' invalidations stayed "
                + "pending, not applied in some slot group; entries stored before are ignored, and this instance dropped "
                + "its L1 (%d entries)",
                floor, RedisL2.MAX_PENDING, dropped);
        return true;
    }

    /**
     * Sends the invalidations Redis missed, if any, unless a replay is on its way already. Each tag is sent with the
     * generation of its latest failed invalidation, and Redis's answer confirms only that generation: a tag
     * invalidated again while the replay is in flight stays unconfirmed, to be sent by that invalidation or the next
     * replay.
     */
    public Uni<Void> replayUnconfirmed() {
        Map<String, Long> due = versions.toReplay();
        if (due.isEmpty() || l2 == null || !replaying.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        List<Map.Entry<String, Long>> pending = List.copyOf(due.entrySet());
        return replay(pending, 0).onTermination().invoke(() -> replaying.set(false));
    }

    /**
     * Sends the pending tags from {@code from} on, {@link #REPLAY_BATCH} per script, one script after the other, so
     * that a long outage never turns into one long script that blocks Redis (and could outlast the timeout and be
     * sent again). Each batch is confirmed as Redis answers it; one that fails stops the replay, and the next tick
     * sends what is left. Invalidating a tag twice is harmless, so a batch sent again after a lost answer is too.
     */
    private Uni<Void> replay(List<Map.Entry<String, Long>> pending, int from) {
        if (from >= pending.size()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Long> batch = new LinkedHashMap<>();
        for (Map.Entry<String, Long> tag : pending.subList(from, Math.min(from + REPLAY_BATCH, pending.size()))) {
            batch.put(tag.getKey(), tag.getValue());
        }
        long at = System.currentTimeMillis();
        Trigger trigger = Trigger.reconciliation("invalidations made while Redis was unreachable");
        Set<String> tags = batch.keySet();
        return l2.invalidate(tags, instanceId, versions.highestSeen(), logSize, InvalidationMessage.details(at, trigger))
                .invoke(done -> {
                    // This instance evicted the tags when they were requested; what it cached since came from the origin.
                    versions.confirm(batch);
                    noteSent(done, tags);
                    log.record(new InvalidationRecord(done.sequence(), at, List.copyOf(tags), trigger, instanceId, 0,
                            done.deleted(), System.currentTimeMillis()));
                    LOG.infof("CMS cache sent %d of the tags invalidated while Redis was unreachable (#%d, %d entries "
                            + "deleted)", tags.size(), done.sequence(), done.deleted());
                })
                .chain(() -> replay(pending, from + REPLAY_BATCH));
    }

    public String instanceId() {
        return instanceId;
    }

    public TagVersions versions() {
        return versions;
    }
}
