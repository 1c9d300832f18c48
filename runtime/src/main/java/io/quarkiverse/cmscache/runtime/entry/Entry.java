package io.quarkiverse.cmscache.runtime.entry;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import io.quarkiverse.cmscache.runtime.l2.ValueType;

/**
 * A cached value with what the cache needs to keep it correct. Immutable and shared by every caller that reads it,
 * except for the time before which the L1 copy must not try another background refresh.
 * <p>
 * The tags always include the entry's identity tag (its key) and its region tag. The <em>basis</em> is the
 * invalidation sequence number the value is known to be consistent with: no tag of the entry was invalidated after
 * it, otherwise the entry would have been evicted or never stored. A load starts from what its instance has
 * applied; the entry it hands to its callers carries the oldest basis of anything it read, and the write to Redis
 * checks each tag against the basis of the read it came from, and is refused if one of them was invalidated with a
 * higher sequence number. The copy Redis accepted carries the load's own basis.
 * <p>
 * The <em>epochs</em> are the local twin of the basis, one per tag: the value reflects every change whose
 * invalidation of that tag this instance had started to apply at that local epoch (see {@code TagVersions}). An
 * entry is out of date here as soon as one of its tags is invalidated with a later epoch; they are not stored in
 * Redis (an entry read from Redis gets the epoch at which its fetch began).
 * <p>
 * The <em>type</em> is the value type the entry was loaded as: an entry answers only reads of that type (rule 7,
 * identity), a read of another type is a miss.
 */
public final class Entry {

    private final String key;
    private final String region;
    private final Object value;
    private final String[] tags;
    private final long basis;
    private final long createdAt;
    private final int weight;
    private final long loadNanos;
    private final long filledAt;
    private final long[] epochs;
    private final ValueType type;
    private volatile long refreshDeferredUntil;

    /**
     * @param key the key, which is also the identity tag
     * @param region the region
     * @param value the value, {@code null} for a negative entry
     * @param tags every tag of the entry, including the identity and region tags, without duplicates
     * @param basis the invalidation sequence number the value is consistent with
     * @param createdAt when the value was computed, in epoch milliseconds
     * @param weight the estimated size in bytes, for byte-bounded regions and size limits
     * @param loadNanos how long the value took to load, 0 if unknown
     * @param epochs for each tag, the local epoch the value is consistent with (not copied: do not modify)
     * @param type the value type it was loaded as, or {@code null} when only its runtime class is known
     */
    public Entry(String key, String region, Object value, String[] tags, long basis, long createdAt, int weight,
            long loadNanos, long[] epochs, ValueType type) {
        this(key, region, value, tags, basis, createdAt, weight, loadNanos, 0, epochs, type);
    }

    private Entry(String key, String region, Object value, String[] tags, long basis, long createdAt, int weight,
            long loadNanos, long filledAt, long[] epochs, ValueType type) {
        if (epochs.length != tags.length) {
            throw new IllegalArgumentException("one epoch per tag");
        }
        this.key = key;
        this.region = region;
        this.value = value;
        this.tags = tags;
        this.basis = basis;
        this.createdAt = createdAt;
        this.weight = weight;
        this.loadNanos = loadNanos;
        this.filledAt = filledAt;
        this.epochs = epochs;
        this.type = type;
    }

    /**
     * @return one epoch per tag, all the same
     */
    public static long[] epochs(int tagCount, long epoch) {
        long[] epochs = new long[tagCount];
        Arrays.fill(epochs, epoch);
        return epochs;
    }

    /**
     * @return the tags of an entry: the identity and region tags first, then the others, without duplicates
     */
    public static String[] tags(String key, String region, Collection<String> others) {
        Set<String> all = new LinkedHashSet<>(others.size() + 2);
        all.add(key);
        all.add(EntryKeys.regionTag(region));
        all.addAll(others);
        return all.toArray(new String[0]);
    }

    public String key() {
        return key;
    }

    public String region() {
        return region;
    }

    public Object value() {
        return value;
    }

    /**
     * @return the tags; do not modify
     */
    public String[] tags() {
        return tags;
    }

    public long basis() {
        return basis;
    }

    public long createdAt() {
        return createdAt;
    }

    public int weight() {
        return weight;
    }

    /**
     * @return whether the entry carries the tag
     */
    public boolean carries(String tag) {
        for (String t : tags) {
            if (t.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return how long the value took to load, in nanoseconds; 0 if unknown
     */
    public long loadNanos() {
        return loadNanos;
    }

    /**
     * @return when this copy was put into L1 ({@link System#nanoTime()}), 0 if it was not: its age in L1 decides
     *         whether it is fresh, due for a refresh, or stale
     */
    public long filledAt() {
        return filledAt;
    }

    /**
     * @return this entry with another basis
     */
    public Entry withBasis(long newBasis) {
        return new Entry(key, region, value, tags, newBasis, createdAt, weight, loadNanos, filledAt, epochs, type);
    }

    /**
     * @return for each tag, the local epoch the value is consistent with; do not modify
     */
    public long[] epochs() {
        return epochs;
    }

    /**
     * @return the value type the entry was loaded as, or {@code null} when only its runtime class is known (a value
     *         stored with {@code CmsCache.put})
     */
    public ValueType type() {
        return type;
    }

    /**
     * @return whether the entry may answer a read of the given type: it was loaded as that type, or (stored without
     *         a type) its value is an instance of it
     */
    public boolean answers(ValueType requested) {
        if (type != null) {
            return type == requested;
        }
        return value == null || requested.javaType().getRawClass().isInstance(value)
                || requested.javaType().isPrimitive();
    }

    /**
     * @return the copy of this entry that L1 holds from now on
     */
    public Entry filledNow() {
        return new Entry(key, region, value, tags, basis, createdAt, weight, loadNanos, System.nanoTime(), epochs,
                type);
    }

    /**
     * @param now {@link System#nanoTime()}
     * @return whether a background refresh of this copy is put off, because the last one was refused (another
     *         instance held the refresh lease) or failed
     */
    public boolean refreshDeferred(long now) {
        long until = refreshDeferredUntil;
        return until != 0 && now - until < 0;
    }

    /**
     * Puts off background refreshes of this copy until the given time ({@link System#nanoTime()}).
     */
    public void deferRefresh(long until) {
        refreshDeferredUntil = until;
    }

    @Override
    public String toString() {
        return "Entry[" + key + ", basis=" + basis + ", tags=" + Arrays.toString(tags) + "]";
    }
}
