package io.quarkiverse.cmscache;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.smallrye.mutiny.Uni;

/**
 * Programmatic access to the CMS cache: the same engine, read path and invalidation path as the annotations.
 * Inject it with {@code @Inject CmsCache cache}.
 * <p>
 * <b>Keys.</b> A {@code key} argument is one key part, or {@link #key(Object...)} for a key of several parts; the
 * entry key is then {@code <region>:<part1>:<part2>...}, exactly as {@link CmsCached @CmsCached} builds it from
 * method parameters, so {@code cache.invalidate("block", "header")} evicts what {@code html("header")} cached. Each
 * part is encoded so that different values give different keys and no key contains {@code :} inside a part, a pattern
 * character or a brace: a scalar by its text ({@code toString()}, or an enum constant's name), percent-encoded; a
 * {@link java.util.Collection} or an array element by element, as {@code (<e1>,<e2>...)}, so that
 * {@code List.of("a, b")} and {@code List.of("a", "b")} are different keys; a {@link Set} and a {@link Map} in the
 * order of their encoded elements or entries, so that equal sets and maps give equal keys on every instance. Values
 * are compared by their text: {@code 42} and {@code "42"} are the same part. The details are in
 * {@link EntryKeys}.
 * <p>
 * <b>Identity.</b> An entry key names exactly one computation and one value type: a region belongs to at most one
 * {@link CmsCached @CmsCached} method (a second one is a build error). These methods may read and write the region of
 * such a method, as long as the caller computes the same value the method would; otherwise give the entries a region
 * of their own.
 * <p>
 * <b>Tags.</b> Every entry carries its identity tag (its key), the region tag {@code @<region>}, and the tags of
 * everything read through the cache while it was computed. Tags given by the application (to
 * {@link #invalidateTags(String...)}, {@link #put(String, Object, Object, String...)} or
 * {@link CmsDependencies#add(String...)}) are printable ASCII without spaces, braces, {@code * ? [ ] \ " '}; build
 * tags from arbitrary values with {@link #tag(String, Object...)}.
 * <p>
 * <b>Thread-safety and failures.</b> All methods are thread-safe. Reads never fail because of Redis: a Redis error,
 * or a stored value that no longer deserializes, is a miss. Blocking methods must not be called on an I/O thread
 * when they may need Redis; use the {@code Async} variants there. Invalidations are the exception: on an I/O thread
 * they take effect on this instance before returning and reach Redis without blocking.
 */
public interface CmsCache {

    /**
     * A key made of several parts, for the {@code key} argument of this interface's methods.
     *
     * @param parts the parts, in order; {@code null} parts are allowed
     * @return the key
     */
    static Key key(Object... parts) {
        return new Key(java.util.Arrays.asList(parts.clone()));
    }

    /**
     * The identity tag of the entry with the given region and key parts, for example {@code tag("block", "header")}
     * is {@code block:header}. Parts are encoded so that they cannot collide or act as patterns; use this to build
     * tags from values an application does not control.
     *
     * @param region the region
     * @param keyParts the key parts
     * @return the tag, which is also the entry's key
     */
    static String tag(String region, Object... keyParts) {
        return EntryKeys.key(EntryKeys.checkRegion(region), keyParts);
    }

    /**
     * Returns the cached value of the entry, loading it with {@code loader} on a miss in both levels. Concurrent
     * misses of one key in this instance call the loader once. A loader exception is thrown to the callers and not
     * cached.
     *
     * @param region the region
     * @param key one key part, or a {@link #key(Object...)}
     * @param type the value type, used to read the JSON stored in Redis
     * @param loader computes the value on a miss; runs on the calling thread
     * @return the value, possibly {@code null}
     * @param <T> the value type
     */
    <T> T get(String region, Object key, Class<T> type, Supplier<? extends T> loader);

    /**
     * As {@link #get(String, Object, Class, Supplier)}, for generic value types such as
     * {@code new TypeLiteral<List<Block>>() {}}.
     */
    <T> T get(String region, Object key, TypeLiteral<T> type, Supplier<? extends T> loader);

    /**
     * Non-blocking read-through: as {@link #get(String, Object, Class, Supplier)}, where the loader returns a
     * {@code Uni}. Nothing happens until the returned {@code Uni} is subscribed.
     */
    <T> Uni<T> getAsync(String region, Object key, Class<T> type, Supplier<Uni<T>> loader);

    /**
     * As {@link #getAsync(String, Object, Class, Supplier)}, for generic value types.
     */
    <T> Uni<T> getAsync(String region, Object key, TypeLiteral<T> type, Supplier<Uni<T>> loader);

    /**
     * Stores a value as if it had been loaded now, in both levels. The entry carries its identity tag, the region
     * tag and {@code dependsOn}. Like a load, it is not stored when one of its tags is being invalidated by a
     * transaction that has not committed yet.
     *
     * @param region the region
     * @param key one key part, or a {@link #key(Object...)}
     * @param value the value, possibly {@code null} (a negative entry)
     * @param dependsOn tags the value depends on
     */
    <T> void put(String region, Object key, T value, String... dependsOn);

    /**
     * Invalidates the entry's identity tag: the entry and every entry depending on it. Same as
     * {@code invalidateTags(tag(region, key parts))}.
     */
    void invalidate(String region, Object key);

    /**
     * Evicts every entry carrying at least one of the tags, and nothing else: from this instance's L1 and from
     * Redis before returning, from other instances' L1 within milliseconds (pub/sub), and, should a message be
     * lost, after the gap is detected. Inside a JTA transaction the invalidation runs after commit, never on rollback.
     * If Redis cannot be reached, this instance's L1 is still invalidated, the failure is logged, and the invalidation
     * is sent to Redis once it answers again. On an I/O thread it does not wait for Redis: it returns once this
     * instance's L1 is invalidated, and Redis and the other instances follow moments later.
     *
     * @param tags the tags
     */
    void invalidateTags(String... tags);

    /**
     * As {@link #invalidateTags(String...)}.
     */
    void invalidateTags(Collection<String> tags);

    /**
     * Non-blocking {@link #invalidateTags(String...)}: the invalidation has taken effect when the {@code Uni} emits.
     */
    Uni<Void> invalidateTagsAsync(Collection<String> tags);

    /**
     * Evicts every entry of the region, and every entry depending on one of them, in both levels and on every
     * instance. Same as invalidating the region tag {@code @<region>}.
     */
    void clear(String region);

    /**
     * The keys of the entries that currently depend on a tag (carry it), in Redis and in this instance's L1.
     *
     * @param tag a tag, for example {@code block:header}
     * @return the keys, for example {@code rendered:home:en}
     */
    Set<String> dependents(String tag);

    /**
     * Counters of one region since start-up.
     *
     * @param region the region
     * @return a snapshot of the region's counters
     */
    RegionStats stats(String region);

    /**
     * Counters of every region known to this instance.
     *
     * @return region name to snapshot
     */
    Map<String, RegionStats> stats();

    /**
     * A key of several parts; see {@link CmsCache#key(Object...)}.
     *
     * @param parts the parts, in order
     */
    record Key(List<Object> parts) {
    }
}
