package io.quarkiverse.cmscache.runtime.l2;

/**
 * What the cache needs to know about the Redis server it talks to, read from {@code INFO} (which managed services
 * allow where they refuse {@code CONFIG}) every time the invalidation subscription is checked.
 *
 * @param eviction how it frees memory
 * @param replicas how many replicas are connected to it ({@code connected_slaves}), 0 if it does not say
 * @param runId the id of the server process ({@code run_id}): another one after a restart or a failover, empty if it
 *        does not say
 */
public record ServerInfo(EvictionPolicy eviction, int replicas, String runId) {

    /** What is known when Redis does not answer {@code INFO}. */
    public static final ServerInfo UNKNOWN = new ServerInfo(EvictionPolicy.UNKNOWN, 0, "");

    /**
     * Reads an {@code INFO} reply (its server, memory and replication sections).
     */
    public static ServerInfo parse(String info) {
        if (info == null) {
            return UNKNOWN;
        }
        int replicas = 0;
        String runId = "";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("connected_slaves:")) {
                try {
                    replicas = Integer.parseInt(line.substring("connected_slaves:".length()).trim());
                } catch (NumberFormatException e) {
                    replicas = 0;
                }
            } else if (line.startsWith("run_id:")) {
                runId = line.substring("run_id:".length()).trim();
            }
        }
        return new ServerInfo(EvictionPolicy.parse(info), replicas, runId);
    }
}
