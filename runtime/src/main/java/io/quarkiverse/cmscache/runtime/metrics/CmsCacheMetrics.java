package io.quarkiverse.cmscache.runtime.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationRecord;
import io.quarkiverse.cmscache.runtime.invalidation.Trigger;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkiverse.cmscache.runtime.region.Region;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Publishes the cache's metrics ({@code cms.cache.*}) to Micrometer. A bean only when the application has
 * {@code quarkus-micrometer} (the deployment registers it for that capability), so that without Micrometer no class of
 * it is loaded.
 * <p>
 * The read path is not touched: region meters are function meters over the counters behind {@link RegionStats}, read
 * when the registry is scraped; only invalidations, which are rare, update meters as they happen.
 */
public class CmsCacheMetrics {

    static final String PREFIX = "cms.cache.";

    @Inject
    MeterRegistry registry;

    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    /** What this binder registered, removed at shutdown: meters outlive an application in dev mode's registry. */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<String, Counter> invalidations = new ConcurrentHashMap<>();
    private DistributionSummary l1Evicted;
    private DistributionSummary l2Evicted;
    private Timer delay;

    void bind(@Observes StartupEvent event, CmsCacheEngine engine) {
        if (!engine.enabled()) {
            return;
        }
        engine.regions().observe(this::bindRegion);
        bindL2(engine);
        String evicted = "Entries evicted per invalidation, from this instance's L1 or from Redis";
        l1Evicted = add(DistributionSummary.builder(PREFIX + "invalidation.evicted").description(evicted)
                .tags("level", "l1").register(registry));
        l2Evicted = add(DistributionSummary.builder(PREFIX + "invalidation.evicted").description(evicted)
                .tags("level", "l2").register(registry));
        delay = add(Timer.builder(PREFIX + "invalidation.delay")
                .description("Time from an invalidation on another instance until this instance applied it")
                .register(registry));
        engine.invalidator().log().observe(record -> recordInvalidation(engine, record));
    }

