package io.quarkiverse.cmscache.benchmarks.workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.benchmarks.Mode;
import io.quarkiverse.cmscache.benchmarks.Percentiles;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.config.CmsCacheConfig;
import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * (d) The edit-storm workload: one trace of reads and edits replayed, on its schedule, against each strategy in turn,
 * each on a fresh origin and (for the cached ones) a fresh key space in the local Redis.
 */
@ApplicationScoped
public class EditStorm {

    private static final Logger LOG = Logger.getLogger(EditStorm.class);
    static final int WORKERS = 8;

    @Inject
    CmsCacheConfig config;

    @Inject
    Redis redis;

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper mapper;

    public void run(Mode mode, Path result, String only) throws Exception {
        Site site = new Site(42);
        Trace trace = new Trace(site, mode.quick() ? 15_000 : 60_000, 7);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("trace", Map.of("reads", trace.reads, "readsPerSecond", Trace.READS_PER_SECOND,
                "sectionEdits", trace.editsByKind[0], "translationEdits", trace.editsByKind[1],
                "templateEdits", trace.editsByKind[2], "headerFooterEdits", trace.editsByKind[3],
                "originLoadCostMicros", Origin.LOAD_COST_NANOS / 1000, "workers", WORKERS));
        List<Function<Origin, Strategy>> strategies = List.of(
                origin -> new CachedSite("this extension", site, origin, engine(run, "precise"), engine(run, "precise"),
                        CachedSite.OnEdit.INVALIDATE_ITEM),
                origin -> new CachedSite("TTL only (600 s)", site, origin, engine(run, "ttl"), engine(run, "ttl"),
                        CachedSite.OnEdit.NOTHING),
                origin -> new CachedSite("invalidate all pages", site, origin, engine(run, "all"), engine(run, "all"),
                        CachedSite.OnEdit.INVALIDATE_ITEM_AND_ALL_PAGES),
                origin -> new Uncached(site, origin),
                origin -> new Oracle(site, origin));
        warmUp(site, run);
        // Cold: the caches start empty, as after a deployment without warming. Warm: every page was read once before
        // the trace starts, as on a site that has been running (or was warmed); only edits cause misses then.
        for (boolean warm : List.of(false, true)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Function<Origin, Strategy> create : strategies) {
                Origin origin = new Origin();
                try (Strategy strategy = create.apply(origin)) {
                    if (only != null && !strategy.name().startsWith(only)) {
                        continue;
                    }
                    if (warm && strategy.caches()) {
                        readEveryPage(site, strategy);
                        origin.loads.reset();
                        origin.loadNanos.reset();
                    }
                    Map<String, Object> row = replay(trace, strategy, origin);
                    rows.add(row);
                    LOG.infof("%s (%s): %s", strategy.name(), warm ? "warm" : "cold", row);
                }
            }
            results.put(warm ? "warmStart" : "coldStart", rows);
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(result.toFile(), results);
    }

