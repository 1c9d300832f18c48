package io.quarkiverse.cmscache.benchmarks.invalidation;

import java.time.Duration;
import java.time.Instant;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Messages between the leader and the follower process of (c), as Redis lists beside the cache's keys
 * ({@code benchmarks/run} deletes them before a run).
 */
final class Coordination {

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
