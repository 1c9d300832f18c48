package io.quarkiverse.cmscache.benchmarks.metadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Redis's own account of a slow command, as a cross-check of the {@link PingProber}: the time Redis spent executing
 * it, without the network or the scheduling of any client. Read-only: the Redis is shared, so its slow log is neither
 * reset nor its threshold ({@code slowlog-log-slower-than}) changed; the entries that appeared during a window are
 * told apart by their ids, which only grow.
 */
final class SlowLog {

    private final Redis redis;

    SlowLog(Redis redis) {
        this.redis = redis;
    }

    /**
     * @return the id of the newest entry, or -1 when the log is empty
     */
    long newestId() {
        Response entries = redis.send(Request.cmd(Command.SLOWLOG).arg("GET").arg(1)).await().indefinitely();
        return entries == null || entries.size() == 0 ? -1 : entries.get(0).get(0).toLong();
    }

    /**
     * @return Redis's slow-log threshold in µs, for the report (commands faster than it are not logged)
     */
    long thresholdMicros() {
        Response config = redis.send(Request.cmd(Command.CONFIG).arg("GET").arg("slowlog-log-slower-than")).await()
                .indefinitely();
        Response value;
        try {
            // RESP3 (what the Quarkus client speaks with Redis 6 and later) answers a map...
            value = config.get("slowlog-log-slower-than");
        } catch (RuntimeException notAMap) {
            // ... RESP2 an array [name, value].
            value = config.get(1);
        }
        return value == null ? -1 : Long.parseLong(value.toString());
    }

    /**
     * The entries newer than {@code afterId}, among the last 128 (the log may hold fewer).
     *
     * @param afterId as {@link #newestId()} returned before the window
     * @param namespace the cache's key prefix ({@code {prefix:version}}): an entry whose arguments name it is ours,
     *        the others came from whatever else uses the shared Redis meanwhile
     * @return per entry: id, Unix time, duration in µs, the command and its first arguments, whether it is ours
     */
    List<Map<String, Object>> newerThan(long afterId, String namespace) {
        Response entries = redis.send(Request.cmd(Command.SLOWLOG).arg("GET").arg(128)).await().indefinitely();
        List<Map<String, Object>> found = new ArrayList<>();
        for (Response entry : entries) {
            long id = entry.get(0).toLong();
            if (id <= afterId) {
                continue;
            }
            Response args = entry.get(3);
            StringBuilder command = new StringBuilder();
            boolean ours = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i).toString();
                ours |= arg.contains(namespace);
                if (i < 4) {
                    command.append(i == 0 ? "" : " ").append(arg.length() > 60 ? arg.substring(0, 60) + "..." : arg);
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("unixTime", entry.get(1).toLong());
            row.put("durationMicros", entry.get(2).toLong());
            row.put("command", command.toString());
            row.put("ours", ours);
            found.add(row);
        }
        return found;
    }
}
