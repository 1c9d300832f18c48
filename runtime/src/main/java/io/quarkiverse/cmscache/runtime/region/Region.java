package io.quarkiverse.cmscache.runtime.region;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.benmanes.caffeine.cache.RemovalCause;

import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.runtime.config.RegionSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.http.CacheRequest;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.l1.L1Region;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l1.Weigher;
import io.quarkiverse.cmscache.runtime.l2.CorruptEntryException;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkiverse.cmscache.runtime.l2.ValueType;
import io.quarkiverse.cmscache.runtime.tags.Computation;
import io.quarkus.runtime.BlockingOperationControl;
import io.smallrye.mutiny.Context;
import io.smallrye.mutiny.Uni;

/**
 * The read path of one region, blocking and non-blocking: L1, then Redis, then the loader; and the write path that
 * stores a loaded value in Redis and L1 unless it became stale while it was loaded.
 * <p>
 * <b>Reads.</b> An L1 hit returns at once. A miss joins the key's {@link Flight} or starts one; the flight reads Redis
 * (a hit fills L1), then, with stampede protection, takes a lease so that one instance loads while the others wait
 * for its value, and runs the loader inside a {@link Computation} that collects its dependencies. Every read, hit or
 * miss, adds the entry to the computation the caller runs in, if any.
 * <p>
 * <b>Freshness.</b> An L1 entry is fresh for {@code l1.expire-after-write}. A hit in the last {@code refresh-ahead}
 * part of that time (or picked by probabilistic early expiration) triggers a background refresh through the
 * {@link Refresher}; after it, the entry is still served for {@code stale-while-revalidate} while it is refreshed,
 * and kept for {@code stale-if-error} to be served if its reload fails. A refresh is a load like any other: it is
 * refused if a tag it depends on is invalidated meanwhile.
 * <p>
 * <b>Writes.</b> A load captures, before it starts, this instance's sequence basis and local epoch. The Redis write
 * script refuses the entry if one of its tags was invalidated after the basis; L1 is filled only after Redis accepted
 * (or could not be reached), and the entry is taken out again if one of its tags was invalidated locally after the
 * epoch (see {@link TagVersions}). A value that is {@code null} without negative caching, larger than the region's
 * limit, or computed in a transaction that changes one of its tags is returned but not stored; a value larger than
 * {@code l1.max-value-size} is stored in Redis only.
 * <p>
 * <b>HTTP.</b> During an HTTP request that bypasses the cache ({@link CacheRequest}), loaders run and nothing is read
 * or stored. Reads made directly by a request (not inside a computation) are reported to it.
 * <p>
 * <b>Failures.</b> A Redis error, timeout or open circuit breaker on a read is a miss; on a write, only L1 is filled;
 * on a lease, the instance loads by itself. A Redis value that does not deserialize is a miss and is deleted. Loader
 * exceptions reach the caller and every joined reader.
 * <p>
 * Thread-safe.
 */
public final class Region {

    private static final Logger LOG = Logger.getLogger(Region.class);
    private static final long LEASE_POLL_FIRST_MS = 5;
    private static final long LEASE_POLL_MAX_MS = 100;

    private final RegionSettings settings;
    private final L1Region l1;
    private final RegionCounters counters = new RegionCounters();
    private final TagVersions versions;
    private final RedisL2 l2;
    private final EntryCodec codec;
    private final AfterCommit afterCommit;
    private final Refresher refresher;
    private final HotEntries hot;
    private final String owner;
    private final Duration tagSetTtl;
    private final long lifeNanos;
    private final long refreshAtNanos;
    private final long staleServedUntilNanos;
    private final long staleIfErrorUntilNanos;
    private final long refreshRetryNanos;
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedNotJson = new AtomicBoolean();
    private final AtomicBoolean warnedOversize = new AtomicBoolean();

