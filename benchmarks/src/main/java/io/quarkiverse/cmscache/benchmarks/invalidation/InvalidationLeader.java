package io.quarkiverse.cmscache.benchmarks.invalidation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.benchmarks.L2Ready;
import io.quarkiverse.cmscache.benchmarks.Mode;
import io.quarkiverse.cmscache.benchmarks.Percentiles;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.HashSlot;
import io.quarkus.redis.client.RedisClientName;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * (c) Invalidating a tag with 10, 1,000 and 10,000 dependents. Each round stores the dependents here (L1 and Redis),
 * lets the follower process read them into its L1, then times {@link CmsCache#invalidateTags} (it returns once this
 * instance's L1 and Redis are clean, which the round then checks) and the delay until the follower's L1 holds none of
 * them. {@code benchmarks/run} runs it against the shared Redis and against a Redis Cluster.
 */
@ApplicationScoped
public class InvalidationLeader {

    private static final Logger LOG = Logger.getLogger(InvalidationLeader.class);

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    @Inject
    @RedisClientName(Coordination.CLIENT)
    Redis coordinationRedis;

    @Inject
    ObjectMapper mapper;

    public void run(Mode mode, Path result) throws Exception {
        L2Ready.await(cache);
        Coordination coordination = new Coordination(coordinationRedis);
        expect("up", coordination.receive(Coordination.TO_LEADER, Duration.ofMinutes(2)));
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> results = new LinkedHashMap<>();
        try {
            for (int dependents : List.of(10, 1_000, 10_000)) {
                int rounds = rounds(dependents, mode);
                long[] local = new long[rounds];
                long[] remote = new long[rounds];
                long[] redisClean = new long[rounds];
                for (int r = 0; r < rounds; r++) {
                    Dependents round = new Dependents(run, dependents, r);
                    for (int i = 0; i < dependents; i++) {
                        cache.put(Dependents.REGION, round.key(i), "old", round.tag());
                    }
                    coordination.send(Coordination.TO_FOLLOWER, round.message());
                    expect("ready", coordination.receive(Coordination.TO_LEADER, Duration.ofMinutes(1)));

                    long start = System.nanoTime();
                    cache.invalidateTags(round.tag());
                    long end = System.nanoTime();
                    checkClean(round);
                    String clean = coordination.receive(Coordination.TO_LEADER, Duration.ofMinutes(1));
                    expect("clean", clean.split(" ")[0]);
                    local[r] = end - start;
                    remote[r] = Long.parseLong(clean.split(" ")[1]) - start;
                    redisClean[r] = awaitRedisClean(round) - start;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("rounds", rounds);
                entry.put("local", Percentiles.micros(local, rounds));
                entry.put("crossInstance", Percentiles.micros(remote, rounds));
                entry.put("redisClean", Percentiles.micros(redisClean, rounds));
                results.put(String.valueOf(dependents), entry);
                LOG.infof("%,d dependents: local %s, cross-instance %s (us)", dependents, entry.get("local"),
                        entry.get("crossInstance"));
            }
        } finally {
            coordination.send(Coordination.TO_FOLLOWER, "stop");
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(result.toFile(), results);
    }

    private static int rounds(int dependents, Mode mode) {
        return switch (dependents) {
            case 10 -> mode.quick() ? 100 : 500;
            case 1_000 -> mode.quick() ? 30 : 150;
            default -> mode.quick() ? 8 : 40;
        };
    }

    /**
     * After invalidateTags returned: no dependent left in this instance's L1, and none in Redis unless the tag is being
     * pending (drained: more than 1,000 dependents in a slot group), in which case every instance treats them as misses
     * until it is over.
     */
    private void checkClean(Dependents round) {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        for (int i = 0; i < round.dependents(); i++) {
            if (engine.region(Dependents.REGION).l1().get(round.entryKey(i)) != null) {
                throw new IllegalStateException(round.entryKey(i) + " still in L1 after the invalidation returned");
            }
        }
        long left = dependentsInRedis(round);
        if (left != 0 && !engine.invalidator().versions().isPending(new String[] { round.tag() }, 0)) {
            throw new IllegalStateException(left + " dependents of " + round.tag() + " still in Redis, not pending");
        }
    }

    /** @return when ({@link System#nanoTime()}) Redis held none of the round's dependents any more */
    private long awaitRedisClean(Dependents round) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (dependentsInRedis(round) != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the drain of " + round.tag() + " did not finish within a minute");
            }
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    /**
     * One {@code EXISTS} per hash slot of the dependents' keys: a Redis Cluster refuses a command whose keys lie in
     * several slots, and how the cache's keys map to slots is the cache's business (today a namespace is one slot,
     * so this is one command).
     */
    private long dependentsInRedis(Dependents round) {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        Map<Integer, Request> bySlot = new HashMap<>();
        for (int i = 0; i < round.dependents(); i++) {
            String key = engine.l2().keys().entry(round.entryKey(i));
            bySlot.computeIfAbsent(HashSlot.of(key), slot -> Request.cmd(Command.EXISTS)).arg(key);
        }
        long left = 0;
        for (Request exists : bySlot.values()) {
            left += redis.send(exists).await().indefinitely().toLong();
        }
        return left;
    }

    private static void expect(String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException("expected '" + expected + "' from the follower, got '" + actual + "'");
        }
    }
}
