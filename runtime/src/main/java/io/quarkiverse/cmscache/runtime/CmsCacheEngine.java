package io.quarkiverse.cmscache.runtime;

import java.lang.reflect.Type;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsInvalidationListener;
import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationFeed;
import io.quarkiverse.cmscache.runtime.invalidation.Invalidator;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.invalidation.Trigger;
import io.quarkiverse.cmscache.runtime.l1.L1Budget;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkiverse.cmscache.runtime.l2.MetadataSweep;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkiverse.cmscache.runtime.region.CallerContext;
import io.quarkiverse.cmscache.runtime.region.HotEntries;
import io.quarkiverse.cmscache.runtime.region.Refresher;
import io.quarkiverse.cmscache.runtime.region.Region;
import io.quarkiverse.cmscache.runtime.region.Regions;
import io.quarkiverse.cmscache.runtime.region.SupplierLoaders;
import io.quarkiverse.cmscache.runtime.tags.Computation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * One instance of the cache: its regions (L1 and read path), its invalidation path and, with Redis, its invalidation
 * feed. The application has one, produced as a CDI bean and used by the interceptors and by injected
 * {@link CmsCache}; tests build more to play several application instances against one Redis.
 * <p>
 * Wiring order is the dependency order: tag versions, regions, invalidator, feed. Thread-safe.
 */
