package io.quarkiverse.cmscache.sample.site;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts how often each cached method really ran -- a miss that reached the database -- by entry key, so that the
 * sample (and its tests) can show what an edit reloaded and what it left cached.
 */
@ApplicationScoped
public class Loads {

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public void record(String key) {
        counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    public Map<String, Integer> snapshot() {
        Map<String, Integer> snapshot = new TreeMap<>();
        counts.forEach((key, count) -> snapshot.put(key, count.get()));
        return snapshot;
    }

    public void reset() {
        counts.clear();
    }
}
