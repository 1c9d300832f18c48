package io.quarkiverse.cmscache.benchmarks.invalidation;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.benchmarks.L2Ready;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l1.L1Region;
import io.quarkus.redis.client.RedisClientName;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The other instance of (c), in its own process: reads each round's entries from Redis into its L1, then watches its
 * L1 until the leader's invalidation has removed every one of them, and reports that moment
 * ({@link System#nanoTime()}, which on Linux is the machine-wide monotonic clock, so the leader can compare it with
 * its own).
 */
@ApplicationScoped
public class InvalidationFollower {

    private static final Logger LOG = Logger.getLogger(InvalidationFollower.class);

    @Inject
    CmsCache cache;

    @Inject
    @RedisClientName(Coordination.CLIENT)
    Redis coordinationRedis;

    public void run() throws InterruptedException {
        L2Ready.await(cache);
        Coordination coordination = new Coordination(coordinationRedis);
        L1Region l1 = ((CmsCacheEngine) cache).region(Dependents.REGION).l1();
        coordination.send(Coordination.TO_LEADER, "up");
        while (true) {
            String message = coordination.receive(Coordination.TO_FOLLOWER, Duration.ofMinutes(5));
            if (message.equals("stop")) {
                return;
            }
            Dependents round = Dependents.parse(message);
            for (int i = 0; i < round.dependents(); i++) {
                String value = cache.get(Dependents.REGION, round.key(i), String.class, () -> "loaded");
                if (!value.equals("old")) {
                    // Loaded here, it would carry no dependency and never be invalidated: the round is void.
                    coordination.send(Coordination.TO_LEADER, "failed " + round.key(i) + " was not in Redis");
                    return;
                }
            }
            coordination.send(Coordination.TO_LEADER, "ready");
            String probe = round.entryKey(round.dependents() - 1);
            while (true) {
                if (l1.get(probe) == null && allGone(l1, round)) {
                    break;
                }
                LockSupport.parkNanos(20_000);
            }
            long cleanAt = System.nanoTime();
            coordination.send(Coordination.TO_LEADER, "clean " + cleanAt);
            LOG.debugf("round %s clean", round.message());
        }
    }

    private static boolean allGone(L1Region l1, Dependents round) {
        for (int i = 0; i < round.dependents(); i++) {
            if (l1.get(round.entryKey(i)) != null) {
                return false;
            }
        }
        return true;
    }
}
