package io.quarkiverse.cmscache.benchmarks.metadata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.benchmarks.Mode;
import io.quarkiverse.cmscache.benchmarks.Parallel;
import io.quarkiverse.cmscache.benchmarks.Percentiles;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationRecord;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * What the cache's metadata in Redis (the tag sets {@code {ns}:t:<tag>} and the tag versions) costs, so that a
 * change to how it is kept can be compared with what was there before, build against build:
 * <ol>
 * <li><b>Clearing a region of 100,000 entries.</b> Every entry is a member of its region tag's set
 * ({@code {ns}:t:@<region>}), so {@link CmsCache#clear} runs one invalidation script over 100,000 members, and Redis,
 * which runs one script at a time, answers nobody else meanwhile. Measured: the call's wall time; how long Redis was
 * blocked, as the longest round trip of a {@link PingProber} on a connection of its own and, as a cross-check, the
 * Redis slow log's entries of that moment; and how many entries it deleted (as Redis reported it, and as checked
 * afterwards).</li>
 * <li><b>The cost of a write</b> that maintains the metadata: misses through {@link CmsCache#get} on one thread, each
 * loading and storing an entry with 3 tags (its identity tag, its region tag and one dependency), timed per call;
 * then the cost of invalidating a tag with 10 dependents, those entries' dependency tags.</li>
 * </ol>
 * The part refuses to run in the benchmark application's ordinary namespace: it must be started with a key prefix of
 * its own ({@value #PREFIX}) and a version of its own per run ({@code benchmarks/run} does both), so that two runs --
 * of two builds, say -- never see each other's entries, and the keys it deletes when done cannot be another part's
 * (the script that starts it deletes the prefix's keys before and after, as for the other parts). Regions are the
 * extension's defaults.
 */
@ApplicationScoped
public class MetadataCost {

    /** The key prefix this part must run with. */
    static final String PREFIX = "cms-bench-metadata";

    private static final Logger LOG = Logger.getLogger(MetadataCost.class);

    /** Members of the cleared region's tag set: a region that has had this many entries since it was last cleared. */
    private static final int CLEAR_MEMBERS = 100_000;

    /** Threads filling the region; the cache bounds its commands in flight, so more would only wait. */
    private static final int FILL_THREADS = 8;

    /** Dependents of each invalidated tag. */
    private static final int DEPENDENTS = 10;

    /** A value of the size of a small rendered fragment. */
    private static final String VALUE = "x".repeat(256);

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    @Inject
    ObjectMapper mapper;

    public void run(Mode mode, Path result) throws Exception {
        RedisKeyspace keys = ((CmsCacheEngine) cache).l2().keys();
        if (!keys.control().startsWith("{" + PREFIX + ":")) {
            throw new IllegalStateException("the metadata part runs in a namespace of its own: start it with "
                    + "-Dquarkus.cms-cache.key-prefix=" + PREFIX + " -Dquarkus.cms-cache.key-version=<new per run>, "
                    + "not in " + keys.control());
        }
        // Not emptied here: the cache has started in it already (its invalidation sequence, for one). A version of its
        // own makes it empty of entries and tag sets, which is checked.
        long earlier = countKeys(keys.entryPattern("*")) + countKeys(keys.entryPattern("*").replace("}:e:", "}:t:"));
        if (earlier > 0) {
            throw new IllegalStateException(keys.control() + " holds " + earlier + " entries and tag sets of an "
                    + "earlier run: give this run a key version of its own");
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("namespace", keys.control());
        results.put("slotGroups", keys.groups().size());
        try {
            results.put("clear", clears(mode, keys));
            results.putAll(writesAndInvalidations(mode, keys));
        } finally {
            dropNamespace(keys);
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(result.toFile(), results);
    }

    private Map<String, Object> clears(Mode mode, RedisKeyspace keys) throws Exception {
        SlowLog slowLog = new SlowLog(redis);
        List<Map<String, Object>> repetitions = new ArrayList<>();
        int count = mode.quick() ? 1 : 3;
        for (int r = 0; r < count; r++) {
            // A region per repetition: should a clear not be confirmed by Redis in time, the cache replays it later,
            // and that replay must not empty the next repetition's region while it is being filled.
            repetitions.add(clear("meta-clear-" + r, keys, slowLog));
        }
        Map<String, Object> clear = new LinkedHashMap<>();
        clear.put("members", CLEAR_MEMBERS);
        clear.put("slowlogThresholdMicros", slowLog.thresholdMicros());
        clear.put("repetitions", repetitions);
        return clear;
    }

    private Map<String, Object> clear(String region, RedisKeyspace keys, SlowLog slowLog) throws Exception {
        List<String> tagSets = keys.groups().stream().map(group -> group.tagSet(EntryKeys.regionTag(region))).toList();
        long fillStart = System.nanoTime();
        fill(region, keys);
        long fillNanos = System.nanoTime() - fillStart;
        long members = tagSets.stream().mapToLong(this::scard).sum();
        if (members != CLEAR_MEMBERS) {
            throw new IllegalStateException("the region's tag sets hold " + members + " members after the fill, not "
                    + CLEAR_MEMBERS);
        }
        long entriesBefore = entriesInRedis(region, keys);
        LOG.infof("%s: %,d entries written in %.1f s", region, CLEAR_MEMBERS, fillNanos / 1e9);

        // Every record of the region tag's invalidation: the call's own, then any replay of it.
        List<InvalidationRecord> records = new CopyOnWriteArrayList<>();
        Consumer<InvalidationRecord> observer = record -> {
            if (record.tags().contains(EntryKeys.regionTag(region))) {
                records.add(record);
            }
        };
        ((CmsCacheEngine) cache).invalidator().log().observe(observer);
        long slowLogBefore = slowLog.newestId();
        long start;
        long end;
        long redisFree;
        long[] idle;
        long[] during;
        long longestStart;
        try (PingProber prober = PingProber.start(redisUri())) {
            Thread.sleep(500);
            long idleFrom = System.nanoTime();
            Thread.sleep(200);
            idle = prober.roundTrips(idleFrom, System.nanoTime());
            start = System.nanoTime();
            cache.clear(region);
            end = System.nanoTime();
            // Answered once Redis is free again: later than the call's return if the cache stopped waiting for the
            // script (its L2 timeout) while Redis still ran it.
            tagSets.forEach(this::scard);
            redisFree = System.nanoTime();
            Thread.sleep(100);
            prober.close();
            during = prober.roundTrips(start, redisFree);
            longestStart = prober.longestStart(start, redisFree);
        }
        List<Map<String, Object>> slow = slowLog.newerThan(slowLogBefore, namespace(keys));
        long left = entriesInRedis(region, keys);
        ((CmsCacheEngine) cache).invalidator().log().stopObserving(observer);
        InvalidationRecord record = records.isEmpty() ? null : records.get(0);

        Map<String, Object> repetition = new LinkedHashMap<>();
        repetition.put("region", region);
        repetition.put("fillSeconds", fillNanos / 1e9);
        repetition.put("tagSetMembers", members);
        repetition.put("wallMillis", (end - start) / 1e6);
        repetition.put("redisFreeMillis", (redisFree - start) / 1e6);
        // -1: the cache gave up waiting for Redis (or Redis failed), and replays the invalidation later.
        repetition.put("redisDeletedReported", record == null ? -1 : record.redisDeleted());
        repetition.put("confirmedByRedis", record != null && record.redisDeleted() >= 0);
        repetition.put("l1Evicted", record == null ? -1 : record.l1Evicted());
        repetition.put("invalidationRecords", records.stream().map(r -> Map.of("sequence", r.sequence(),
                "l1Evicted", r.l1Evicted(), "redisDeleted", r.redisDeleted())).toList());
        repetition.put("entriesBefore", entriesBefore);
        repetition.put("entriesLeftInRedis", left);
        repetition.put("entriesDeleted", entriesBefore - left);
        repetition.put("ping", Percentiles.micros(during, during.length));
        // When Redis began the longest wait: roughly when the script reached it, after this instance's L1 was done.
        repetition.put("longestPingStartMillis", longestStart < 0 ? -1 : (longestStart - start) / 1e6);
        repetition.put("pingIdle", Percentiles.micros(idle, idle.length));
        repetition.put("slowlog", slow);
        repetition.put("slowlogMaxMicrosOurs", slow.stream().filter(e -> (Boolean) e.get("ours"))
                .mapToLong(e -> (Long) e.get("durationMicros")).max().orElse(-1));
        LOG.infof("%s cleared in %.1f ms (Redis free after %.1f ms); PING max %.1f ms, p99 %.1f ms; slow log %s; "
                + "%,d deleted as Redis reported, %,d left", region, (end - start) / 1e6, (redisFree - start) / 1e6,
                ((Number) ((Map<?, ?>) repetition.get("ping")).get("max")).doubleValue() / 1000,
                ((Number) ((Map<?, ?>) repetition.get("ping")).get("p99")).doubleValue() / 1000,
                slow.stream().map(e -> e.get("durationMicros") + " us" + ((Boolean) e.get("ours") ? "" : " (not ours)"))
                        .toList(),
                repetition.get("redisDeletedReported"), left);
        return repetition;
    }

    /** Writes the region's entries through {@link CmsCache#put}, from several threads so that it takes seconds. */
    private void fill(String region, RedisKeyspace keys) throws Exception {
        Parallel.forEach(FILL_THREADS, CLEAR_MEMBERS, i -> cache.put(region, i, VALUE));
        // A write the cache skipped (a Redis timeout under the fill's load) is written again, one by one.
        String regionTag = EntryKeys.regionTag(region);
        for (int first = 0; first < CLEAR_MEMBERS; first += 1_000) {
            int last = Math.min(first + 1_000, CLEAR_MEMBERS);
            List<Request> checks = new ArrayList<>(last - first);
            for (int i = first; i < last; i++) {
                String entry = CmsCache.tag(region, i);
                checks.add(Request.cmd(Command.SISMEMBER).arg(keys.groupOf(entry).tagSet(regionTag))
                        .arg(keys.entry(entry)));
            }
            List<Response> present = redis.batch(checks).await().indefinitely();
            for (int i = first; i < last; i++) {
                if (present.get(i - first).toInteger() == 0) {
                    cache.put(region, i, VALUE);
                }
            }
        }
    }

    private Map<String, Object> writesAndInvalidations(Mode mode, RedisKeyspace keys) {
        // Warm-up: the same calls in a region of their own, so that the JIT has compiled the write and invalidation
        // paths before they are timed.
        long[] scratch = new long[2_000];
        writes("meta-warmup", scratch.length, scratch);
        invalidations("meta-warmup", scratch.length / DEPENDENTS, new long[scratch.length / DEPENDENTS]);

        int writes = mode.quick() ? 5_000 : 20_000;
        long[] writeNanos = new long[writes];
        long started = System.nanoTime();
        writes("meta-write", writes, writeNanos);
        double seconds = (System.nanoTime() - started) / 1e9;
        String tagsField = hget(keys.entry(CmsCache.tag("meta-write", 0)), "t");

        Map<String, Object> write = new LinkedHashMap<>();
        write.put("threads", 1);
        write.put("entryTags", tagsField == null ? null : tagsField.trim());
        write.put("opsPerSecond", writes / seconds);
        write.put("latency", Percentiles.micros(writeNanos, writes));
        LOG.infof("%,d writes: %.0f/s, %s (us)", writes, writes / seconds, write.get("latency"));

        int rounds = mode.quick() ? 200 : 1_000;
        long[] invalidationNanos = new long[rounds];
        long deleted = invalidations("meta-write", rounds, invalidationNanos);
        Map<String, Object> invalidation = new LinkedHashMap<>();
        invalidation.put("dependents", DEPENDENTS);
        invalidation.put("rounds", rounds);
        invalidation.put("deletedFromRedis", deleted);
        invalidation.put("latency", Percentiles.micros(invalidationNanos, rounds));
        LOG.infof("%d invalidations of %d dependents: %s (us)", rounds, DEPENDENTS, invalidation.get("latency"));

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("write", write);
        results.put("invalidation", invalidation);
        return results;
    }

    /**
     * Misses, each loading and storing entry {@code i} of the region with the dependency of its group of
     * {@value #DEPENDENTS}.
     */
    private void writes(String region, int count, long[] nanos) {
        int[] loads = new int[1];
        for (int i = 0; i < count; i++) {
            String group = group(region, i / DEPENDENTS);
            long start = System.nanoTime();
            cache.get(region, i, String.class, () -> {
                CmsDependencies.add(group);
                loads[0]++;
                return VALUE;
            });
            nanos[i] = System.nanoTime() - start;
            if (loads[0] != i + 1) {
                throw new IllegalStateException(region + ":" + i + " was not a miss");
            }
        }
    }

    /**
     * Invalidates the first {@code rounds} groups' tags, one by one.
     *
     * @return the entries deleted from Redis in all, as Redis reported them
     */
    private long invalidations(String region, int rounds, long[] nanos) {
        long deleted = 0;
        for (int g = 0; g < rounds; g++) {
            String tag = group(region, g);
            long start = System.nanoTime();
            cache.invalidateTags(tag);
            nanos[g] = System.nanoTime() - start;
            InvalidationRecord record = lastInvalidationOf(tag);
            deleted += record == null || record.redisDeleted() < 0 ? 0 : record.redisDeleted();
        }
        return deleted;
    }

    private static String group(String region, int g) {
        return region + "-group:" + g;
    }

    private InvalidationRecord lastInvalidationOf(String tag) {
        for (InvalidationRecord record : ((CmsCacheEngine) cache).invalidator().log().recent(10)) {
            if (record.tags().contains(tag)) {
                return record;
            }
        }
        return null;
    }

    /** How many of the region's entries are in Redis, checked key by key in batches. */
    private long entriesInRedis(String region, RedisKeyspace keys) {
        long found = 0;
        for (int first = 0; first < CLEAR_MEMBERS; first += 1_000) {
            Request exists = Request.cmd(Command.EXISTS);
            for (int i = first; i < Math.min(first + 1_000, CLEAR_MEMBERS); i++) {
                exists.arg(keys.entry(CmsCache.tag(region, i)));
            }
            found += redis.send(exists).await().indefinitely().toLong();
        }
        return found;
    }

    /**
     * Deletes every key of this run's namespace, once it is done: some 100,000 entries' worth of the cache's
     * metadata should not stay in a shared Redis until their TTL. What the cache writes after this (its sequence,
     * a replayed invalidation) is left to the script that started the run, which deletes the namespace again.
     */
    private void dropNamespace(RedisKeyspace keys) {
        scan(globEscape(namespace(keys)) + "*", page -> {
            Request unlink = Request.cmd(Command.UNLINK);
            page.forEach(unlink::arg);
            redis.send(unlink).await().indefinitely();
        });
    }

    /** @return how many keys match the glob */
    private long countKeys(String glob) {
        long[] found = new long[1];
        scan(glob, page -> found[0] += page.size());
        return found[0];
    }

    /** @return what every key of the namespace, in its control slot and its slot groups, starts with */
    private static String namespace(RedisKeyspace keys) {
        return keys.control().substring(0, keys.control().length() - 1);
    }

    /** {@code SCAN} over the whole Redis (never {@code KEYS}, which would block it), a page at a time. */
    private void scan(String pattern, Consumer<List<String>> pages) {
        String cursor = "0";
        do {
            Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT")
                    .arg(1_000)).await().indefinitely();
            cursor = page.get(0).toString();
            List<String> found = new ArrayList<>();
            for (Response key : page.get(1)) {
                found.add(key.toString());
            }
            if (!found.isEmpty()) {
                pages.accept(found);
            }
        } while (!cursor.equals("0"));
    }

    private static String globEscape(String literal) {
        return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    private long scard(String key) {
        return redis.send(Request.cmd(Command.SCARD).arg(key)).await().indefinitely().toLong();
    }

    private String hget(String key, String field) {
        Response value = redis.send(Request.cmd(Command.HGET).arg(key).arg(field)).await().indefinitely();
        return value == null ? null : value.toString();
    }

    private static String redisUri() {
        String hosts = ConfigProvider.getConfig().getOptionalValue("quarkus.redis.hosts", String.class)
                .orElse("redis://localhost:6379");
        return hosts.split(",")[0].trim();
    }
}
