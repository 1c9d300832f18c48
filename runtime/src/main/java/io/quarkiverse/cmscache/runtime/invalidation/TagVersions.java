package io.quarkiverse.cmscache.runtime.invalidation;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

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
 * Tags invalidated here while Redis could not be reached are <em>unconfirmed</em> until the invalidation is replayed
 * to Redis: entries read from Redis that carry one of them are not trusted meanwhile.
 * <p>
 * This object also identifies its engine's transaction-scoped state in {@link AfterCommit}.
 * <p>
 * Thread-safe. Tag epochs are kept for the version retention (longer than an entry can live) and then forgotten.
 */
public final class TagVersions {

    private final AtomicLong epoch = new AtomicLong();
    private final Cache<String, Long> tagEpochs;
    private volatile long lastDropEpoch;

    private final Set<String> unconfirmed = ConcurrentHashMap.newKeySet();

    private volatile long contiguous;
    private final TreeSet<Long> ahead = new TreeSet<>();
    private long gapOpenedAt;
    private long highestSeen;

    public TagVersions(Duration retention) {
        this.tagEpochs = Caffeine.newBuilder().expireAfterWrite(retention).build();
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
        long drop = lastDropEpoch;
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
        if (lastDropEpoch > sinceEpoch) {
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
        if (lastDropEpoch > sinceEpoch) {
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
     * Notes tags whose invalidation Redis has not received.
     */
    public void markUnconfirmed(Collection<String> tags) {
        unconfirmed.addAll(tags);
    }

    /**
     * Notes that Redis received the invalidation of the tags.
     */
    public void confirm(Collection<String> tags) {
        unconfirmed.removeAll(tags);
    }

    /**
     * @return whether some invalidation made here has not reached Redis yet
     */
    public boolean hasUnconfirmed() {
        return !unconfirmed.isEmpty();
    }

    /**
     * @return the tags whose invalidation Redis has not received
     */
    public Set<String> unconfirmed() {
        return Set.copyOf(unconfirmed);
    }

    /**
     * @return whether an entry carries a tag whose invalidation Redis has not received
     */
    public boolean isUnconfirmed(String[] tags) {
        if (unconfirmed.isEmpty()) {
            return false;
        }
        for (String tag : tags) {
            if (unconfirmed.contains(tag)) {
                return true;
            }
        }
        return false;
    }
}