    /**
     * Reads every page in every language once, on instance A (instance B finds them in Redis).
     */
    private static void readEveryPage(Site site, Strategy strategy) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Thread thread = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < Site.PAGES * Site.LANGUAGES; i = next.getAndIncrement()) {
                    strategy.read(true, i / Site.LANGUAGES, i % Site.LANGUAGES);
                }
            }, "edit-storm-prefill-" + w);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /**
     * Runs a short trace of its own on throwaway engines first, so that the first strategy measured does not pay for
     * the JIT, the Redis connections and the script loading alone.
     */
    private void warmUp(Site site, String run) throws Exception {
        Origin origin = new Origin();
        try (Strategy strategy = new CachedSite("warm-up", site, origin, engine(run, "warm-up"), engine(run, "warm-up"),
                CachedSite.OnEdit.INVALIDATE_ITEM)) {
            replay(new Trace(site, 10_000, 99), strategy, origin);
        }
    }

    private CmsCacheEngine engine(String run, String strategy) {
        EngineSettings settings = EngineSettings.from(config, Set.of()).withKeyVersion("storm-" + run + "-" + strategy);
        CmsCacheEngine engine = new CmsCacheEngine(settings, redis, vertx, mapper, AfterCommit.NONE, List.of());
        engine.start();
        return engine;
    }

    private static Map<String, Object> replay(Trace trace, Strategy strategy, Origin origin) throws Exception {
        int size = trace.ops.size();
        long[] latency = new long[size];
        boolean[] hit = new boolean[size];
        long[] lag = new long[size];
        LongAdder staleOnA = new LongAdder();
        LongAdder staleOnB = new LongAdder();
        LongAccumulator maxStaleness = new LongAccumulator(Math::max, 0);
        AtomicInteger next = new AtomicInteger();
        int middle = trace.ops.indexOf(trace.ops.stream().filter(Trace.Op::read).skip(trace.reads / 2).findFirst()
                .orElseThrow());
        long[] loadsAtMiddle = { -1 };
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long start = System.nanoTime() + 100_000_000L;
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < size; i = next.getAndIncrement()) {
                Trace.Op op = trace.ops.get(i);
                long due = start + op.at();
                for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                    LockSupport.parkNanos(due - now);
                }
                long began = System.nanoTime();
                lag[i] = began - due;
                if (i == middle) {
                    loadsAtMiddle[0] = origin.loads.sum();
                }
                try {
                    if (op.read()) {
                        boolean[] rendered = Strategy.RENDERED.get();
                        rendered[0] = false;
                        RenderedPage page = strategy.read(op.onA(), op.page(), op.language());
                        latency[i] = System.nanoTime() - began;
                        hit[i] = !rendered[0];
                        long staleness = 0;
                        for (int k = 0; k < page.items().length; k++) {
                            staleness = Math.max(staleness, origin.staleness(page.items()[k], page.versions()[k], began));
                        }
                        if (staleness > 0) {
                            (op.onA() ? staleOnA : staleOnB).increment();
                            maxStaleness.accumulate(staleness);
                        }
                    } else {
                        int version = origin.commit(op.item());
                        strategy.edited(op.item());
                        origin.completed(op.item(), version, System.nanoTime());
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Thread thread = new Thread(worker, "edit-storm-" + w);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long wall = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " operations failed under " + strategy.name(),
                    failures.get(0));
        }

        long[] readLatency = new long[trace.reads];
        int reads = 0;
        int hits = 0;
        int laterHits = 0;
        int laterReads = 0;
        for (int i = 0; i < size; i++) {
            if (trace.ops.get(i).read()) {
                readLatency[reads++] = latency[i];
                hits += hit[i] ? 1 : 0;
                if (reads > trace.reads / 2) {
                    laterReads++;
                    laterHits += hit[i] ? 1 : 0;
                }
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("strategy", strategy.name());
        row.put("reads", reads);
        row.put("hitRate", (double) hits / reads);
        row.put("hitRateSecondHalf", (double) laterHits / laterReads);
        row.put("originLoads", origin.loads.sum());
        row.put("originLoadsSecondHalf", origin.loads.sum() - loadsAtMiddle[0]);
        row.put("originLoadMeanMicros", origin.loads.sum() == 0 ? 0 : origin.loadNanos.sum() / 1000.0 / origin.loads.sum());
        row.put("staleReads", staleOnA.sum() + staleOnB.sum());
        row.put("staleReadsOnEditingInstance", staleOnA.sum());
        row.put("staleReadsOnOtherInstance", staleOnB.sum());
        row.put("maxStalenessMicros", maxStaleness.get() / 1000.0);
        row.put("latency", Percentiles.micros(readLatency, reads));
        row.put("scheduleLag", Percentiles.micros(lag, size));
        row.put("wallSeconds", wall / 1e9);
        row.put("cacheStats", strategy.stats());
        return row;
    }
}
