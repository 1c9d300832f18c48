package io.quarkiverse.cmscache.runtime.devui;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationRecord;
import io.quarkiverse.cmscache.runtime.invalidation.Trigger;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkiverse.cmscache.runtime.region.Region;
import io.quarkiverse.cmscache.runtime.warming.Warming;
import io.quarkus.runtime.annotations.JsonRpcDescription;
import io.smallrye.mutiny.Multi;

/**
 * The Dev UI's view of the cache: regions, entries, dependencies, the invalidation log, and actions. Registered in dev
 * mode only; answers with plain maps and lists, which the Dev UI sends as JSON.
 * <p>
 * Reading Redis here never uses {@code KEYS}: entries are found with {@code SCAN ... MATCH} over escaped patterns,
 * dependencies through the tag sets.
 */
public class CmsCacheJsonRPCService {

    /** How much of a value the entry view shows. */
    static final int PREVIEW_CHARS = 4_000;
    /** How many keys Redis looks at per {@code SCAN} step. */
    private static final int SCAN_COUNT = 1_000;
    /** How long one search may scan Redis; the result says when it was cut short. */
    private static final Duration SCAN_BUDGET = Duration.ofSeconds(3);
    private static final Duration REDIS_WAIT = Duration.ofSeconds(5);
    private static final Trigger DEV_UI = new Trigger(Trigger.Kind.API, "Dev UI");

    @Inject
    CmsCacheEngine engine;

    @Inject
    Warming warming;

