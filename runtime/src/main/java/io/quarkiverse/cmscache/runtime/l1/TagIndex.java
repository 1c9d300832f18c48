package io.quarkiverse.cmscache.runtime.l1;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.quarkiverse.cmscache.runtime.entry.Entry;

/**
 * This instance's index from tags to the L1 entries carrying them, over all regions: what makes invalidating a tag
 * in L1 cost O(entries carrying it) instead of a scan.
 * <p>
 * The index holds entry <em>objects</em> (compared by identity), not keys: when an entry is replaced by a newer one
 * with the same key, unregistering the old one cannot remove the new one, and invalidation removes an entry from its
 * region only if the region still maps its key to that very object. Each set is created, filled and dropped inside
 * {@code compute} calls, so a registration can never land in a set that has just been dropped.
 */
public final class TagIndex {

    private final ConcurrentHashMap<String, Set<Entry>> entriesByTag = new ConcurrentHashMap<>();

    /**
     * Registers an entry under each of its tags. Call before the entry becomes visible in its region.
     */
    public void register(Entry entry) {
        for (String tag : entry.tags()) {
            entriesByTag.compute(tag, (t, set) -> {
                Set<Entry> entries = set == null ? ConcurrentHashMap.newKeySet() : set;
                entries.add(entry);
                return entries;
            });
        }
    }

    /**
     * Removes an entry from the index.
     */
    public void unregister(Entry entry) {
        for (String tag : entry.tags()) {
            entriesByTag.computeIfPresent(tag, (t, entries) -> {
                entries.remove(entry);
                return entries.isEmpty() ? null : entries;
            });
        }
    }

    /**
     * Hands each entry registered under the tag to {@code action}: every entry registered before the call and still
     * registered is seen; entries registered meanwhile may be.
     * <p>
     * Invalidation evicts through this rather than by taking the tag's whole set out of the index, so that two
     * threads applying the same invalidation (the feed and a reconciliation replaying another instance's message) each
     * return only once every entry carrying the tag has left L1 -- by its own hand or the other's.
     */
    public void forEach(String tag, Consumer<Entry> action) {
        Set<Entry> entries = entriesByTag.get(tag);
        if (entries != null) {
            entries.forEach(action);
        }
    }

    /**
     * @return how many tags are indexed
     */
    public int tagCount() {
        return entriesByTag.size();
    }
}
