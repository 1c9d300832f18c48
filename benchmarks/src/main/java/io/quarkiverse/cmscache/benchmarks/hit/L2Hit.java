package io.quarkiverse.cmscache.benchmarks.hit;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.benchmarks.L2Ready;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.arc.Arc;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * (b) The cost of an L2 hit: a read served from Redis with L1 empty (the region keeps values above 16 bytes in Redis
 * only) against one raw {@code GET} of a value of the same size through the same Redis client, and against the raw
 * {@code HMGET} of the entry itself that the read sends (what the entry's format costs, apart from the read path).
 * {@code benchmarks/run}
 * runs it against the shared Redis and against a Redis Cluster, where the entry and the raw key may lie on different
 * masters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class L2Hit {

    @Param({ "1024", "51200" })
    int size;

    CmsCache cache;
    Redis redis;
    String key;
    String value;
    Request rawGet;
    Request rawHmget;
    long loadsBefore;

    @Setup(Level.Trial)
    public void store() throws InterruptedException {
        cache = Arc.container().instance(CmsCache.class).get();
        L2Ready.await(cache);
        redis = Arc.container().instance(Redis.class).get();
        key = "value-" + size;
        value = "x".repeat(size);
        cache.put("l2-read", key, value);
        String rawKey = "cms-bench-raw:" + size;
        redis.send(Request.cmd(Command.SET).arg(rawKey).arg(value)).await().indefinitely();
        rawGet = Request.cmd(Command.GET).arg(rawKey);
        String entryKey = ((CmsCacheEngine) cache).l2().keys().entry("l2-read:" + key);
        rawHmget = Request.cmd(Command.HMGET).arg(entryKey).arg("m").arg("t").arg("v");
        if (redis.send(rawHmget).await().indefinitely().get(2) == null) {
            throw new IllegalStateException("the entry is not at " + entryKey);
        }
        loadsBefore = cache.stats("l2-read").loads();
        if (!value.equals(cmsL2Hit()) || cache.stats("l2-read").l1Entries() != 0) {
            throw new IllegalStateException("the value is not read from Redis alone");
        }
    }

    @TearDown(Level.Trial)
    public void onlyRedisHits() {
        long loads = cache.stats("l2-read").loads() - loadsBefore;
        if (loads > 0 || cache.stats("l2-read").l1Entries() != 0) {
            throw new IllegalStateException("not every read was an L2 hit: " + loads + " loads, "
                    + cache.stats("l2-read").l1Entries() + " entries in L1");
        }
    }

    @Benchmark
    public String cmsL2Hit() {
        return cache.get("l2-read", key, String.class, () -> value);
    }

    @Benchmark
    public String rawGet() {
        return redis.send(rawGet).await().indefinitely().toString();
    }

    @Benchmark
    public String rawHmget() {
        return redis.send(rawHmget).await().indefinitely().get(2).toString();
    }
}
