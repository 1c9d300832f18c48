package io.quarkiverse.cmscache.benchmarks.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.benchmarks.L2Ready;
import io.quarkiverse.cmscache.benchmarks.Mode;
import io.quarkiverse.cmscache.benchmarks.Parallel;
import io.quarkiverse.cmscache.benchmarks.cluster.ClusterMasters.Master;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * (g) How the cache spreads over the masters of a Redis Cluster: a cluster adds capacity only if a cache's keys and
 * commands spread over its masters, and a namespace kept in one hash slot puts all of them on one master. A uniform
 * workload through the public {@link CmsCache} API, then, for each master, the cache's keys it holds and the commands
 * it served during the workload, each against an even share (the total divided by the number of masters: 1.0 is an
 * even spread, the number of masters is everything on one).
 * <p>
 * The workload, on {@value #THREADS} threads: {@code entries} distinct entries (20,000 in the quick mode, 50,000 in
 * the full one) spread round-robin over 4 regions, each loaded with {@value #TAGS_PER_ENTRY}
 * dependencies drawn uniformly from {@value #DEPENDENCY_TAGS} tags; every entry read twice, a miss that loads and
 * stores it, then a hit served from Redis (the regions keep values in Redis only, see {@code application.properties});
 * then invalidations of dependency tags drawn the same way, one at a time, each evicting some
 * {@value #TAGS_PER_ENTRY} × entries / {@value #DEPENDENCY_TAGS} entries.
 * <p>
 * Keys are counted with {@code SCAN MATCH *<prefix>:<version>*} on each master, so that every key of the namespace is
 * counted whatever its hash tag; commands as the sum of {@code INFO commandstats} calls, after the workload minus
 * before, without administration and these questions ({@link ClusterMasters#calls}). The part runs with a key prefix
 * of its own ({@value #PREFIX}) and a version of its own per run ({@code benchmarks/run} passes both), so that it
 * counts no other part's keys; it refuses to run on a standalone Redis.
 */
@ApplicationScoped
public class ClusterSpread {

    /** The key prefix this part must run with. */
    static final String PREFIX = "cms-bench-spread";

    private static final Logger LOG = Logger.getLogger(ClusterSpread.class);

    private static final List<String> REGIONS = List.of("spread-page", "spread-block", "spread-template",
            "spread-translation");
    private static final int DEPENDENCY_TAGS = 2_000;
    private static final int TAGS_PER_ENTRY = 3;
    private static final int THREADS = 4;

    /** A value of the size of a small rendered fragment. */
    private static final String VALUE = "x".repeat(256);

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper mapper;

    public void run(Mode mode, Path result) throws Exception {
        Config config = ConfigProvider.getConfig();
        if (!"cluster".equals(config.getOptionalValue("quarkus.redis.client-type", String.class).orElse(""))) {
            throw new IllegalStateException("the spread part measures a Redis Cluster: start it with "
                    + "-Dquarkus.redis.client-type=cluster -Dquarkus.redis.hosts=<the nodes>");
        }
        String namespace = config.getValue("quarkus.cms-cache.key-prefix", String.class) + ":"
                + config.getValue("quarkus.cms-cache.key-version", String.class);
        if (!namespace.startsWith(PREFIX + ":")) {
            throw new IllegalStateException("the spread part counts the keys of a namespace of its own: start it with "
                    + "-Dquarkus.cms-cache.key-prefix=" + PREFIX + " -Dquarkus.cms-cache.key-version=<new per run>");
        }
        int entries = mode.quick() ? 20_000 : 50_000;
        int invalidations = mode.quick() ? 200 : 1_000;
        L2Ready.await(cache);

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("namespace", namespace);
        try (ClusterMasters masters = ClusterMasters.of(redis, vertx)) {
            List<Map<String, Long>> before = new ArrayList<>();
            for (Master master : masters.all()) {
                before.add(masters.calls(master));
            }
            long started = System.nanoTime();
            long loadsBefore = loads();
            readAll(entries);
            long firstReadLoads = loads() - loadsBefore;
            readAll(entries);
            long secondReadLoads = loads() - loadsBefore - firstReadLoads;
            invalidate(invalidations);
            double seconds = (System.nanoTime() - started) / 1e9;

            Map<String, Object> workload = new LinkedHashMap<>();
            workload.put("entries", entries);
            workload.put("regions", REGIONS.size());
            workload.put("dependencyTags", DEPENDENCY_TAGS);
            workload.put("tagsPerEntry", TAGS_PER_ENTRY);
            workload.put("threads", THREADS);
            workload.put("reads", 2L * entries);
            workload.put("firstReadLoads", firstReadLoads);
            // 0 when every entry was stored in Redis and read back from it.
            workload.put("secondReadLoads", secondReadLoads);
            workload.put("invalidations", invalidations);
            workload.put("seconds", seconds);
            results.put("workload", workload);
            results.put("masters", perMaster(masters, before, "*" + namespace + "*"));
            LOG.infof("%,d entries read twice (%,d loads on the second read) and %,d invalidations in %.1f s: %s",
                    entries, secondReadLoads, invalidations, seconds, results.get("masters"));
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(result.toFile(), results);
    }

    /** Reads every entry once, on {@value #THREADS} threads. */
    private void readAll(int entries) throws Exception {
        Parallel.forEach(THREADS, entries, entry -> cache.get(REGIONS.get(entry % REGIONS.size()), entry,
                String.class, () -> {
                    dependencies(entry).forEach(CmsDependencies::add);
                    return VALUE;
                }));
    }

    /** The entry's dependencies: always the same for one entry, uniform over the entries. */
    private static List<String> dependencies(int entry) {
        SplittableRandom random = new SplittableRandom(entry);
        return random.ints(0, DEPENDENCY_TAGS).distinct().limit(TAGS_PER_ENTRY).mapToObj(ClusterSpread::tag).toList();
    }

    private static String tag(int n) {
        return "block:spread-" + n;
    }

    private void invalidate(int count) {
        SplittableRandom random = new SplittableRandom(-1);
        for (int i = 0; i < count; i++) {
            cache.invalidateTags(tag(random.nextInt(DEPENDENCY_TAGS)));
        }
    }

    private long loads() {
        return REGIONS.stream().mapToLong(region -> cache.stats(region).loads()).sum();
    }

    /**
     * @return for each master: its slots, the namespace's keys it holds and the commands it served since
     *         {@code before}, each also as a multiple of an even share, and those commands by name
     */
    private static List<Map<String, Object>> perMaster(ClusterMasters masters, List<Map<String, Long>> before,
            String pattern) {
        List<Master> all = masters.all();
        long[] keys = new long[all.size()];
        long[] commands = new long[all.size()];
        List<Map<String, Long>> byName = new ArrayList<>();
        for (int m = 0; m < all.size(); m++) {
            keys[m] = masters.keys(all.get(m), pattern);
            Map<String, Long> served = new LinkedHashMap<>();
            Map<String, Long> earlier = before.get(m);
            masters.calls(all.get(m)).forEach((name, calls) -> {
                long delta = calls - earlier.getOrDefault(name, 0L);
                if (delta > 0) {
                    served.put(name, delta);
                }
            });
            commands[m] = served.values().stream().mapToLong(Long::longValue).sum();
            byName.add(served);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int m = 0; m < all.size(); m++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("master", all.get(m).address());
            row.put("slots", all.get(m).slots());
            row.put("keys", keys[m]);
            row.put("keysShare", share(keys, m));
            row.put("commands", commands[m]);
            row.put("commandsShare", share(commands, m));
            row.put("commandsByName", byName.get(m));
            rows.add(row);
        }
        return rows;
    }

    /** @return the master's count as a multiple of an even share of the total: 1.0 is even */
    private static double share(long[] counts, int m) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total == 0 ? 0 : counts[m] * (double) counts.length / total;
    }
}