    @JsonRpcDescription("Per region and level: entries, bytes, hit ratio, loads, load time, evictions, invalidations; and the state of Redis")
    public Map<String, Object> getRegions() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("enabled", engine.enabled());
        result.put("instance", engine.instanceId());
        result.put("l2State", engine.l2State().name().toLowerCase());
        result.put("keyPrefix", engine.settings().keyPrefix());
        result.put("keyVersion", engine.settings().keyVersion());
        List<Map<String, Object>> regions = new ArrayList<>();
        for (Region region : sortedRegions()) {
            RegionStats stats = region.stats();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("region", stats.region());
            row.put("l2Enabled", engine.l2() != null && region.settings().l2Enabled());
            row.put("l1Entries", stats.l1Entries());
            row.put("l1Bytes", stats.l1Weight());
            row.put("l1Hits", stats.l1Hits());
            row.put("l1Misses", stats.l1Misses());
            row.put("l2Hits", stats.l2Hits());
            row.put("l2Misses", stats.l2Misses());
            row.put("l2Errors", stats.l2Errors());
            row.put("hitRatio", stats.hitRatio());
            row.put("loads", stats.loads());
            row.put("loadFailures", stats.loadFailures());
            row.put("loadTimeMs", stats.loadTime().toMillis());
            row.put("evictions", stats.evictions());
            row.put("invalidations", stats.invalidations());
            regions.add(row);
        }
        result.put("regions", regions);
        return result;
    }

    @JsonRpcDescription("Finds entries of a region (all regions when empty) whose key starts with, or contains, the query; paged")
    public Map<String, Object> searchEntries(String region, String query, boolean contains, int page, int size) {
        int pageSize = size <= 0 ? 50 : Math.min(size, 500);
        int skip = Math.max(page, 0) * pageSize;
        String text = query == null ? "" : query.trim();
        String wantedRegion = region == null || region.isBlank() ? null : EntryKeys.checkRegion(region.trim());
        // Keys sort by name, L1 and Redis merged; one more than the page tells whether there is a next page.
        TreeMap<String, Set<String>> found = new TreeMap<>();
        for (Region r : sortedRegions()) {
            if (wantedRegion == null || wantedRegion.equals(r.name())) {
                for (String key : r.l1().keys()) {
                    if (matches(key, r.name(), wantedRegion, text, contains)) {
                        found.computeIfAbsent(key, k -> new TreeSet<>()).add("L1");
                    }
                }
            }
        }
        boolean complete = true;
        String redisError = null;
        RedisL2 l2 = engine.l2();
        if (l2 != null) {
            try {
                complete = scanRedis(l2, wantedRegion, text, contains, found, skip + pageSize);
            } catch (RuntimeException e) {
                // Redis down: the inspector still shows L1, and says why Redis is missing.
                redisError = String.valueOf(e.getMessage());
            }
        }
        boolean checkRedis = wantedRegion != null && redisError == null;
        List<Map<String, Object>> items = new ArrayList<>();
        found.entrySet().stream().skip(skip).limit(pageSize).forEach(e -> {
            List<String> levels = new ArrayList<>(e.getValue());
            // A region's tag set may still name entries that expired from Redis.
            if (checkRedis && levels.contains("Redis")
                    && !l2.holds(e.getKey()).await().atMost(REDIS_WAIT)) {
                levels.remove("Redis");
            }
            if (!levels.isEmpty()) {
                items.add(Map.of("key", e.getKey(), "region", EntryKeys.regionOf(e.getKey()), "levels", levels));
            }
        });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("items", items);
        result.put("page", Math.max(page, 0));
        result.put("hasMore", found.size() > skip + pageSize || !complete);
        if (redisError != null) {
            result.put("redisError", redisError);
        }
        return result;
    }

    /**
     * Adds the Redis entries that match to {@code found}: for one region, from its region tag set ({@code SSCAN}); for
     * all, from the whole database ({@code SCAN}). Stops once {@code enough} keys are found, or after a bounded effort.
     *
     * @return whether the scan went through
     */
    private static boolean scanRedis(RedisL2 l2, String wantedRegion, String text, boolean contains,
            TreeMap<String, Set<String>> found, int enough) {
        String pattern = (wantedRegion == null ? "*" : RedisL2.globEscape(wantedRegion + ":"))
                + (contains && !text.isEmpty() ? "*" : "") + RedisL2.globEscape(text) + "*";
        long deadline = System.nanoTime() + SCAN_BUDGET.toNanos();
        String cursor = "0";
        do {
            RedisL2.Scan scan = (wantedRegion == null ? l2.scanEntries(cursor, pattern, SCAN_COUNT)
                    : l2.scanTagged(EntryKeys.regionTag(wantedRegion), cursor, pattern, SCAN_COUNT))
                    .await().atMost(REDIS_WAIT);
            for (String key : scan.keys()) {
                if (matches(key, EntryKeys.regionOf(key), wantedRegion, text, contains)) {
                    found.computeIfAbsent(key, k -> new TreeSet<>()).add("Redis");
                }
            }
            cursor = scan.cursor();
        } while (!"0".equals(cursor) && System.nanoTime() < deadline && found.size() <= enough);
        return "0".equals(cursor);
    }

    private static boolean matches(String key, String keyRegion, String wantedRegion, String text, boolean contains) {
        if (wantedRegion != null && !wantedRegion.equals(keyRegion)) {
            return false;
        }
        if (text.isEmpty()) {
            return true;
        }
        String rest = wantedRegion == null ? key : key.substring(wantedRegion.length() + 1);
        return contains ? key.contains(text) : rest.startsWith(text) || key.startsWith(text);
    }

    @JsonRpcDescription("One entry: which levels hold it, its tags (what it depends on), age, time to live left and a value preview")
    public Map<String, Object> getEntry(String key) {
        String region = EntryKeys.regionOf(key);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("key", key);
        result.put("region", region);
        List<String> levels = new ArrayList<>();
        Set<String> tags = new LinkedHashSet<>();
        long now = System.currentTimeMillis();
        Region r = engine.regions().find(region);
        Entry entry = r == null ? null : r.l1().get(key);
        if (entry != null) {
            levels.add("L1");
            tags.addAll(Arrays.asList(entry.tags()));
            result.put("ageMs", now - entry.createdAt());
            result.put("l1TtlMs", Math.max(0, r.settings().l1ExpireAfterWrite().toMillis() - (now - entry.createdAt())));
            result.put("negative", entry.value() == null);
            putPreview(result, preview(entry.value()));
        }
        RedisL2.Stored stored = null;
        if (engine.l2() != null) {
            try {
                stored = engine.l2().inspect(key).await().atMost(REDIS_WAIT);
            } catch (RuntimeException e) {
                result.put("redisError", String.valueOf(e.getMessage()));
            }
        }
        if (stored != null) {
            levels.add("Redis");
            if (stored.tags() != null) {
                tags.addAll(Arrays.asList(new String(stored.tags(), StandardCharsets.UTF_8).trim().split(" ")));
            }
            result.put("l2TtlMs", stored.ttlMillis());
            long createdAt = createdAt(stored.meta());
            if (createdAt > 0) {
                result.putIfAbsent("ageMs", now - createdAt);
            }
            if (!result.containsKey("preview") && stored.value() != null) {
                putPreview(result, EntryCodec.displayText(stored.value()));
            }
        }
        result.put("levels", levels);
        result.put("tags", List.copyOf(tags));
        return result;
    }

    private String preview(Object value) {
        try {
            return engine.codec().mapper().writeValueAsString(value);
        } catch (Exception e) {
            return String.valueOf(value);
        }
    }

    private static void putPreview(Map<String, Object> result, String text) {
        result.put("preview", text.length() > PREVIEW_CHARS ? text.substring(0, PREVIEW_CHARS) : text);
        result.put("previewTruncated", text.length() > PREVIEW_CHARS);
        result.put("size", text.length());
    }

    /** The creation time in the {@code m} field of a Redis entry: {@code <format> <basis> <created ms> <load µs>}. */
    private static long createdAt(byte[] meta) {
        String[] fields = meta == null ? new String[0] : new String(meta, StandardCharsets.UTF_8).split(" ");
        try {
            return fields.length > 2 ? Long.parseLong(fields[2]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @JsonRpcDescription("Every entry that depends on a tag, in this instance's L1 and in Redis, grouped by region")
    public Map<String, Object> getDependents(String tag) {
        String checked = EntryKeys.checkTag(tag.trim());
        Map<String, List<String>> byRegion = new TreeMap<>();
        for (String key : engine.dependents(checked)) {
            byRegion.computeIfAbsent(EntryKeys.regionOf(key), r -> new ArrayList<>()).add(key);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tag", checked);
        result.put("count", byRegion.values().stream().mapToInt(List::size).sum());
        result.put("regions", byRegion);
        return result;
    }

    @JsonRpcDescription("The recent invalidations of all instances (this one's with its L1 evictions), newest first")
    public List<Map<String, Object>> getInvalidations(int max) {
        int limit = max <= 0 ? 100 : max;
        return engine.invalidator().log().history(limit).await().atMost(REDIS_WAIT).stream()
                .map(this::toMap).toList();
    }

    @JsonRpcDescription("Every invalidation this instance applies from now on, as it happens")
    public Multi<Map<String, Object>> streamInvalidations() {
        return Multi.createFrom().emitter(emitter -> {
            Consumer<InvalidationRecord> observer = record -> emitter.emit(toMap(record));
            engine.invalidator().log().observe(observer);
            emitter.onTermination(() -> engine.invalidator().log().stopObserving(observer));
        });
    }

    private Map<String, Object> toMap(InvalidationRecord record) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sequence", record.sequence());
        map.put("at", record.at());
        map.put("tags", record.tags());
        map.put("trigger", record.trigger().kind().label());
        map.put("source", record.trigger().source());
        map.put("origin", record.origin());
        map.put("local", !record.remoteTo(engine.instanceId()));
        map.put("l1Evicted", record.l1Evicted());
        map.put("redisDeleted", record.redisDeleted());
        return map;
    }

    @JsonRpcDescription("Invalidates one entry (its identity tag) on every instance")
    public Map<String, Object> invalidateEntry(String key) {
        return invalidateTags(key);
    }

    @JsonRpcDescription("Invalidates tags, separated by spaces or commas, on every instance, and evicts what depends on them")
    public Map<String, Object> invalidateTags(String tags) {
        List<String> list = Arrays.stream(tags.split("[\\s,]+")).filter(t -> !t.isEmpty()).toList();
        if (list.isEmpty()) {
            throw new IllegalArgumentException("Name at least one tag");
        }
        engine.invalidateTags(list, DEV_UI);
        return lastInvalidation(list);
    }

    @JsonRpcDescription("Drops every entry of a region, in both levels and on every instance")
    public Map<String, Object> clearRegion(String region) {
        String tag = EntryKeys.regionTag(EntryKeys.checkRegion(region.trim()));
        engine.invalidateTags(List.of(tag), DEV_UI);
        return lastInvalidation(List.of(tag));
    }

    private Map<String, Object> lastInvalidation(List<String> tags) {
        return engine.invalidator().log().recent(20).stream().filter(r -> r.tags().equals(tags)).findFirst()
                .map(this::toMap).orElseGet(() -> Map.of("tags", tags));
    }

    @JsonRpcDescription("Runs the warmers and re-reads the most-read entries now")
    public Map<String, Object> runWarmers() {
        Warming.Report report = warming.run("Dev UI");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("hotEntries", report.hotEntries());
        result.put("warmers", report.warmers());
        result.put("failed", report.failed());
        result.put("skipped", report.skipped());
        result.put("tookMs", report.took().toMillis());
        return result;
    }

    private List<Region> sortedRegions() {
        return engine.regions().all().stream().sorted(Comparator.comparing(Region::name)).toList();
    }
}
