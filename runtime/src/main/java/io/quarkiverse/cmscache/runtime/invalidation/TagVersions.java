package io.quarkiverse.cmscache.runtime.invalidation;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import io.quarkiverse.cmscache.runtime.l2.RedisL2;

/**
 * What this instance knows about invalidations, kept with two clocks.
 * <p>
 * The <b>epoch</b> is local: it increases each time this instance applies an invalidation (or drops its whole L1),
 * <em>after</em> the change the invalidation stands for was made. Each tag remembers the epoch of its last local
 * invalidation. A load records the epoch when it starts, so its value reflects every change whose invalidation has
 * an epoch up to that one; an entry carries such an epoch per tag ({@code Entry#epochs}) and is out of date here as
 * soon as one of its tags was invalidated with a later epoch ({@link #isStale}). L1 is filled only with entries that
 * are not out of date, checked atomically with their registration in the tag index, and invalidation does the mirror
 * image: record the tag's epoch, then evict what the index holds. Whatever the interleaving, one of the two sides
 * sees the other, so no entry computed before an invalidation is visible in L1 after it (see {@code L1Region#fill}).
 * <p>
 * The <b>sequence</b> is Redis's global invalidation counter. This instance tracks the highest number up to which it
 * has applied every invalidation ({@link #basis()}), which loads use as the basis checked by the Redis write script,
 * plus numbers applied out of order. Numbers missing between them form a <em>gap</em>: a lost or late message. The
 * feed reconciles a gap that stays open longer than the gap timeout.
 * <p>
 * A tag invalidated here is <em>unconfirmed</em> from just before this instance evicts it until Redis has received the
 * invalidation: entries read from Redis that carry it are not trusted meanwhile. Each local invalidation has a
 * <em>generation</em>; an unconfirmed tag remembers the generation of its latest one and whether sending that one
 * failed. Confirming is conditional on the generation, so an answer from Redis about an older invalidation of a tag
 * (a replay in flight) never confirms a newer one. A confirmed tag is still treated as unconfirmed for one Redis
 * timeout: a read sent before the invalidation reached Redis may be answered after the confirmation, with an entry
 * Redis has deleted since, and no read lives longer than the timeout. The unconfirmed tags are bounded by the number of
 * distinct tags
 * invalidated here while Redis did not answer: one entry per tag, however often it is invalidated.
 * <p>
 * A tag is <em>pending</em> from the moment this instance hears of its invalidation until every slot group in Redis
 * has applied it (deleted the tag's entries loaded before it, including a drain of a large tag set): entries read
 * from Redis that carry it and were loaded before the invalidation are misses meanwhile ({@link #isPending}). Redis
 * lists the invalidations still pending, and each read of the sequence forgets the marks of those that are over.
 * <p>
 * This object also identifies its engine's transaction-scoped state in {@link AfterCommit}.
 * <p>
 * Thread-safe. Tag epochs are kept for a retention ({@link #LOCAL_RETENTION} in the engine) and then forgotten: the
 * highest epoch forgotten is remembered instead, and a load that began before it is treated as out of date for every
 * tag ({@link #isStale}, {@link #invalidatedSince}). So memory holds one epoch per tag invalidated within the
 * retention, whatever the uptime, and only loads that take longer than the retention lose their L1 fill.
 */
public final class TagVersions {

    private final AtomicLong epoch = new AtomicLong();
    /** How long the engine keeps each tag's epoch: far longer than a load takes. */
    public static final Duration LOCAL_RETENTION = Duration.ofMinutes(1);

    private final Cache<String, Long> tagEpochs;
    /** The highest epoch of a tag forgotten (expired from {@link #tagEpochs}). */
    private final AtomicLong forgotten = new AtomicLong();
    private volatile long lastDropEpoch;

    private final AtomicLong generations = new AtomicLong();
    private final ConcurrentHashMap<String, Unconfirmed> unconfirmed = new ConcurrentHashMap<>();
    /** A margin for answers processed just after their timeout fired. */
    private static final long GRACE_MARGIN_NANOS = 50_000_000L;
    private final long confirmationGraceNanos;