public final class CmsCacheEngine implements CmsCache, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CmsCacheEngine.class);
    private static final long HOT_FLUSH_PERIOD_MS = 10_000;
    private static final long BUDGET_PERIOD_MS = 1_000;
    private static final long SWEEP_PERIOD_MS = 1_000;

    private final EngineSettings settings;
    private final EntryCodec codec;
    private final Regions regions;
    private final Invalidator invalidator;
    private final TagIndex index = new TagIndex();
    private final RedisL2 l2;
    private final InvalidationFeed feed;
    private final Refresher refresher;
    private final HotEntries hot;
    private final L1Budget budget;
    private final MetadataSweep sweep;
    private final Vertx vertx;
    private final String instanceId;
    private final List<Long> timers = new ArrayList<>();

    /**
     * @param settings the resolved configuration
     * @param redis the Redis client; ignored (may be {@code null}) when L2 is off
     * @param vertx Vert.x, for the feed's timers
     * @param mapper the application's object mapper, copied for L2 values
     * @param afterCommit transaction support, or {@link AfterCommit#NONE}
     * @param listeners told about the invalidations that originate on this instance
     */
    public CmsCacheEngine(EngineSettings settings, Redis redis, Vertx vertx, ObjectMapper mapper,
            AfterCommit afterCommit, List<CmsInvalidationListener> listeners) {
        this.settings = settings;
        this.vertx = vertx;
        this.instanceId = newInstanceId();
        this.codec = new EntryCodec(mapper);
        boolean useRedis = settings.enabled() && settings.l2Enabled();
        this.l2 = useRedis
                ? new RedisL2(redis, new RedisKeyspace(settings.keyPrefix(), settings.keyVersion(), settings.slotGroups()),
                        settings.l2Timeout(), vertx, settings.breaker(), settings.commands(),
                        Infrastructure.getDefaultExecutor(), instanceId)
                : null;
        EngineSettings.Warming warming = settings.warming();
        this.hot = useRedis && warming.enabled() && warming.hotEntries() > 0
                ? new HotEntries(l2, codec.mapper(), warming.readSampling(), Math.max(1000, warming.hotEntries() * 10),
                        warming.halfLife())
                : null;
        this.refresher = new Refresher(vertx);
        TagVersions versions = new TagVersions(TagVersions.LOCAL_RETENTION, settings.l2Timeout());
        this.regions = new Regions(settings, index, versions, l2, codec, afterCommit, refresher, hot, instanceId);
        this.budget = settings.l1MaxMemory() > 0
                ? new L1Budget(settings.l1MaxMemory(), () -> regions.all().stream().map(Region::l1).toList())
                : null;
        this.invalidator = new Invalidator(regions, index, versions, l2, afterCommit, instanceId, settings.logSize(),
                listeners);
        this.sweep = useRedis ? new MetadataSweep(l2, settings.tagVersionRetention(),
                settings.l2Timeout().multipliedBy(2)) : null;
        if (sweep != null) {
            invalidator.onDrains(started -> sweep.drainNow(started));
        }
        this.feed = useRedis
                ? new InvalidationFeed(l2, vertx, invalidator, versions, settings.gapTimeout(), settings.l2Timeout(),
                        settings.logSize(), sweep::continuePending)
                : null;
    }

    /**
     * Starts listening to other instances' invalidations. Does not fail when Redis is unreachable.
     */
    public void start() {
        if (!settings.enabled()) {
            LOG.info("CMS cache is disabled (quarkus.cms-cache.enabled=false): cached methods run on every call");
        } else if (feed == null) {
            LOG.info("CMS cache L2 (Redis) is off (quarkus.cms-cache.l2.enabled=false): entries are cached in this "
                    + "instance's memory only and invalidations do not reach other instances");
        } else {
            feed.start(settings.l2Timeout());
            LOG.infof("CMS cache started with L1 and Redis (control slot %s, %d slot groups, instance %s)",
                    l2.keys().control(), l2.keys().groups().size(), instanceId);
        }
        if (hot != null) {
            timers.add(vertx.setPeriodic(HOT_FLUSH_PERIOD_MS, id -> hot.flush().subscribe().with(ok -> {
            }, failure -> {
            })));
        }
        if (budget != null) {
            timers.add(vertx.setPeriodic(BUDGET_PERIOD_MS, id -> budget.rebalance()));
        }
        if (sweep != null) {
            timers.add(vertx.setPeriodic(SWEEP_PERIOD_MS, id -> sweep.step()));
        }
    }

    @Override
    public void close() {
        timers.forEach(vertx::cancelTimer);
        refresher.close();
        if (hot != null) {
            try {
                hot.flush().await().atMost(settings.l2Timeout());
            } catch (RuntimeException e) {
                LOG.debugf("CMS cache could not record the last read counts: %s", e.getMessage());
            }
        }
        if (feed != null) {
            feed.close();
        }
        if (l2 != null) {
            l2.close();
        }
    }

    /**
     * @return how the second level is doing
     */
    public L2State l2State() {
        if (l2 == null) {
            return L2State.OFF;
        }
        return switch (l2.breakerState()) {
            // Half-open means a probe is on its way, not that Redis answered: still down until the probe succeeds,
            // so the state does not flicker between down and degraded once per breaker delay during an outage.
            case OPEN, HALF_OPEN -> L2State.DOWN;
            default -> feed.evictionPolicy().mayEvictMetadata() ? L2State.REFUSED
                    : feed.isSubscribed() && l2.distrusted() == null && !invalidator.versions().hasUnconfirmed()
                            ? L2State.UP
                            : L2State.DEGRADED;
        };
    }

    /**
     * @return keeps the Redis metadata bounded, or {@code null} without Redis
     */
    public MetadataSweep metadataSweep() {
        return sweep;
    }

    /**
     * @return counts reads for warming, or {@code null} when this instance does not
     */
    public HotEntries hotEntries() {
        return hot;
    }

    /**
     * @return runs background refreshes
     */
    public Refresher refresher() {
        return refresher;
    }

    /**
     * Keeps L1 within {@code quarkus.cms-cache.l1.max-memory} now (the engine also does it every second).
     */
    public void rebalanceL1() {
        if (budget != null) {
            budget.rebalance();
        }
    }

    public boolean enabled() {
        return settings.enabled();
    }

    public EngineSettings settings() {
        return settings;
    }

    public Region region(String name) {
        return regions.get(name);
    }

    public Regions regions() {
        return regions;
    }

    public Invalidator invalidator() {
        return invalidator;
    }

    public EntryCodec codec() {
        return codec;
    }

    /**
     * @return the invalidation feed, or {@code null} without Redis
     */
    public InvalidationFeed feed() {
        return feed;
    }

    /**
     * @return the Redis commands, or {@code null} without Redis
     */
    public RedisL2 l2() {
        return l2;
    }

    public String instanceId() {
        return instanceId;
    }

    @Override
    public <T> T get(String region, Object key, Class<T> type, Supplier<? extends T> loader) {
        return get(region, key, (Type) type, loader);
    }

    @Override
    public <T> T get(String region, Object key, TypeLiteral<T> type, Supplier<? extends T> loader) {
        return get(region, key, type.getType(), loader);
    }

    @SuppressWarnings("unchecked")
    private <T> T get(String region, Object key, Type type, Supplier<? extends T> loader) {
        if (!settings.enabled()) {
            return loader.get();
        }
        Region r = regions.get(region);
        try {
            return (T) r.get(EntryKeys.keyOf(r.name(), key), type, SupplierLoaders.blocking(loader));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            // Only a loader of another caller of the same key, an annotated method, can throw a checked exception.
            throw new CompletionException(e);
        }
    }

    @Override
    public <T> Uni<T> getAsync(String region, Object key, Class<T> type, Supplier<Uni<T>> loader) {
        return getAsync(region, key, (Type) type, loader);
    }

    @Override
    public <T> Uni<T> getAsync(String region, Object key, TypeLiteral<T> type, Supplier<Uni<T>> loader) {
        return getAsync(region, key, type.getType(), loader);
    }

    @SuppressWarnings("unchecked")
    private <T> Uni<T> getAsync(String region, Object key, Type type, Supplier<Uni<T>> loader) {
        if (!settings.enabled()) {
            return Uni.createFrom().deferred(loader::get);
        }
        Region r = regions.get(region);
        return (Uni<T>) r.getAsync(EntryKeys.keyOf(r.name(), key), type, SupplierLoaders.async(loader),
                Computation.current());
    }

    @Override
    public <T> void put(String region, Object key, T value, String... dependsOn) {
        List<String> tags = Arrays.asList(dependsOn);
        EntryKeys.checkTags(tags);
        if (!settings.enabled()) {
            return;
        }
        Region r = regions.get(region);
        r.put(EntryKeys.keyOf(r.name(), key), value, tags);
    }

    @Override
    public void invalidate(String region, Object key) {
        invalidateTags(EntryKeys.keyOf(EntryKeys.checkRegion(region), key));
    }

    @Override
    public void invalidateTags(String... tags) {
        invalidateTags(Arrays.asList(tags));
    }

    @Override
    public void invalidateTags(Collection<String> tags) {
        invalidateTags(tags, Trigger.API);
    }

    /**
     * {@link #invalidateTags(Collection)} for a given trigger, as recorded in the invalidation log.
     */
    public void invalidateTags(Collection<String> tags, Trigger trigger) {
        EntryKeys.checkTags(tags);
        if (settings.enabled()) {
            invalidator.invalidate(new LinkedHashSet<>(tags), trigger);
        }
    }

    @Override
    public Uni<Void> invalidateTagsAsync(Collection<String> tags) {
        return invalidateTagsAsync(tags, Trigger.API);
    }

    /**
     * {@link #invalidateTagsAsync(Collection)} for a given trigger, as recorded in the invalidation log.
     */
    public Uni<Void> invalidateTagsAsync(Collection<String> tags, Trigger trigger) {
        EntryKeys.checkTags(tags);
        if (!settings.enabled()) {
            return Uni.createFrom().voidItem();
        }
        return invalidator.invalidateAsync(new LinkedHashSet<>(tags), trigger);
    }

    @Override
    public void clear(String region) {
        invalidateTags(EntryKeys.regionTag(EntryKeys.checkRegion(region)));
    }

    @Override
    public Set<String> dependents(String tag) {
        EntryKeys.checkTag(tag);
        Set<String> keys = new TreeSet<>();
        index.forEach(tag, entry -> keys.add(entry.key()));
        if (l2 != null) {
            try {
                keys.addAll(CallerContext.ownWork(() -> l2.dependents(tag).await().indefinitely()));
            } catch (RuntimeException e) {
                LOG.debugf("CMS cache could not list the dependents of %s in Redis: %s", tag, e.getMessage());
            }
        }
        return keys;
    }

    @Override
    public RegionStats stats(String region) {
        return regions.get(region).stats();
    }

    @Override
    public Map<String, RegionStats> stats() {
        Map<String, RegionStats> all = new LinkedHashMap<>();
        regions.all().stream().map(Region::stats).sorted((a, b) -> a.region().compareTo(b.region()))
                .forEach(s -> all.put(s.region(), s));
        return all;
    }

    private static String newInstanceId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}
