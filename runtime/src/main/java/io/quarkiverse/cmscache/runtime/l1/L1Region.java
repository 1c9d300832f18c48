package io.quarkiverse.cmscache.runtime.l1;

import java.util.ArrayList;
import java.util.List;

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
 * Thread-safe. Entries are registered in the index before they become visible and unregistered when they leave, by
 * whichever path: replacement, removal, size eviction, expiry.
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
     * Makes an entry visible, replacing any entry with its key.
     */
    public void put(Entry entry) {
        index.register(entry);
        Entry replaced = cache.asMap().put(entry.key(), entry);
        if (replaced != null && replaced != entry) {
            index.unregister(replaced);
        }
    }

    /**
     * Removes this very entry, if the region still holds it, and takes it out of the index either way.
     *
     * @return whether this call removed it from the region
     */
    public boolean remove(Entry entry) {
        boolean removed = cache.asMap().remove(entry.key(), entry);
        index.unregister(entry);
        return removed;
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
     * Runs pending maintenance (expiry, eviction) now; for tests and diagnostics.
     */
    public void cleanUp() {
        cache.cleanUp();
    }
}