    /**
     * @param settings the region's settings
     * @param index the engine's tag index
     * @param versions the engine's invalidation knowledge
     * @param l2 Redis, or {@code null} if this region does not use it
     * @param codec the JSON codec
     * @param afterCommit transaction support
     * @param refresher runs background refreshes
     * @param hot counts reads for warming, or {@code null}
     * @param owner this instance's id, for leases
     */
    Region(RegionSettings settings, TagIndex index, TagVersions versions, RedisL2 l2, EntryCodec codec,
            AfterCommit afterCommit, Refresher refresher, HotEntries hot, String owner) {
        this.settings = settings;
        this.versions = versions;
        this.l2 = l2;
        this.codec = codec;
        this.afterCommit = afterCommit;
        this.refresher = refresher;
        this.hot = l2 == null ? null : hot;
        this.owner = owner;
        this.tagSetTtl = settings.l2Ttl().plusMinutes(1);
        this.lifeNanos = settings.l1ExpireAfterWrite().toNanos();
        this.refreshAtNanos = (long) (lifeNanos * (1 - settings.refreshAhead()));
        this.staleServedUntilNanos = lifeNanos + settings.staleWhileRevalidate().toNanos();
        this.staleIfErrorUntilNanos = lifeNanos + settings.staleIfError().toNanos();
        long refreshWindow = lifeNanos - refreshAtNanos + settings.staleWhileRevalidate().toNanos();
        this.refreshRetryNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
                Math.min(refreshWindow / 10, TimeUnit.SECONDS.toNanos(5)));
        this.l1 = new L1Region(settings, index, (entry, cause) -> {
            counters.evictions.increment();
            if (cause == RemovalCause.EXPIRED) {
                counters.expirations.increment();
            }
        });
    }

    public String name() {
        return settings.name();
    }

    public RegionSettings settings() {
        return settings;
    }

    /**
     * Blocking read-through.
     *
     * @param key the entry key
     * @param declaredType the declared value type, for reading and writing JSON
     * @param loader loads the value on a miss, on this thread, and knows how to load it again later
     * @return the value
     * @throws Exception what the loader threw
     */
    public Object get(String key, Type declaredType, Loader loader) throws Exception {
        CacheRequest request = CacheRequest.current();
        if (request != null && request.bypass()) {
            return loader.call();
        }
        Computation parent = Computation.current();
        Set<String> dirty = afterCommit.dirtyTags(versions);
        Entry hit = l1.get(key);
        Entry expired = null;
        if (hit != null && !carriesAny(hit, dirty)) {
            Entry served = serve(hit, declaredType, loader);
            if (served != null) {
                read(request, parent, served, loader);
                return served.value();
            }
            expired = hit;
        }
        counters.l1Misses.increment();
        if (parent != null && parent.computes(key)) {
            throw recursion(parent, key);
        }
        ValueType type = codec.valueType(declaredType);
        Entry entry;
        try {
            entry = dirty.isEmpty() ? fetchShared(key, type, loader, parent)
                    : loadUnshared(key, type, loader, parent,
                            versions.epoch());
        } catch (Exception | Error failure) {
            if (servableIfError(expired)) {
                LOG.debugf("CMS cache serves %s stale: its reload failed (%s)", key, failure.getMessage());
                read(request, parent, expired, loader);
                return expired.value();
            }
            throw failure;
        }
        read(request, parent, entry, loader);
        return entry.value();
    }

    /**
     * Non-blocking read-through. Nothing happens until the result is subscribed.
     *
     * @param key the entry key
     * @param declaredType the declared item type
     * @param loader returns the {@code Uni} loading the value on a miss, and knows how to load it again later
     * @param assembledIn the computation current when the caller assembled this read, if any; the Mutiny context of
     *        the subscription takes precedence
     */
    public Uni<Object> getAsync(String key, Type declaredType, AsyncLoader loader, Computation assembledIn) {
        return Uni.createFrom().context(context -> {
            CacheRequest request = CacheRequest.current();
            if (request != null && request.bypass()) {
                return loader.get();
            }
            Computation parent = context.getOrElse(Computation.CONTEXT_KEY, () -> assembledIn);
            Set<String> dirty = afterCommit.dirtyTags(versions);
            Entry hit = l1.get(key);
            Entry expired = null;
            if (hit != null && !carriesAny(hit, dirty)) {
                Entry served = serve(hit, declaredType, loader);
                if (served != null) {
                    read(request, parent, served, loader);
                    return Uni.createFrom().item(served.value());
                }
                expired = hit;
            }
            counters.l1Misses.increment();
            if (parent != null && parent.computes(key)) {
                return Uni.createFrom().failure(recursion(parent, key));
            }
            ValueType type = codec.valueType(declaredType);
            Uni<Entry> entry = dirty.isEmpty() ? fetchSharedAsync(key, type, loader, parent, context)
                    : loadAsync(key, type, loader, parent, context, versions.epoch());
            Entry fallback = expired;
            return entry.onFailure(failure -> servableIfError(fallback)).recoverWithItem(failure -> {
                LOG.debugf("CMS cache serves %s stale: its reload failed (%s)", key, failure.getMessage());
                return fallback;
            }).map(e -> {
                read(request, parent, e, loader);
                return e.value();
            });
        });
    }

    /**
     * Decides what a hit gives: the entry (fresh, or stale but servable, in which case a refresh is started), or
     * {@code null} when it is past serving and must be reloaded (it may still be served if the reload fails).
     */
    private Entry serve(Entry hit, Type declaredType, Reloadable loader) {
        long now = System.nanoTime();
        long age = now - hit.filledAt();
        if (age >= staleServedUntilNanos) {
            return null;
        }
        counters.l1Hits.increment();
        if (age >= lifeNanos) {
            counters.staleServed.increment();
        }
        if (age >= refreshAtNanos || pickedEarly(hit, age)) {
            Recipe recipe = loader.recipe();
            if (recipe != null && !hit.refreshDeferred(now)) {
                refresher.schedule(this, hit, codec.valueType(declaredType), recipe);
            }
        }
        return hit;
    }

    /**
     * Probabilistic early expiration (XFetch, Vattani et al.): the closer the end of the entry's life and the slower
     * its load, the likelier a read triggers its refresh.
     */
    private boolean pickedEarly(Entry hit, long age) {
        double beta = settings.earlyExpirationBeta();
        if (beta <= 0 || hit.loadNanos() <= 0) {
            return false;
        }
        double draw = -Math.log(1 - ThreadLocalRandom.current().nextDouble());
        return age + hit.loadNanos() * beta * draw >= lifeNanos;
    }

    private boolean servableIfError(Entry expired) {
        if (expired == null || System.nanoTime() - expired.filledAt() >= staleIfErrorUntilNanos) {
            return false;
        }
        counters.staleServed.increment();
        return true;
    }

    /**
     * Stores a value as if it had just been loaded.
     */
    public void put(String key, Object value, Collection<String> dependsOn) {
        long epoch = versions.epoch();
        Computation computation = new Computation(key, null, versions.basis());
        computation.addAll(dependsOn);
        awaitIfAllowed(storeAsync(prepare(key, computation, value, null, 0), epoch));
    }

    /**
     * Reloads an entry with its recipe and stores the result, unless another instance has refreshed it or is doing
     * so. Blocking; called by the {@link Refresher} on a worker thread.
     */
    void refresh(Entry current, ValueType type, Recipe recipe) {
        long epoch = versions.epoch();
        String lease = null;
        try {
            if (l2 != null) {
                Entry stored = readL2(current.key(), type).await().indefinitely();
                if (stored != null && stored.createdAt() > current.createdAt()) {
                    fill(stored, epoch);
                    return;
                }
                lease = l2.keys().refreshLease(current.key());
                if (Boolean.FALSE.equals(tryLease(lease, settings.stampedeLeaseTtl()).await().indefinitely())) {
                    lease = null;
                    deferRefresh(current);
                    return;
                }
            }
            Contexts.inRequestContext(() -> loadUnshared(current.key(), type, Loader.of(recipe::load), null, epoch));
            counters.refreshes.increment();
        } catch (Exception e) {
            counters.refreshFailures.increment();
            deferRefresh(current);
            LOG.debugf("CMS cache could not refresh %s: %s", current.key(), e.getMessage());
        } finally {
            releaseLease(lease);
        }
    }

    /**
     * After a refresh another instance is doing, or one that failed, this copy tries again only after a tenth of its
     * refresh window (at least 50 ms, at most 5 s), not on every read.
     */
    private void deferRefresh(Entry current) {
        current.deferRefresh(System.nanoTime() + refreshRetryNanos);
    }

    /**
     * Non-blocking {@link #refresh}; called by the {@link Refresher} on a Vert.x duplicated context.
     */
    Uni<Void> refreshAsync(Entry current, ValueType type, Recipe recipe) {
        long epoch = versions.epoch();
        String lease = l2 == null ? null : l2.keys().refreshLease(current.key());
        Uni<Boolean> proceed = l2 == null ? Uni.createFrom().item(true)
                : readL2(current.key(), type).chain(stored -> {
                    if (stored != null && stored.createdAt() > current.createdAt()) {
                        fill(stored, epoch);
                        return Uni.createFrom().item(false);
                    }
                    return tryLease(lease, settings.stampedeLeaseTtl()).map(leased -> {
                        if (Boolean.FALSE.equals(leased)) {
                            deferRefresh(current);
                            return false;
                        }
                        return true;
                    });
                });
        return proceed.chain(go -> {
            if (!go) {
                return Uni.createFrom().voidItem();
            }
            AsyncLoader loader = new AsyncLoader() {
                @Override
                @SuppressWarnings("unchecked")
                public Uni<?> get() {
                    // The method body runs in a request context of its own, as a blocking refresh does.
                    return Contexts.inRequestContextAsync(() -> {
                        try {
                            return (Uni<Object>) recipe.load();
                        } catch (Exception e) {
                            return Uni.createFrom().failure(e);
                        }
                    });
                }

                @Override
                public Recipe recipe() {
                    return recipe;
                }
            };
            return loadAsync(current.key(), type, loader, null, Context.empty(), epoch)
                    .invoke(loaded -> counters.refreshes.increment())
                    .onFailure().invoke(failure -> {
                        counters.refreshFailures.increment();
                        deferRefresh(current);
                    })
                    .onTermination().invoke(() -> releaseLease(lease))
                    .replaceWithVoid();
        });
    }

    /**
     * Removes this very entry from L1 because one of its tags was invalidated.
     *
     * @return whether it was still there
     */
    public boolean evict(Entry entry) {
        if (l1.remove(entry)) {
            counters.invalidations.increment();
            return true;
        }
        return false;
    }

    /**
     * Drops the whole L1 of the region, after missed invalidations.
     *
     * @return how many entries were dropped
     */
    public int dropAll() {
        int dropped = l1.clear();
        counters.invalidations.add(dropped);
        return dropped;
    }

    public L1Region l1() {
        return l1;
    }

    /**
     * @return how many of the {@link RegionStats#evictions() evictions} were expiries rather than size evictions
     */
    public long expirations() {
        return counters.expirations.sum();
    }

    public RegionStats stats() {
        return counters.snapshot(settings.name(), l1);
    }

    /**
     * A flight to join, or a new one the caller owns and must complete.
     */
    private record Seat(Flight flight, boolean owner) {
    }

    /**
     * Joins the key's flight if no invalidation was applied here since it started, or starts a new one (replacing an
     * older flight, which then completes for its own readers only).
     */
    private Seat seat(String key) {
        while (true) {
            long epoch = versions.epoch();
            Flight current = flights.get(key);
            if (current != null && current.startEpoch() == epoch) {
                return new Seat(current, false);
            }
            Flight mine = new Flight(epoch);
            if (current == null ? flights.putIfAbsent(key, mine) == null : flights.replace(key, current, mine)) {
                return new Seat(mine, true);
            }
        }
    }

    private Entry fetchShared(String key, ValueType type, Loader loader, Computation parent) throws Exception {
        Seat seat = seat(key);
        Flight flight = seat.flight();
        if (!seat.owner()) {
            return flight.join();
        }
        // The flight leaves the map before it completes: a reader arriving later must not be handed its outcome
        // (above all a failure, which is never cached) but find the entry in L1 or fetch anew.
        Entry entry;
        try {
            entry = fetch(key, type, loader, parent, flight.startEpoch());
        } catch (Throwable failure) {
            flights.remove(key, flight);
            flight.fail(failure);
            throw failure;
        }
        flights.remove(key, flight);
        flight.complete(entry);
        return entry;
    }

    private Entry fetch(String key, ValueType type, Loader loader, Computation parent, long epoch)
            throws Exception {
        Entry filled = freshInL1(key);
        if (filled != null) {
            // A flight that ended just before this one began stored it.
            return filled;
        }
        if (l2 == null || !BlockingOperationControl.isBlockingAllowed()) {
            return loadUnshared(key, type, loader, parent, epoch);
        }
        Entry stored = readL2(key, type).await().indefinitely();
        if (stored != null) {
            fill(stored, epoch);
            return stored;
        }
        if (!settings.stampedeLease()) {
            return loadUnshared(key, type, loader, parent, epoch);
        }
        String lease = l2.keys().lease(key);
        Boolean leased = tryLease(lease, settings.stampedeLeaseTtl()).await().indefinitely();
        if (Boolean.FALSE.equals(leased)) {
            Entry theirs = awaitLeaseHolder(key, type, lease);
            if (theirs != null) {
                fill(theirs, epoch);
                return theirs;
            }
        }
        try {
            return loadUnshared(key, type, loader, parent, epoch);
        } finally {
            if (Boolean.TRUE.equals(leased)) {
                releaseLease(lease);
            }
        }
    }

    /**
     * Waits for the instance holding the lease to store the entry; gives up when the lease is gone without a value
     * (the holder failed, or its value is not cacheable) or after {@code stampede.max-wait}.
     *
     * @return the entry the holder stored, or {@code null}
     */
    private Entry awaitLeaseHolder(String key, ValueType type, String lease) {
        counters.leaseWaits.increment();
        long deadline = System.nanoTime() + settings.stampedeMaxWait().toNanos();
        long pause = LEASE_POLL_FIRST_MS;
        while (System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause = Math.min(pause * 2, LEASE_POLL_MAX_MS);
            Entry stored = readL2(key, type).await().indefinitely();
            if (stored != null) {
                return stored;
            }
            if (!Boolean.TRUE.equals(leaseHeld(lease).await().indefinitely())) {
                return null;
            }
        }
        return null;
    }

    private Entry loadUnshared(String key, ValueType type, Loader loader, Computation parent, long epoch)
            throws Exception {
        Computation computation = new Computation(key, parent, versions.basis());
        long start = System.nanoTime();
        Computation previous = Computation.enter(computation);
        Object value;
        try {
            value = loader.call();
        } catch (Throwable failure) {
            computation.finish();
            counters.loaded(System.nanoTime() - start, true);
            throw failure;
        } finally {
            Computation.restore(previous);
        }
        long loadNanos = System.nanoTime() - start;
        counters.loaded(loadNanos, false);
        Loaded loaded = prepare(key, computation, value, type, loadNanos);
        Entry stored = awaitIfAllowed(storeAsync(loaded, epoch));
        return stored != null ? stored : loaded.entry();
    }

    private Uni<Entry> fetchSharedAsync(String key, ValueType type, AsyncLoader loader, Computation parent,
            Context context) {
        Seat seat = seat(key);
        Flight flight = seat.flight();
        if (!seat.owner()) {
            return flight.asUni();
        }
        long epoch = flight.startEpoch();
        Entry filled = freshInL1(key);
        Uni<Entry> fetch;
        if (filled != null) {
            fetch = Uni.createFrom().item(filled);
        } else if (l2 == null) {
            fetch = loadAsync(key, type, loader, parent, context, epoch);
        } else {
            fetch = readL2(key, type).chain(stored -> {
                if (stored != null) {
                    fill(stored, epoch);
                    return Uni.createFrom().item(stored);
                }
                if (!settings.stampedeLease()) {
                    return loadAsync(key, type, loader, parent, context, epoch);
                }
                return loadWithLeaseAsync(key, type, loader, parent, context, epoch);
            });
        }
        // Subscribed here, not by the caller, so that a caller cancelling does not cancel the other readers' fetch;
        // as in the blocking path, the flight leaves the map before it completes.
        fetch.subscribe().with(entry -> {
            flights.remove(key, flight);
            flight.complete(entry);
        }, failure -> {
            flights.remove(key, flight);
            flight.fail(failure);
        });
        return flight.asUni();
    }

    private Uni<Entry> loadWithLeaseAsync(String key, ValueType type, AsyncLoader loader, Computation parent,
            Context context, long epoch) {
        String lease = l2.keys().lease(key);
        io.vertx.core.Context vertxContext = io.vertx.core.Vertx.currentContext();
        return tryLease(lease, settings.stampedeLeaseTtl()).chain(leased -> {
            if (Boolean.TRUE.equals(leased)) {
                return loadAsync(key, type, loader, parent, context, epoch)
                        .onTermination().invoke(() -> releaseLease(lease));
            }
            if (leased == null) {
                return loadAsync(key, type, loader, parent, context, epoch);
            }
            counters.leaseWaits.increment();
            long deadline = System.nanoTime() + settings.stampedeMaxWait().toNanos();
            return awaitLeaseHolderAsync(key, type, lease, deadline, LEASE_POLL_FIRST_MS, vertxContext)
                    .chain(theirs -> {
                        if (theirs != null) {
                            fill(theirs, epoch);
                            return Uni.createFrom().item(theirs);
                        }
                        return loadAsync(key, type, loader, parent, context, epoch);
                    });
        });
    }

    private Uni<Entry> awaitLeaseHolderAsync(String key, ValueType type, String lease, long deadline, long pause,
            io.vertx.core.Context vertxContext) {
        if (System.nanoTime() >= deadline) {
            return Uni.createFrom().nullItem();
        }
        Uni<Void> delay = Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pause));
        if (vertxContext != null) {
            // Back on the caller's context, where its loader expects to run.
            delay = delay.emitOn(command -> vertxContext.runOnContext(ignored -> command.run()));
        }
        return delay.chain(() -> readL2(key, type)).chain(stored -> {
            if (stored != null) {
                return Uni.createFrom().item(stored);
            }
            return leaseHeld(lease).chain(held -> Boolean.TRUE.equals(held)
                    ? awaitLeaseHolderAsync(key, type, lease, deadline, Math.min(pause * 2, LEASE_POLL_MAX_MS),
                            vertxContext)
                    : Uni.createFrom().nullItem());
        });
    }

    private Uni<Entry> loadAsync(String key, ValueType type, AsyncLoader loader, Computation parent,
            Context context, long epoch) {
        return Uni.createFrom().deferred(() -> {
            Computation computation = new Computation(key, parent, versions.basis());
            long start = System.nanoTime();
            Uni<?> result;
            Computation previous = Computation.enter(computation);
            try {
                result = loader.get();
            } catch (RuntimeException failure) {
                computation.finish();
                counters.loaded(System.nanoTime() - start, true);
                return Uni.createFrom().failure(failure);
            } finally {
                Computation.restore(previous);
            }
            Context inner = Context.from(contextMap(context)).put(Computation.CONTEXT_KEY, computation);
            return Uni.createFrom().emitter(emitter -> result.subscribe().with(inner, emitter::complete, emitter::fail))
                    .onItemOrFailure().transformToUni((value, failure) -> {
                        long loadNanos = System.nanoTime() - start;
                        if (failure != null) {
                            computation.finish();
                            counters.loaded(loadNanos, true);
                            return Uni.createFrom().failure(failure);
                        }
                        counters.loaded(loadNanos, false);
                        Loaded loaded = prepare(key, computation, value, type, loadNanos);
                        return storeAsync(loaded, epoch);
                    });
        });
    }

    /**
     * @return the entry L1 holds for the key if it is still within its life, else {@code null}
     */
    private Entry freshInL1(String key) {
        Entry filled = l1.get(key);
        return filled != null && System.nanoTime() - filled.filledAt() < lifeNanos ? filled : null;
    }

    /**
     * A loaded value, ready to be stored.
     *
     * @param entry the entry, handed to the callers whether or not it is stored; its basis is the oldest of what the
     *        load read
     * @param json the value as JSON, when the region writes to Redis and the value could be written
     * @param storable whether the entry may be stored at all
     * @param tagBases for each tag of the entry, the basis the Redis write checks it against
     * @param ownBasis the load's own basis, which the copy Redis accepted is consistent with
     */
    private record Loaded(Entry entry, byte[] json, boolean storable, long[] tagBases, long ownBasis) {

        Loaded(Entry entry, Computation computation) {
            this(entry, null, false, null, computation.basis());
        }
    }

    private Loaded prepare(String key, Computation computation, Object value, ValueType type, long loadNanos) {
        Set<String> tags = computation.finish();
        String[] allTags = Entry.tags(key, settings.name(), tags);
        long basis = computation.oldestBasis();
        long createdAt = System.currentTimeMillis();
        if (value == null && !settings.negativeCaching()) {
            return new Loaded(new Entry(key, settings.name(), null, allTags, basis, createdAt, 0, loadNanos),
                    computation);
        }
        byte[] json = null;
        int weight;
        if (l2 != null) {
            try {
                json = codec.writeValue(value, type);
                weight = json.length;
            } catch (JsonProcessingException | RuntimeException e) {
                if (warnedNotJson.compareAndSet(false, true)) {
                    LOG.warnf("Values of CMS cache region '%s' cannot be written as JSON (%s): they are kept in L1 "
                            + "only. Set quarkus.cms-cache.regions.\"%s\".l2.enabled=false if that is intended",
                            settings.name(), e.getMessage(), settings.name());
                }
                weight = Weigher.estimate(value);
            }
        } else {
            weight = Weigher.estimate(value);
        }
        Entry entry = new Entry(key, settings.name(), value, allTags, basis, createdAt, weight, loadNanos);
        if (weight > settings.maxValueSize()) {
            counters.oversizeSkipped.increment();
            // Warn once per region, not on every request for a popular oversize page; the count is in the stats.
            Logger.Level level = warnedOversize.compareAndSet(false, true) ? Logger.Level.WARN : Logger.Level.DEBUG;
            LOG.logf(level, "CMS cache entry %s is not cached: its value has %d bytes, more than the %d of "
                    + "quarkus.cms-cache.regions.\"%s\".max-value-size", key, weight, settings.maxValueSize(),
                    settings.name());
            return new Loaded(entry, computation);
        }
        long[] tagBases = new long[allTags.length];
        for (int i = 0; i < allTags.length; i++) {
            tagBases[i] = computation.basisOf(allTags[i]);
        }
        return new Loaded(entry, json, true, tagBases, computation.basis());
    }

    /**
     * Stores a loaded entry in Redis, then L1, unless it may not be stored.
     *
     * @return the entry to hand to the callers: the stored copy if Redis accepted it, else the loaded one
     */
    private Uni<Entry> storeAsync(Loaded loaded, long epoch) {
        Entry entry = loaded.entry();
        if (!loaded.storable() || carriesAny(entry, afterCommit.dirtyTags(versions))) {
            return Uni.createFrom().item(entry);
        }
        if (loaded.json() == null) {
            fill(entry, epoch);
            return Uni.createFrom().item(entry);
        }
        // Once Redis has checked every tag against the basis of the read it came from, the entry is consistent with
        // the load's own basis: that is what the stored copy carries, so that a computation reading it later is not
        // held back by the oldest thing this one read (a header cached since start-up).
        Entry checked = entry.withBasis(loaded.ownBasis());
        return l2.write(checked, loaded.json(), settings.l2Ttl(), tagSetTtl, loaded.tagBases())
                .onFailure().recoverWithItem(failure -> {
                    l2Failure("write", entry.key(), failure);
                    return null;
                })
                .map(written -> {
                    if (Boolean.FALSE.equals(written)) {
                        counters.staleWritesRejected.increment();
                        LOG.debugf("CMS cache refused to store %s: a tag it depends on was invalidated while it "
                                + "was loaded", entry.key());
                        return entry;
                    }
                    if (written == null) {
                        // Redis did not answer: kept in L1 only, with what the load knows without Redis's check.
                        fill(entry, epoch);
                        return entry;
                    }
                    fill(checked, epoch);
                    return checked;
                });
    }

    /**
     * Puts an entry into L1, then takes it out again if one of its tags was invalidated here after the fetch began.
     * Values above {@code l1.max-value-size} stay in Redis only.
     */
    void fill(Entry entry, long epoch) {
        if (settings.l1MaxValueSize() > 0 && entry.weight() > settings.l1MaxValueSize()) {
            return;
        }
        Entry filled = entry.filledNow();
        l1.put(filled);
        if (versions.invalidatedSince(filled.tags(), epoch) && l1.remove(filled)) {
            counters.staleWritesRejected.increment();
        }
    }

    private Uni<Entry> readL2(String key, ValueType type) {
        return l2.read(key).map(fields -> {
            if (fields == null) {
                return null;
            }
            try {
                Entry entry = codec.read(key, settings.name(), fields[0], fields[1], fields[2], type);
                // Not trusted while an invalidation of one of its tags has not reached Redis.
                return versions.isUnconfirmed(entry.tags()) ? null : entry;
            } catch (CorruptEntryException e) {
                counters.corruptEntries.increment();
                LOG.warnf("CMS cache treats %s as a miss and deletes it from Redis: %s", key, e.getMessage());
                l2.delete(key).subscribe().with(ok -> {
                }, failure -> l2Failure("delete", key, failure));
                return null;
            }
        }).onFailure().recoverWithItem(failure -> {
            l2Failure("read", key, failure);
            return null;
        }).invoke(entry -> (entry == null ? counters.l2Misses : counters.l2Hits).increment());
    }

    /**
     * @return whether this instance took the lease: {@code null} if Redis could not tell
     */
    private Uni<Boolean> tryLease(String lease, Duration ttl) {
        return l2.tryLease(lease, owner, ttl).onFailure().recoverWithItem(failure -> {
            l2Failure("lease", lease, failure);
            return null;
        });
    }

    private Uni<Boolean> leaseHeld(String lease) {
        return l2.leaseHeld(lease).onFailure().recoverWithItem(failure -> {
            l2Failure("lease", lease, failure);
            return false;
        });
    }

    private void releaseLease(String lease) {
        if (lease != null && l2 != null) {
            l2.releaseLease(lease, owner).subscribe().with(ok -> {
            }, failure -> l2Failure("release", lease, failure));
        }
    }

    private void l2Failure(String operation, String key, Throwable failure) {
        counters.l2Errors.increment();
        LOG.debugf("CMS cache Redis %s of %s failed: %s", operation, key, failure.getMessage());
    }

    /**
     * Waits for a store where the thread may block; elsewhere lets it run on.
     *
     * @return its result, or {@code null} if it was not waited for
     */
    private static <T> T awaitIfAllowed(Uni<T> work) {
        if (BlockingOperationControl.isBlockingAllowed()) {
            return work.await().indefinitely();
        }
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache store failed: %s", failure.getMessage()));
        return null;
    }

    /**
     * Reports a read: to the computation it happened in, which now depends on the entry, or, for a read made directly
     * by an HTTP request, to the request (for {@code @CmsCachedResponse}); and counts it for warming.
     */
    private void read(CacheRequest request, Computation parent, Entry entry, Reloadable loader) {
        if (parent != null) {
            parent.dependOn(entry);
        } else if (request != null) {
            request.served(entry);
        }
        if (hot != null) {
            hot.read(entry.key(), loader);
        }
    }

    private static boolean carriesAny(Entry entry, Set<String> tags) {
        if (tags.isEmpty()) {
            return false;
        }
        for (String tag : entry.tags()) {
            if (tags.contains(tag)) {
                return true;
            }
        }
        return false;
    }

    private static IllegalStateException recursion(Computation parent, String key) {
        List<String> chain = parent.chain();
        return new IllegalStateException("CMS cache entry " + key + " is read while it is being computed: "
                + key + " <- " + String.join(" <- ", chain) + ". A @CmsCached method must not read its own entry");
    }

    private static Map<String, Object> contextMap(Context context) {
        Map<String, Object> map = new HashMap<>();
        for (String k : context.keys()) {
            map.put(k, context.get(k));
        }
        return map;
    }
}