    private volatile long contiguous;
    private final TreeSet<Long> ahead = new TreeSet<>();
    private long gapOpenedAt;
    private long highestSeen;
    private long lastMessageSeq;
    private String lastMessage;
    /** Tags pending in Redis, each with the sequence number of its latest invalidation not applied everywhere. */
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

    /**
     * @param retention how long tag epochs are kept
     * @param readTimeout how long a Redis read can take at most (the L2 timeout)
     */
    public TagVersions(Duration retention, Duration readTimeout) {
        this(retention, readTimeout, Ticker.systemTicker());
    }

    TagVersions(Duration retention, Duration readTimeout, Ticker ticker) {
        // The eviction listener runs as part of the expiry, so the epoch is never gone before it is counted forgotten.
        this.tagEpochs = Caffeine.newBuilder().expireAfterWrite(retention).ticker(ticker)
                .<String, Long> evictionListener((tag, epoch, cause) -> {
                    if (epoch != null) {
                        forgotten.accumulateAndGet(epoch, Math::max);
                    }
                }).build();
        this.confirmationGraceNanos = readTimeout.toNanos() + GRACE_MARGIN_NANOS;
    }

    /**
     * @return how many tags' epochs are kept now (for tests and diagnostics)
     */
    public long tagEpochsKept() {
        tagEpochs.cleanUp();
        return tagEpochs.estimatedSize();
    }

    /**
     * @return the current local epoch
     */
    public long epoch() {
        return epoch.get();
    }

    /**
     * Records that tags are being invalidated now. Call before evicting their entries.
     */
    public void recordInvalidated(Collection<String> tags) {
        long now = epoch.incrementAndGet();
        for (String tag : tags) {
            tagEpochs.asMap().merge(tag, now, Math::max);
        }
    }

    /**
     * Records that the whole L1 is being dropped. Call before dropping it.
     */
    public void recordDropAll() {
        lastDropEpoch = epoch.incrementAndGet();
    }

