package io.quarkiverse.cmscache.benchmarks.invalidation;

import java.time.Duration;
import java.time.Instant;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Messages between the leader and the follower process of (c), as lists in the shared Redis on 6379
 * ({@code benchmarks/run} deletes them before a run), through a Redis client of their own
 * ({@code quarkus.redis.coordination}), whichever Redis the cache uses. A {@code BRPOP} holds its connection while it
 * waits: on the cache's client it would take the pooled connection the cache leaves free, which on a cluster is what
 * keeps the client's pool from deadlocking (see {@code ClusterTest}), and it would be one more command in the cache's
 * Redis while it is measured.
 */
final class Coordination {

    /** The Redis client of the messages: {@code @RedisClientName(Coordination.CLIENT) Redis}. */
    static final String CLIENT = "coordination";

    static final String TO_FOLLOWER = "cms-bench-coord:to-follower";
    static final String TO_LEADER = "cms-bench-coord:to-leader";

    private final Redis redis;

    Coordination(Redis redis) {
        this.redis = redis;
    }

    void send(String list, String message) {
        redis.send(Request.cmd(Command.LPUSH).arg(list).arg(message)).await().indefinitely();
    }

    /**
     * @return the next message on the list, waiting for it up to {@code timeout}
     */
    String receive(String list, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Response response = redis.send(Request.cmd(Command.BRPOP).arg(list).arg(1)).await().indefinitely();
            if (response != null) {
                return response.get(1).toString();
            }
        }
        throw new IllegalStateException("no message on " + list + " within " + timeout);
    }
}
