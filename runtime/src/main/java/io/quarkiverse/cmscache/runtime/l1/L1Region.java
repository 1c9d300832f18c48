package io.quarkiverse.cmscache.runtime.l1;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import io.quarkiverse.cmscache.runtime.config.RegionSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;

/**
 * One region's entries in this instance's memory: a Caffeine cache (W-TinyLFU eviction, bounded by entries or by
 * estimated bytes, expiring after write) kept in step with the {@link TagIndex}.
 * <p>
 * Caffeine is used directly rather than through Quarkus Cache's {@code CaffeineCache}, which stores futures, offers no
 * conditional removal ({@code remove(key, entry)}) and no eviction listener, all of which the tag index and the
 * stale-write guard need.
 * <p>
 * Thread-safe. The region and the index change together: an entry is registered in the index, checked, and made
 * visible inside one atomic operation on its key, and it is unregistered when it leaves by whichever path
 * (replacement, removal, size eviction, expiry). So an invalidation that finds an entry in the index and removes it by
 * key waits for a fill of that key in progress, and an entry that is visible is always in the index: once an
 * invalidation has recorded its tags and evicted what the index holds, no entry carrying them is left (see
 * {@link #fill}).
 */
public final class L1Region {

    /** Told about entries the region's bounds or expiry dropped. */
    public interface EvictionListener {
        void evicted(Entry entry, RemovalCause cause);
    }

    private final Cache<String, Entry> cache;
    private final TagIndex index;
    private final boolean weighted;
    private final long configuredMaximumWeight;

    public L1Region(RegionSettings settings, TagIndex index, EvictionListener listener) {
        this.index = index;
        this.weighted = settings.weighted();
        this.configuredMaximumWeight = settings.l1MaximumWeight();
        // Kept past their lifetime for as long as they may still be served stale; the read path decides.
        Caffeine<Object, Object> builder = Caffeine.newBuilder().expireAfterWrite(settings.l1Retention());
        if (weighted) {
            builder.maximumWeight(settings.l1MaximumWeight())
                    .weigher((String key, Entry entry) -> Math.max(1, entry.weight()));
        } else {
            builder.maximumSize(settings.l1MaximumSize());
        }
        this.cache = builder.<String, Entry> evictionListener((key, entry, cause) -> {
            if (entry != null) {
                index.unregister(entry);
                listener.evicted(entry, cause);
            }
        }).build();
    }

    /**
     * @return the entry, or {@code null}
     */
    public Entry get(String key) {
        return cache.getIfPresent(key);
    }

    /**
     * Makes an entry visible, replacing any entry with its key, if it is still current.
     * <p>
     * Atomic with respect to every other change of the key: the entry is registered in the index first, then
     * {@code current} is asked, then the entry is published; if it is not current it is unregistered and never seen.
     * An invalidation records its tags before it looks into the index: either this check sees the record, or the
     * invalidation finds the registration and removes the entry by key, which waits for this fill to end.
     *
     * @param entry the entry
     * @param current tells, once the entry is registered, whether it may still be published
     * @return whether the entry was published
     */
    public boolean fill(Entry entry, Predicate<Entry> current) {
        boolean[] published = new boolean[1];
        cache.asMap().compute(entry.key(), (key, existing) -> {
            index.register(entry);
            if (!current.test(entry)) {
                index.unregister(entry);
                return existing;
            }
            if (existing != null && existing != entry) {
                index.unregister(existing);
            }
            published[0] = true;
            return entry;
        });
        return published[0];
    }

    /**
     * Removes this very entry, if the region still holds it, and takes it out of the index either way. Waits for a
     * fill of the same key in progress, so an entry registered in the index is removed even if it was being published.
     *
     * @return whether this call removed it from the region
     */
    public boolean remove(Entry entry) {
        boolean[] removed = new boolean[1];
        // compute, not computeIfPresent: Caffeine answers computeIfPresent of an absent key without taking the lock,
        // and so would not wait for a fill of that key in progress.
        cache.asMap().compute(entry.key(), (key, existing) -> {
            if (existing == entry) {
                removed[0] = true;
                return null;
            }
            return existing;
        });
        index.unregister(entry);
        return removed[0];
    }

    /**
     * Removes every entry.
     *
     * @return how many were removed
     */
    public int clear() {
        int removed = 0;
        for (Entry entry : List.copyOf(cache.asMap().values())) {
            if (remove(entry)) {
                removed++;
            }
        }
        return removed;
    }

    /**
     * @return the keys held now, for diagnostics
     */
    public List<String> keys() {
        return new ArrayList<>(cache.asMap().keySet());
    }

    public long size() {
        return cache.estimatedSize();
    }

    /**
     * @return the estimated bytes held, for byte-bounded regions; 0 otherwise
     */
    public long weight() {
        if (!weighted) {
            return 0;
        }
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /**
     * @return the current bound in estimated bytes (0 for a region bounded by entries)
     */
    public long maximumWeight() {
        if (!weighted) {
            return 0;
        }
        return cache.policy().eviction().map(e -> e.getMaximum()).orElse(0L);
    }

    /**
     * @return the bound the region was configured with, in estimated bytes (0 for a region bounded by entries)
     */
    public long configuredMaximumWeight() {
        return weighted ? configuredMaximumWeight : 0;
    }

    /**
     * Changes the bound of a byte-bounded region (used by {@link L1Budget}); Caffeine evicts down to it.
     */
    public void setMaximumWeight(long maximum) {
        if (weighted) {
            cache.policy().eviction().ifPresent(e -> e.setMaximum(maximum));
        }
    }

    /**
     * Runs {@code action} while holding the lock of the key's map bin, so that no other thread can change that key
     * meanwhile; for tests that force an interleaving.
     */
    public void holdWhile(String key, Runnable action) {
        cache.asMap().compute(key, (k, entry) -> {
            action.run();
            return entry;
        });
    }

    /**
     * Runs pending maintenance (counting recent writes, expiry, eviction) now; used by {@link L1Budget} and tests.
     */
    public void cleanUp() {
        cache.cleanUp();
    }
}