    void unbind(@Observes ShutdownEvent event) {
        meters.forEach(registry::remove);
        meters.clear();
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    private void bindRegion(Region region) {
        if (!bound.add(region.name())) {
            return;
        }
        Tags tags = Tags.of("region", region.name());
        functionCounter("gets", "Reads of the region by level and result", tags.and("level", "l1", "result", "hit"),
                region, r -> r.stats().l1Hits());
        functionCounter("gets", "Reads of the region by level and result", tags.and("level", "l1", "result", "miss"),
                region, r -> r.stats().l1Misses());
        functionCounter("gets", "Reads of the region by level and result", tags.and("level", "l2", "result", "hit"),
                region, r -> r.stats().l2Hits());
        functionCounter("gets", "Reads of the region by level and result", tags.and("level", "l2", "result", "miss"),
                region, r -> r.stats().l2Misses());
        add(FunctionTimer.builder(PREFIX + "loads", region, r -> {
            RegionStats stats = r.stats();
            return stats.loads() + stats.loadFailures();
        }, r -> r.stats().loadTime().toNanos(), TimeUnit.NANOSECONDS)
                .description("Loader invocations on misses and their total duration").tags(tags).register(registry));
        functionCounter("load.failures", "Loader invocations that threw", tags, region, r -> r.stats().loadFailures());
        String evictions = "Entries that left this instance's L1, by cause";
        functionCounter("evictions", evictions, tags.and("level", "l1", "cause", "size"), region,
                r -> r.stats().evictions() - r.expirations());
        functionCounter("evictions", evictions, tags.and("level", "l1", "cause", "expired"), region,
                Region::expirations);
        functionCounter("evictions", evictions, tags.and("level", "l1", "cause", "invalidation"), region,
                r -> r.stats().invalidations());
        functionCounter("l2.errors", "Redis commands of the region that failed, timed out or were not sent", tags, region,
                r -> r.stats().l2Errors());
        add(Gauge.builder(PREFIX + "size", region, r -> r.l1().size()).description("Entries in this instance's L1")
                .tags(tags.and("level", "l1")).register(registry));
        add(Gauge.builder(PREFIX + "weight", region, r -> r.l1().weight())
                .description("Estimated bytes in this instance's L1 (byte-bounded regions)").baseUnit("bytes")
                .tags(tags.and("level", "l1")).register(registry));
    }

    private void functionCounter(String name, String description, Tags tags, Region region,
            ToDoubleFunction<Region> count) {
        add(FunctionCounter.builder(PREFIX + name, region, count).description(description).tags(tags)
                .register(registry));
    }

    private void bindL2(CmsCacheEngine engine) {
        for (L2State state : L2State.values()) {
            add(Gauge.builder(PREFIX + "l2.state", engine, e -> e.l2State() == state ? 1 : 0)
                    .description("1 for the current state of the Redis level (up, degraded, down, refused, off), else 0")
                    .tags("state", state.name().toLowerCase()).register(registry));
        }
        if (engine.l2() != null) {
            add(Gauge.builder(PREFIX + "l2.invalidations.unreplicated", engine, e -> e.invalidator().unreplicated())
                    .description("Invalidations made here that no Redis replica has confirmed yet; sent again after a "
                            + "failover")
                    .register(registry));
            for (CircuitBreakerState state : CircuitBreakerState.values()) {
                add(Gauge.builder(PREFIX + "l2.circuit", engine, e -> e.l2().breakerState() == state ? 1 : 0)
                        .description("1 for the current state of the circuit breaker in front of Redis, else 0")
                        .tags("state", state.name().toLowerCase()).register(registry));
            }
            add(Gauge.builder(PREFIX + "l2.commands", engine, e -> e.l2().commandsInFlight())
                    .description("The cache's Redis commands in the Redis client now (at most l2.max-in-flight)")
                    .tags("state", "in-flight").register(registry));
            add(Gauge.builder(PREFIX + "l2.commands", engine, e -> e.l2().commandsWaiting())
                    .description("The cache's Redis commands waiting for a place in the Redis client now")
                    .tags("state", "waiting").register(registry));
            add(FunctionCounter.builder(PREFIX + "l2.commands.rejected", engine, e -> e.l2().commandsRejected())
                    .description("Redis commands not sent because l2.max-waiting commands were already waiting")
                    .register(registry));
            add(FunctionCounter.builder(PREFIX + "l2.swept", engine, e -> e.metadataSweep().membersRemoved())
                    .description("Tag set members whose entry was gone, removed by this instance's metadata sweep")
                    .tags("kind", "tag-set-member").register(registry));
            add(FunctionCounter.builder(PREFIX + "l2.swept", engine, e -> e.metadataSweep().versionsDeleted())
                    .description("Tag versions older than their retention, deleted by this instance's metadata sweep")
                    .tags("kind", "tag-version").register(registry));
            add(FunctionCounter.builder(PREFIX + "l2.drained", engine, e -> e.metadataSweep().entriesDrained())
                    .description("Entries deleted by this instance's steps of pending invalidations (drains of tags "
                            + "with more than 1,000 entries in a slot group, invalidations another instance left "
                            + "half-way)")
                    .register(registry));
            add(Gauge.builder(PREFIX + "l2.pending", engine, e -> e.invalidator().versions().pendingTags())
                    .description("Tags with an invalidation not yet applied in every slot group of Redis (being "
                            + "applied, or drained), as this instance knows: their older entries are misses")
                    .register(registry));
            add(FunctionCounter.builder(PREFIX + "l2.generations", engine, e -> e.invalidator().generationsAdopted())
                    .description("New generations this instance adopted because Redis went back in time (a restart "
                            + "from an older snapshot, a failover to a replica that lagged): each dropped its L1")
                    .register(registry));
        }
    }

    private void recordInvalidation(CmsCacheEngine engine, InvalidationRecord record) {
        boolean remote = record.remoteTo(engine.instanceId());
        Trigger.Kind trigger = record.trigger().kind();
        String origin = remote ? "remote" : "local";
        invalidations.computeIfAbsent(trigger.label() + " " + origin, k -> add(Counter.builder(PREFIX + "invalidations")
                .description("Invalidations applied by this instance, by trigger and origin")
                .tags("trigger", trigger.label(), "origin", origin).register(registry))).increment();
        l1Evicted.record(Math.max(0, record.l1Evicted()));
        if (!remote && record.redisDeleted() >= 0) {
            l2Evicted.record(record.redisDeleted());
        }
        if (remote && record.at() > 0 && record.appliedAt() > 0) {
            delay.record(Math.max(0, record.appliedAt() - record.at()), TimeUnit.MILLISECONDS);
        }
    }
}