    /**
     * @return whether the entry with these tags and per-tag epochs is out of date here: one of its tags was
     *         invalidated, or L1 dropped, after the epoch the value is consistent with for that tag
     */
    public boolean isStale(String[] tags, long[] epochs) {
        long drop = Math.max(lastDropEpoch, forgotten.get());
        long now = epoch.get();
        for (int i = 0; i < tags.length; i++) {
            long since = epochs[i];
            if (drop > since) {
                return true;
            }
            if (since == now) {
                continue;
            }
            Long invalidated = tagEpochs.getIfPresent(tags[i]);
            if (invalidated != null && invalidated > since) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the tag was invalidated, or L1 dropped, after the given epoch
     */
    public boolean invalidatedSince(String tag, long sinceEpoch) {
        if (lastDropEpoch > sinceEpoch || forgotten.get() > sinceEpoch) {
            return true;
        }
        if (epoch.get() == sinceEpoch) {
            return false;
        }
        Long invalidated = tagEpochs.getIfPresent(tag);
        return invalidated != null && invalidated > sinceEpoch;
    }

    /**
     * @return whether one of the tags was invalidated, or L1 dropped, after the given epoch
     */
    public boolean invalidatedSince(String[] tags, long sinceEpoch) {
        if (lastDropEpoch > sinceEpoch || forgotten.get() > sinceEpoch) {
            return true;
        }
        if (epoch.get() == sinceEpoch) {
            return false;
        }
        for (String tag : tags) {
            Long invalidated = tagEpochs.getIfPresent(tag);
            if (invalidated != null && invalidated > sinceEpoch) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the sequence number up to which every invalidation has been applied here: the basis of new loads
     */
    public long basis() {
        return contiguous;
    }

    /**
     * @return whether the invalidation with this sequence number was applied here already
     */
    public synchronized boolean isApplied(long seq) {
        return seq <= contiguous || ahead.contains(seq);
    }

    /**
     * Marks an invalidation as applied.
     *
     * @return {@code false} if it was applied before
     */
    public synchronized boolean markApplied(long seq, long nowNanos) {
        if (seq <= contiguous || !ahead.add(seq)) {
            return false;
        }
        highestSeen = Math.max(highestSeen, seq);
        advance(nowNanos);
        return true;
    }

    /**
     * Notes that an invalidation of a tag is not applied in every slot group yet: until it is, Redis entries carrying
     * the tag and loaded before it are misses ({@link #isPending}).
     */
    public void markPending(String tag, long seq) {
        pending.merge(tag, seq, Math::max);
    }

    /**
     * Takes the invalidations Redis lists as pending: forgets a mark that is over (not listed, and numbered at most the
     * sequence when the listing was read); those listed are marked. Marks of invalidations numbered after the listing
     * was read stay.
     *
     * @param listed the invalidations pending, oldest first
     * @param sequence the sequence number when they were listed
     * @param complete whether the listing holds every pending invalidation (else only the oldest)
     */
    public void refreshPending(List<RedisL2.Pending> listed, long sequence, boolean complete) {
        Map<String, Long> latest = new HashMap<>();
        long upTo = sequence;
        for (RedisL2.Pending one : listed) {
            latest.merge(one.tag(), one.sequence(), Math::max);
        }
        if (!complete) {
            upTo = listed.stream().mapToLong(RedisL2.Pending::sequence).max().orElse(0);
        }
        long over = upTo;
        pending.entrySet().removeIf(mark -> mark.getValue() <= over && !mark.getValue().equals(latest.get(mark.getKey())));
        latest.forEach(this::markPending);
    }

    /**
     * @return whether an entry read from Redis with these tags and basis awaits deletion by a pending invalidation
     */
    public boolean isPending(String[] tags, long basis) {
        if (pending.isEmpty()) {
            return false;
        }
        for (String tag : tags) {
            Long seq = pending.get(tag);
            if (seq != null && basis < seq) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return how many tags have an invalidation pending in Redis, as far as this instance knows
     */
    public int pendingTags() {
        return pending.size();
    }

    /**
     * Remembers the message of the highest-numbered invalidation applied here, to check later that Redis's log still
     * tells the same history ({@link #lastMessage}).
     */
    public synchronized void noteMessage(long seq, String text) {
        if (text != null && seq >= lastMessageSeq) {
            lastMessageSeq = seq;
            lastMessage = text;
        }
    }

    /**
     * @return the highest-numbered invalidation applied here with its message as published, or {@code null} if none
     */
    public synchronized LastMessage lastMessage() {
        return lastMessage == null ? null : new LastMessage(lastMessageSeq, lastMessage);
    }

    /**
     * @param seq its sequence number
     * @param text its message, as published and logged
     */
    public record LastMessage(long seq, String text) {
    }

    /**
     * Notes the current sequence number read from Redis: if it is above what was applied, a gap is open.
     */
    public synchronized void observe(long seq, long nowNanos) {
        if (seq > highestSeen) {
            highestSeen = seq;
        }
        if (highestSeen > contiguous && gapOpenedAt == 0) {
            gapOpenedAt = nowNanos;
        }
    }

    /**
     * Declares everything up to {@code seq} applied, after a reconciliation or at start-up.
     */
    public synchronized void reset(long seq, long nowNanos) {
        if (seq > contiguous) {
            contiguous = seq;
        }
        highestSeen = Math.max(highestSeen, seq);
        ahead.headSet(contiguous, true).clear();
        advance(nowNanos);
    }

    /**
     * @return when the current gap opened ({@link System#nanoTime()}), or 0 if there is none
     */
    public synchronized long gapOpenedAt() {
        return gapOpenedAt;
    }

    /**
     * @return the highest sequence number seen in a message or read from Redis
     */
    public synchronized long highestSeen() {
        return highestSeen;
    }

    private void advance(long nowNanos) {
        long next = contiguous;
        while (!ahead.isEmpty() && ahead.first() == next + 1) {
            next = ahead.pollFirst();
        }
        contiguous = next;
        if (highestSeen <= contiguous) {
            gapOpenedAt = 0;
        } else if (gapOpenedAt == 0) {
            gapOpenedAt = nowNanos;
        }
    }

    /**
     * Notes tags as invalidated here and not yet received by Redis. Call before evicting them.
     *
     * @return the generation of this invalidation, for {@link #sendFailed} and {@link #confirm}
     */
    public long markUnconfirmed(Collection<String> tags) {
        Unconfirmed sending = new Unconfirmed(generations.incrementAndGet(), false, 0);
        for (String tag : tags) {
            unconfirmed.put(tag, sending);
        }
        return sending.generation();
    }

    /**
     * Notes that Redis did not receive an invalidation: its tags, unless invalidated again since, are to be replayed.
     */
    public void sendFailed(Collection<String> tags, long generation) {
        for (String tag : tags) {
            unconfirmed.computeIfPresent(tag, (t, pending) -> pending.generation() == generation && pending.confirmedAt() == 0
                    ? new Unconfirmed(generation, true, 0)
                    : pending);
        }
    }

    /**
     * Notes that Redis received an invalidation of the tags: each is confirmed unless invalidated again since.
     */
    public void confirm(Collection<String> tags, long generation) {
        long now = confirmedNow();
        for (String tag : tags) {
            unconfirmed.computeIfPresent(tag, (t, pending) -> pending.confirm(generation, now));
        }
    }

    /**
     * Notes that Redis received a replay of the given tags and generations; see {@link #toReplay()}.
     */
    public void confirm(Map<String, Long> replayed) {
        long now = confirmedNow();
        replayed.forEach((tag, generation) -> unconfirmed.computeIfPresent(tag, (t, pending) -> pending.confirm(generation,
                now)));
    }

    /**
     * @return the tags whose latest invalidation failed to reach Redis, each with the generation of that invalidation;
     *         forgets, on the way, the tags confirmed longer ago than the grace period
     */
    public Map<String, Long> toReplay() {
        Map<String, Long> due = new HashMap<>();
        long now = System.nanoTime();
        unconfirmed.forEach((tag, pending) -> {
            if (pending.failed()) {
                due.put(tag, pending.generation());
            } else if (pending.confirmedAt() != 0 && now - pending.confirmedAt() >= confirmationGraceNanos) {
                unconfirmed.remove(tag, pending);
            }
        });
        return due;
    }

    private static long confirmedNow() {
        long now = System.nanoTime();
        return now == 0 ? 1 : now;
    }

    /**
     * @return whether some invalidation made here failed to reach Redis and waits for a replay
     */
    public boolean hasUnconfirmed() {
        for (Unconfirmed pending : unconfirmed.values()) {
            if (pending.failed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the tags whose invalidation Redis has not received, sent or failed
     */
    public Set<String> unconfirmed() {
        Set<String> tags = new java.util.HashSet<>();
        unconfirmed.forEach((tag, pending) -> {
            if (pending.confirmedAt() == 0) {
                tags.add(tag);
            }
        });
        return tags;
    }

    /**
     * @return whether an entry carries a tag whose invalidation Redis has not received
     */
    public boolean isUnconfirmed(String[] tags) {
        if (unconfirmed.isEmpty()) {
            return false;
        }
        for (String tag : tags) {
            Unconfirmed pending = unconfirmed.get(tag);
            if (pending != null && (pending.confirmedAt() == 0
                    || System.nanoTime() - pending.confirmedAt() < confirmationGraceNanos)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param confirmedAt when Redis confirmed it ({@link System#nanoTime()}), 0 while it has not
     */
    private record Unconfirmed(long generation, boolean failed, long confirmedAt) {

        /** @return this, confirmed, if it is the given generation and not confirmed yet */
        Unconfirmed confirm(long sent, long now) {
            return generation == sent && confirmedAt == 0 ? new Unconfirmed(generation, false, now) : this;
        }
    }
}
