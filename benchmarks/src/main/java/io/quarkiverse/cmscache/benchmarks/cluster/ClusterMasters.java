package io.quarkiverse.cmscache.benchmarks.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The masters of a Redis Cluster, each asked directly on a connection of its own (a standalone client per master, not
 * the cluster client the cache uses), so that a question goes to exactly that master: how many keys matching a
 * pattern it holds, and how many commands it has served. The masters are those that own slots when this is created
 * ({@code CLUSTER SLOTS}); nothing here changes the cluster.
 */
final class ClusterMasters implements AutoCloseable {

    /**
     * Commands that are not the cache's work: administration, the clients' connection set-up and slot-map refreshes,
     * this class's own questions, and a replica's acknowledgements ({@code REPLCONF ACK}, once a second per replica).
     */
    private static final Set<String> NOT_THE_CACHES = Set.of("info", "cluster", "scan", "ping", "command", "client",
            "hello", "config", "replconf");

    /**
     * One master.
     *
     * @param address {@code host:port}, as the cluster announces it
     * @param slots its slot ranges, for example {@code 0-5460}
     */
    record Master(String address, String slots, Redis client) {
    }

    private final List<Master> masters;

    private ClusterMasters(List<Master> masters) {
        this.masters = masters;
    }

    /**
     * @param cluster a client of the cluster, to ask it for its slot map
     */
    static ClusterMasters of(Redis cluster, Vertx vertx) {
        Map<String, List<String>> slots = new LinkedHashMap<>();
        for (Response range : cluster.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await().indefinitely()) {
            Response owner = range.get(2);
            String address = owner.get(0).toString() + ":" + owner.get(1).toInteger();
            slots.computeIfAbsent(address, a -> new ArrayList<>()).add(range.get(0).toInteger() + "-"
                    + range.get(1).toInteger());
        }
        List<Master> masters = new ArrayList<>();
        slots.forEach((address, ranges) -> masters.add(new Master(address, String.join(",", ranges),
                Redis.createClient(vertx, "redis://" + address))));
        return new ClusterMasters(masters);
    }

    List<Master> all() {
        return masters;
    }

    /**
     * @return the keys matching the pattern on that master, counted with {@code SCAN} (never {@code KEYS}, which
     *         would block it)
     */
    long keys(Master master, String pattern) {
        long count = 0;
        String cursor = "0";
        do {
            Response page = send(master, Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern)
                    .arg("COUNT").arg(1_000));
            cursor = page.get(0).toString();
            count += page.get(1).size();
        } while (!cursor.equals("0"));
        return count;
    }

    /**
     * @return the calls that master has served since it started, by command ({@code INFO commandstats}; a
     *         subcommand such as {@code client|setname} counts for its command), without {@link #NOT_THE_CACHES}.
     *         Commands a Lua script runs count, as well as the script's own call.
     */
    Map<String, Long> calls(Master master) {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : send(master, Request.cmd(Command.INFO).arg("commandstats")).toString().split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            // cmdstat_evalsha:calls=12,usec=...
            String name = line.substring("cmdstat_".length(), line.indexOf(':')).split("\\|")[0];
            String stats = line.substring(line.indexOf(':') + 1);
            long count = Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
            if (!NOT_THE_CACHES.contains(name)) {
                calls.merge(name, count, Long::sum);
            }
        }
        return calls;
    }

    private static Response send(Master master, Request request) {
        return master.client().send(request).await().indefinitely();
    }

    @Override
    public void close() {
        masters.forEach(master -> master.client().close());
    }
}
