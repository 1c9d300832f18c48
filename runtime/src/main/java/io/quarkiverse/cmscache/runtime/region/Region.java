package io.quarkiverse.cmscache.runtime.region;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 * The read path of one region: L1, then Redis, then the loader; and the write path that stores a loaded value in
 * Redis and L1 unless it became stale while it was loaded.
 * <p>
 * <b>One path, two drivers.</b> A miss is handled once, as a {@code Uni} ({@link #miss}). The non-blocking read
 * returns it; the blocking read runs it on the caller's thread through a {@link CallerThread}, to which every step
 * that follows a Redis answer, a timer or another thread's load is handed back, so a blocking loader runs on the
 * caller's thread. Only the L1 hit, which never waits, is written out in each driver.
 * <p>
 * <b>Reads.</b> An L1 hit returns at once, if the entry was loaded as the type asked for (else it is a miss and a
 * warning: one key, one computation). A miss joins the key's {@link Flight} or starts one; the flight reads Redis (a
 * hit fills L1), then, with stampede protection, takes a lease so that one instance loads while the others wait for
 * its value, and runs the loader inside a {@link Computation} that collects its dependencies. A reader waits for a
 * flight at most {@code stampede.max-wait}, then fetches by itself; a wait that would close a cycle (two entries that
 * read each other, entered from two threads) fails at once with an error naming the keys. Every read, hit or miss,
 * adds the entry to the computation the caller runs in, if any.
 * <p>
 * <b>Freshness.</b> An L1 entry is fresh for {@code l1.expire-after-write}. A hit in the last {@code refresh-ahead}
 * part of that time (or picked by probabilistic early expiration) triggers a background refresh through the
 * {@link Refresher}; after it, the entry is still served for {@code stale-while-revalidate} while it is refreshed,
 * and kept for {@code stale-if-error} to be served if its reload fails. A refresh is a load like any other: it is
 * refused if a tag it depends on is invalidated meanwhile.
 * <p>
 * <b>Writes.</b> A load captures, before it starts, this instance's sequence basis and local epoch, and the entry
 * carries, per tag, the oldest basis and epoch of what it read. The Redis write script refuses the entry if one of
 * its tags was invalidated after its basis; L1 is filled only after Redis accepted (or could not be reached), and
 * only if no tag was invalidated here after its epoch, checked atomically with the fill ({@link L1Region#fill}): an
 * out-of-date entry is never visible. A value that is {@code null} without negative caching, larger than the region's
 * limit, or computed in a transaction that changes one of its tags is returned but not stored; a value larger than
 * {@code l1.max-value-size} is stored in Redis only.
 * <p>
 * <b>Transactions.</b> A miss inside a transaction loads by itself (no other reader waits for what it computes) and
 * its store is held back until the transaction has committed and its invalidations have run; on rollback it is
 * dropped ({@link AfterCommit.Transaction#storeOnCommit}).
 * <p>
 * <b>Thread contexts.</b> The miss path is the cache's own work: it is assembled and run with no thread context, so
 * that the caller's transaction or request context never reaches the event loop that delivers Redis's answers. Loaders
 * are the caller's code and run through the read's {@link CallerContext}, with the caller's contexts.
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
    /** What a flight wait that ran out yields, in place of an entry. */
    private static final Entry WAIT_EXPIRED = new Entry("", "", null, new String[0], 0, 0, 0, 0, new long[0], null);

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
    private final long lifeNanos;
    private final long refreshAtNanos;
    private final long staleServedUntilNanos;
    private final long staleIfErrorUntilNanos;
    private final long refreshRetryNanos;
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedNotJson = new AtomicBoolean();
    private final AtomicBoolean warnedOversize = new AtomicBoolean();
    private final AtomicBoolean warnedType = new AtomicBoolean();

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

    // ---------------------------------------------------------------------------------------------------------------
    // The two drivers
    // ---------------------------------------------------------------------------------------------------------------

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
        Entry served = servedFromL1(key, declaredType, dirty, loader);
        if (served != null) {
            read(request, parent, served, loader);
            return served.value();
        }
        CallerThread caller = new CallerThread();
        // On an I/O thread the caller cannot wait for Redis: it loads by itself and stores without waiting.
        boolean canWait = BlockingOperationControl.isBlockingAllowed();
        Read read = new Read(key, codec.valueType(declaredType), loader, CallerContext.onThisThread(), parent, dirty,
                Context.empty(), afterCommit.current(versions), caller, caller, canWait);
        Entry entry;
        try {
            entry = CallerContext.ownWorkThrowing(() -> caller.await(miss(read)));
        } catch (Exception | Error failure) {
            Entry fallback = servableIfError(key, read.type());
            if (fallback == null) {
                throw failure;
            }
            LOG.debugf("CMS cache serves %s stale: its reload failed (%s)", key, failure.getMessage());
            entry = fallback;
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
            Entry served = servedFromL1(key, declaredType, dirty, loader);
            if (served != null) {
                read(request, parent, served, loader);
                return Uni.createFrom().item(served.value());
            }
            Read read = new Read(key, codec.valueType(declaredType), loader, CallerContext.captured(), parent, dirty,
                    context, afterCommit.current(versions), null, callersContext(), true);
            return CallerContext.ownWork(() -> miss(read).onFailure().recoverWithUni(failure -> {
                Entry fallback = servableIfError(key, read.type());
                if (fallback == null) {
                    return Uni.createFrom().failure(failure);
                }
                LOG.debugf("CMS cache serves %s stale: its reload failed (%s)", key, failure.getMessage());
                return Uni.createFrom().item(fallback);
            }).map(entry -> {
                read(request, parent, entry, loader);
                return entry.value();
            }));
        });
    }

    /**
     * Stores a value as if it had just been loaded.
     */
    public void put(String key, Object value, Collection<String> dependsOn) {
        Computation computation = new Computation(key, null, versions.basis(), versions.epoch());
        computation.addAll(dependsOn);
        boolean canWait = BlockingOperationControl.isBlockingAllowed();
        Read read = new Read(key, null, null, null, null, afterCommit.dirtyTags(versions), Context.empty(),
                afterCommit.current(versions), null, null, canWait);
        CallerContext.ownWork(() -> awaitOrDetach(store(read, prepare(key, computation, value, null, 0))));
    }

    /**
     * Reloads an entry with its recipe and stores the result, unless another instance has refreshed it or is doing
     * so. Blocking; called by the {@link Refresher} on a worker thread.
     */
    void refresh(Entry current, ValueType type, Recipe recipe) {
        CallerThread caller = new CallerThread();
        Read read = new Read(current.key(), type, Loader.of(recipe::load), CallerContext.onThisThread(), null,
                Set.of(), Context.empty(), null, caller, caller, true);
        try {
            Contexts.inRequestContext(() -> CallerContext.ownWorkThrowing(() -> caller.await(refreshing(current, read))));
        } catch (Exception e) {
            // Counted and deferred by refreshing(); the failure itself only matters to the log.
            LOG.debugf("CMS cache could not refresh %s: %s", current.key(), e.getMessage());
        }
    }

    /**
     * Non-blocking {@link #refresh}; called by the {@link Refresher} on a Vert.x duplicated context.
     */
    Uni<Void> refreshAsync(Entry current, ValueType type, Recipe recipe) {
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
        Read read = new Read(current.key(), type, loader, CallerContext.captured(), null, Set.of(), Context.empty(),
                null, null, callersContext(), true);
        return CallerContext.ownWork(() -> refreshing(current, read));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // L1 hits
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @return the L1 entry to serve, or {@code null} for a miss: none, one carrying a tag the current transaction
     *         changes, one loaded as another type, or one past serving (it may still be served if its reload fails)
     */
    private Entry servedFromL1(String key, Type declaredType, Set<String> dirty, Reloadable loader) {
        Entry hit = l1.get(key);
        if (hit == null || carriesAny(hit, dirty) || !answers(hit, declaredType)) {
            return null;
        }
        return serve(hit, declaredType, loader);
    }

    private boolean answers(Entry entry, Type declaredType) {
        ValueType type = entry.type();
        if (type != null && type.declared() == declaredType) {
            return true;
        }
        if (entry.answers(codec.valueType(declaredType))) {
            return true;
        }
        // Said once per region: the key rule makes this a programming error, not an operating condition.
        Logger.Level level = warnedType.compareAndSet(false, true) ? Logger.Level.WARN : Logger.Level.DEBUG;
        LOG.logf(level, "CMS cache entry %s was stored as %s and is read as %s: treated as a miss. A key names one "
                + "value type; read it with the type it is loaded with", entry.key(),
                type == null ? entry.value().getClass().getName() : type.javaType(), declaredType.getTypeName());
        return false;
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

    /**
     * @return the L1 entry that may be served because a reload failed, or {@code null}
     */
    private Entry servableIfError(String key, ValueType type) {
        Entry kept = l1.get(key);
        if (kept == null || !kept.answers(type) || System.nanoTime() - kept.filledAt() >= staleIfErrorUntilNanos) {
            return null;
        }
        counters.staleServed.increment();
        return kept;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Misses: the one path
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * One miss, as the drivers hand it to the read path.
     *
     * @param key the entry key
     * @param type the value type
     * @param loader a {@link Loader} or an {@link AsyncLoader}
     * @param caller where the loader runs: in the caller's context
     * @param parent the computation the read is made in, or {@code null}
     * @param dirty the tags the current transaction changes
     * @param context the Mutiny context of the read, passed on to an asynchronous loader
     * @param transaction the transaction the read is made in, or {@code null}
     * @param resume where a step that follows a Redis answer runs: the caller's thread for a blocking read, else
     *        {@code null} (where the answer arrives)
     * @param returnTo where a step that follows a timer or another thread's load runs: the caller's thread, its
     *        Vert.x context, or {@code null}
     * @param canWait whether the read may wait for Redis and other readers (not a blocking read on an I/O thread)
     */
    private record Read(String key, ValueType type, Reloadable loader, CallerContext caller, Computation parent,
            Set<String> dirty, Context context, AfterCommit.Transaction transaction, Executor resume, Executor returnTo,
            boolean canWait) {
    }

    private Uni<Entry> miss(Read read) {
        counters.l1Misses.increment();
        if (read.parent() != null && read.parent().computes(read.key())) {
            return Uni.createFrom().failure(recursion(read.parent(), read.key()));
        }
        if (!read.dirty().isEmpty() || !read.canWait()) {
            // What the transaction changes is read from its own view; a caller that cannot wait loads by itself.
            return load(read, versions.epoch(), null);
        }
        while (true) {
            Flight current = flights.get(read.key());
            if (current != null && current.joinable(versions)) {
                return join(read, current);
            }
            if (read.transaction() != null) {
                // What a transaction loads is not shared, not even through the lease: it may see its own uncommitted
                // changes, and it is stored only after commit.
                return fetch(read, versions.epoch(), null, false);
            }
            Flight mine = new Flight(read.key(), settings.name(), versions.epoch());
            if (current == null ? flights.putIfAbsent(read.key(), mine) == null
                    : flights.replace(read.key(), current, mine)) {
                return fly(read, mine);
            }
        }
    }

    /**
     * Runs the fetch of a flight this read started. It is subscribed here, not by the caller, so that a caller
     * cancelling does not cancel the other readers' fetch; the flight leaves the map before it completes, so that a
     * reader arriving later is not handed its outcome (above all a failure, which is never cached) but finds the
     * entry in L1 or fetches anew.
     */
    private Uni<Entry> fly(Read read, Flight flight) {
        fetch(read, flight.startEpoch(), flight, true).subscribe().with(entry -> {
            flights.remove(read.key(), flight);
            flight.complete(entry);
        }, failure -> {
            flights.remove(read.key(), flight);
            flight.fail(failure);
        });
        return flight.outcome();
    }

    /**
     * Waits for another reader's flight, at most {@code stampede.max-wait}; then, or if the outcome is out of date
     * here or of another type, fetches by itself.
     */
    private Uni<Entry> join(Read read, Flight flight) {
        Computation waiting = read.parent();
        if (waiting != null) {
            List<String> cycle = waiting.startWaiting(flight);
            if (cycle != null) {
                return Uni.createFrom().failure(new IllegalStateException("CMS cache entries " + cycle.get(0)
                        + " and " + flight.key() + " read each other: " + String.join(" -> ", cycle)
                        + ". A @CmsCached method must not read an entry whose computation reads its own entry"));
            }
        }
        Uni<Entry> outcome = flight.outcome()
                .ifNoItem().after(settings.stampedeMaxWait()).recoverWithItem(WAIT_EXPIRED);
        return on(read.returnTo(), outcome).chain(entry -> {
            if (entry == WAIT_EXPIRED) {
                LOG.warnf("CMS cache stopped waiting for the load of %s after %s (quarkus.cms-cache.regions.\"%s\""
                        + ".stampede.max-wait) and fetches it by itself", read.key(), settings.stampedeMaxWait(),
                        settings.name());
                return fetch(read, versions.epoch(), null, false);
            }
            if (versions.isStale(entry.tags(), entry.epochs()) || !entry.answers(read.type())) {
                return fetch(read, versions.epoch(), null, false);
            }
            return Uni.createFrom().item(entry);
        }).onTermination().invoke(() -> {
            if (waiting != null) {
                waiting.stopWaiting();
            }
        });
    }

    /**
     * L1 again (a flight that ended just before this one began stored it), then Redis, then the lease, then the
     * loader.
     *
     * @param epoch the local epoch when the fetch began
     * @param flight the flight this fetch runs, or {@code null}
     * @param lease whether to take the stampede lease
     */
    private Uni<Entry> fetch(Read read, long epoch, Flight flight, boolean lease) {
        Entry filled = freshInL1(read.key());
        if (filled != null && filled.answers(read.type())) {
            return Uni.createFrom().item(filled);
        }
        if (l2 == null) {
            return load(read, epoch, flight);
        }
        return on(read.resume(), readL2(read.key(), read.type(), epoch)).chain(stored -> {
            if (stored != null) {
                fill(stored);
                return Uni.createFrom().item(stored);
            }
            if (!lease || !settings.stampedeLease()) {
                return load(read, epoch, flight);
            }
            return loadWithLease(read, epoch, flight);
        });
    }

    private Uni<Entry> loadWithLease(Read read, long epoch, Flight flight) {
        String lease = l2.keys().lease(read.key());
        return on(read.resume(), tryLease(lease, settings.stampedeLeaseTtl())).chain(leased -> {
            if (Boolean.TRUE.equals(leased)) {
                return load(read, epoch, flight).onTermination().invoke(() -> releaseLease(lease));
            }
            if (leased == null) {
                return load(read, epoch, flight);
            }
            counters.leaseWaits.increment();
            long deadline = System.nanoTime() + settings.stampedeMaxWait().toNanos();
            return awaitLeaseHolder(read, lease, epoch, deadline, LEASE_POLL_FIRST_MS).chain(theirs -> {
                if (theirs != null) {
                    fill(theirs);
                    return Uni.createFrom().item(theirs);
                }
                return load(read, epoch, flight);
            });
        });
    }

    /**
     * Waits for the instance holding the lease to store the entry; gives up when the lease is gone without a value
     * (the holder failed, or its value is not cacheable) or after {@code stampede.max-wait}.
     *
     * @return the entry the holder stored, or {@code null}
     */
    private Uni<Entry> awaitLeaseHolder(Read read, String lease, long epoch, long deadline, long pause) {
        if (System.nanoTime() >= deadline) {
            return Uni.createFrom().nullItem();
        }
        Uni<Void> delay = on(read.returnTo(), Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pause)));
        return delay.chain(() -> on(read.resume(), readL2(read.key(), read.type(), epoch))).chain(stored -> {
            if (stored != null) {
                return Uni.createFrom().item(stored);
            }
            // The holder stores the entry, then gives the lease back: a lease found free after a miss may have been
            // given back between the two reads, so the entry is read once more before this instance loads it itself.
            return on(read.resume(), leaseHeld(lease)).chain(held -> Boolean.TRUE.equals(held)
                    ? awaitLeaseHolder(read, lease, epoch, deadline, Math.min(pause * 2, LEASE_POLL_MAX_MS))
                    : on(read.resume(), readL2(read.key(), read.type(), epoch)));
        });
    }

    /**
     * Runs the loader in a new computation and stores what it returns.
     *
     * @param epoch the local epoch the value will be consistent with (when the fetch began)
     * @param flight the flight the load runs for, or {@code null}
     */
    private Uni<Entry> load(Read read, long epoch, Flight flight) {
        return Uni.createFrom().deferred(() -> {
            Computation computation = new Computation(read.key(), read.parent(), versions.basis(), epoch);
            if (flight != null) {
                flight.loading(computation);
            }
            long start = System.nanoTime();
            return runLoader(read, computation).onItemOrFailure().transformToUni((value, failure) -> {
                long loadNanos = System.nanoTime() - start;
                if (failure != null) {
                    computation.finish();
                    counters.loaded(loadNanos, true);
                    return Uni.createFrom().failure(failure);
                }
                counters.loaded(loadNanos, false);
                return store(read, prepare(read.key(), computation, value, read.type(), loadNanos));
            });
        });
    }

    /**
     * Calls the loader in the caller's context with the computation current: on this thread for a blocking loader (the
     * thread-local), and in the subscriber context of an asynchronous loader's {@code Uni}, which reaches nested cached
     * {@code Uni}s. The computation is entered inside the caller's context, which would otherwise put back the
     * computation current when the read began.
     */
    private static Uni<?> runLoader(Read read, Computation computation) {
        try {
            if (read.loader() instanceof Loader blocking) {
                return Uni.createFrom().item(read.caller().run(() -> inComputation(computation, blocking::call)));
            }
            AsyncLoader async = (AsyncLoader) read.loader();
            Uni<?> result = read.caller().run(() -> inComputation(computation, async::get));
            Context inner = Context.from(contextMap(read.context())).put(Computation.CONTEXT_KEY, computation);
            return Uni.createFrom().emitter(emitter -> result.subscribe().with(inner, emitter::complete, emitter::fail));
        } catch (Throwable failure) {
            return Uni.createFrom().failure(failure);
        }
    }

    private static <T> T inComputation(Computation computation, Callable<T> code) throws Exception {
        Computation previous = Computation.enter(computation);
        try {
            return code.call();
        } finally {
            Computation.restore(previous);
        }
    }

    /**
     * Reloads an entry unless another instance has refreshed it (its copy in Redis is newer, which is then taken) or
     * is doing so (it holds the refresh lease, in which case this copy tries again later).
     */
    private Uni<Void> refreshing(Entry current, Read read) {
        long epoch = versions.epoch();
        if (l2 == null) {
            return reload(current, read, epoch, null);
        }
        String lease = l2.keys().refreshLease(current.key());
        return on(read.resume(), readL2(current.key(), read.type(), epoch)).chain(stored -> {
            if (stored != null && stored.createdAt() > current.createdAt()) {
                fill(stored);
                return Uni.createFrom().voidItem();
            }
            return on(read.resume(), tryLease(lease, settings.stampedeLeaseTtl())).chain(leased -> {
                if (Boolean.FALSE.equals(leased)) {
                    deferRefresh(current);
                    return Uni.createFrom().voidItem();
                }
                // Without an answer from Redis (null), this instance refreshes without the lease.
                return reload(current, read, epoch, Boolean.TRUE.equals(leased) ? lease : null);
            });
        });
    }

    private Uni<Void> reload(Entry current, Read read, long epoch, String heldLease) {
        return load(read, epoch, null)
                .invoke(loaded -> counters.refreshes.increment())
                .onFailure().invoke(failure -> {
                    counters.refreshFailures.increment();
                    deferRefresh(current);
                })
                .onTermination().invoke(() -> releaseLease(heldLease))
                .replaceWithVoid();
    }

    /**
     * After a refresh another instance is doing, or one that failed, this copy tries again only after a tenth of its
     * refresh window (at least 50 ms, at most 5 s), not on every read.
     */
    private void deferRefresh(Entry current) {
        current.deferRefresh(System.nanoTime() + refreshRetryNanos);
    }

    /**
     * @return the entry L1 holds for the key if it is still within its life, else {@code null}
     */
    private Entry freshInL1(String key) {
        Entry filled = l1.get(key);
        return filled != null && System.nanoTime() - filled.filledAt() < lifeNanos ? filled : null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writes
    // ---------------------------------------------------------------------------------------------------------------

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
        long[] epochs = computation.epochsOf(allTags);
        long basis = computation.oldestBasis();
        long createdAt = System.currentTimeMillis();
        if (value == null && !settings.negativeCaching()) {
            return new Loaded(new Entry(key, settings.name(), null, allTags, basis, createdAt, 0, loadNanos, epochs,
                    type), computation);
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
        Entry entry = new Entry(key, settings.name(), value, allTags, basis, createdAt, weight, loadNanos, epochs,
                type);
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
     * Stores a loaded entry, unless it may not be stored: now, or, inside a transaction, once it has committed; a
     * caller that cannot wait does not wait for it.
     *
     * @return the entry to hand to the callers: the stored copy if Redis accepted it, else the loaded one
     */
    private Uni<Entry> store(Read read, Loaded loaded) {
        Entry entry = loaded.entry();
        if (!loaded.storable() || carriesAny(entry, read.dirty())) {
            return Uni.createFrom().item(entry);
        }
        AfterCommit.Transaction transaction = read.transaction();
        if (transaction != null) {
            // Run by the committing thread, which waits for it where it may block, as it does for the invalidations.
            if (!transaction.storeOnCommit(entry.tags(),
                    () -> CallerContext.ownWork(() -> awaitOrDetach(write(loaded))))) {
                LOG.debugf("CMS cache does not store %s: its transaction cannot commit or holds too many stores",
                        entry.key());
            }
            return Uni.createFrom().item(entry);
        }
        if (!read.canWait()) {
            detach(write(loaded));
            return Uni.createFrom().item(entry);
        }
        return write(loaded);
    }

    /**
     * Writes a loaded entry to Redis, then L1.
     */
    private Uni<Entry> write(Loaded loaded) {
        Entry entry = loaded.entry();
        if (loaded.json() == null) {
            fill(entry);
            return Uni.createFrom().item(entry);
        }
        // Once Redis has checked every tag against the basis of the read it came from, the entry is consistent with
        // the load's own basis: that is what the stored copy carries, so that a computation reading it later is not
        // held back by the oldest thing this one read (a header cached since start-up).
        Entry checked = entry.withBasis(loaded.ownBasis());
        return l2.write(checked, loaded.json(), settings.l2Ttl(), loaded.tagBases())
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
                        fill(entry);
                        return entry;
                    }
                    fill(checked);
                    return checked;
                });
    }

    /**
     * Puts an entry into L1 if no tag of it was invalidated here after its epoch for that tag; the check and the
     * publication are one atomic step ({@link L1Region#fill}). Values above {@code l1.max-value-size} stay in Redis
     * only.
     *
     * @return whether the entry is in L1 now
     */
    boolean fill(Entry entry) {
        if (settings.l1MaxValueSize() > 0 && entry.weight() > settings.l1MaxValueSize()) {
            return false;
        }
        if (l1.fill(entry.filledNow(), filled -> !versions.isStale(filled.tags(), filled.epochs()))) {
            return true;
        }
        counters.staleWritesRejected.increment();
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Redis
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @param epoch the local epoch when the fetch began, which the entry read is consistent with
     */
    private Uni<Entry> readL2(String key, ValueType type, long epoch) {
        return l2.read(key).map(fields -> {
            if (fields == null) {
                return null;
            }
            try {
                Entry entry = codec.read(key, settings.name(), fields[0], fields[1], fields[2], type, epoch);
                if (entry == null) {
                    Logger.Level level = warnedType.compareAndSet(false, true) ? Logger.Level.WARN
                            : Logger.Level.DEBUG;
                    LOG.logf(level, "CMS cache entry %s in Redis was stored as another type than %s: treated as a "
                            + "miss. A key names one value type", key, type.javaType());
                    return null;
                }
                // Not trusted while an invalidation of one of its tags has not reached Redis, nor if it was loaded
                // before Redis last went back in time (its basis is below the floor), nor if an invalidation pending in Redis is to delete it.
                return versions.isUnconfirmed(entry.tags()) || entry.basis() < l2.floor()
                        || versions.isPending(entry.tags(), entry.basis()) ? null : entry;
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

    // ---------------------------------------------------------------------------------------------------------------
    // Invalidation and diagnostics
    // ---------------------------------------------------------------------------------------------------------------

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

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

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

    /**
     * @return the work, continued on the executor if there is one
     */
    private static <T> Uni<T> on(Executor executor, Uni<T> work) {
        return executor == null ? work : work.emitOn(executor);
    }

    /**
     * @return the caller's Vert.x context as an executor, where its asynchronous loader expects to run after a timer,
     *         or {@code null}
     */
    private static Executor callersContext() {
        io.vertx.core.Context vertxContext = io.vertx.core.Vertx.currentContext();
        return vertxContext == null ? null : command -> vertxContext.runOnContext(ignored -> command.run());
    }

    /**
     * Waits for a store where the thread may block; elsewhere lets it run on.
     */
    private static void awaitOrDetach(Uni<?> work) {
        if (BlockingOperationControl.isBlockingAllowed()) {
            work.await().indefinitely();
        } else {
            detach(work);
        }
    }

    private static void detach(Uni<?> work) {
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache store failed: %s", failure.getMessage()));
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
