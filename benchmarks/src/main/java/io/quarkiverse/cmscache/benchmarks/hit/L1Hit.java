package io.quarkiverse.cmscache.benchmarks.hit;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkus.arc.Arc;

/**
 * (a) The cost of an L1 hit: the same 1,024 keys read round-robin, every read a hit, through a {@code @CmsCached}
 * method, the programmatic {@link CmsCache#get}, a Quarkus {@code @CacheResult} method (Caffeine), and a raw Caffeine
 * {@code getIfPresent}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class L1Hit {

    static final int KEYS = 1024;

    Articles articles;
    CmsCache cache;
    Cache<Integer, String> caffeine;

    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int next() {
            next = (next + 1) & (KEYS - 1);
            return next;
        }
    }

    @Setup(Level.Trial)
    public void fill() {
        articles = Arc.container().instance(Articles.class).get();
        cache = Arc.container().instance(CmsCache.class).get();
        caffeine = Caffeine.newBuilder().maximumSize(100_000).build();
        for (int id = 0; id < KEYS; id++) {
            articles.cmsCachedTitle(id);
            articles.quarkusCachedTitle(id);
            caffeine.put(id, Articles.title(id));
        }
    }

    @TearDown(Level.Trial)
    public void onlyHits() {
        long loads = cache.stats("article").loads();
        if (loads > KEYS) {
            throw new IllegalStateException("the CMS cache loaded " + loads + " times for " + KEYS + " keys: not all hits");
        }
    }

    @Benchmark
    public String cmsCached(Cursor cursor) {
        return articles.cmsCachedTitle(cursor.next());
    }

    @Benchmark
    public String cmsCacheGet(Cursor cursor) {
        int id = cursor.next();
        return cache.get("article", id, String.class, () -> Articles.title(id));
    }

    @Benchmark
    public String quarkusCacheResult(Cursor cursor) {
        return articles.quarkusCachedTitle(cursor.next());
    }

    @Benchmark
    public String caffeineGetIfPresent(Cursor cursor) {
        return caffeine.getIfPresent(cursor.next());
    }
}
