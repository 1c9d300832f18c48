package io.quarkiverse.cmscache.runtime.l2;

/**
 * How the Redis server the cache talks to frees memory, as {@code INFO memory} reports it, and whether the cache's
 * guarantees hold under it.
 * <p>
 * The cache keeps, besides its entries, metadata that invalidation depends on: the set of entries registered under each
 * tag, each tag's last invalidation, the invalidation sequence and log. None of it has a TTL, so the
 * {@code volatile-*} policies (which evict only keys with a TTL: entries, leases) leave it alone, and an evicted entry
 * is only a miss. The {@code allkeys-*} policies may evict any key: an evicted tag set makes the next invalidation of
 * that tag delete nothing, an evicted tag version lets a load that began before the invalidation store its stale
 * value, and instances then serve the old content from Redis until its TTL. {@code noeviction} is safe too (writes
 * fail when Redis is full, and the cache keeps the values in L1 only).
 *
 * @param policy the {@code maxmemory_policy} field, or {@code unknown} when Redis does not report it
 * @param maxMemory the {@code maxmemory} field in bytes, 0 for no limit, -1 when not reported
 */
public record EvictionPolicy(String policy, long maxMemory) {

    /** What Redis reports when {@code INFO memory} is unavailable or incomplete. */
    public static final EvictionPolicy UNKNOWN = new EvictionPolicy("unknown", -1);

    /**
     * @return whether Redis may evict the cache's metadata: a memory limit and an {@code allkeys-*} policy; unknown
     *         counts as safe, since nothing says otherwise
     */
    public boolean mayEvictMetadata() {
        return maxMemory > 0 && policy.startsWith("allkeys-");
    }

    /**
     * Reads the policy out of an {@code INFO memory} reply.
     */
    public static EvictionPolicy parse(String info) {
        if (info == null) {
            return UNKNOWN;
        }
        String policy = "unknown";
        long maxMemory = -1;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("maxmemory_policy:")) {
                policy = line.substring("maxmemory_policy:".length()).trim();
            } else if (line.startsWith("maxmemory:")) {
                try {
                    maxMemory = Long.parseLong(line.substring("maxmemory:".length()).trim());
                } catch (NumberFormatException e) {
                    maxMemory = -1;
                }
            }
        }
        return new EvictionPolicy(policy, maxMemory);
    }

    /**
     * @return {@code safe}, {@code unsafe (<policy>)} or {@code unknown}, for health and the inspector
     */
    public String describe() {
        if ("unknown".equals(policy)) {
            return "unknown";
        }
        return mayEvictMetadata() ? "unsafe (" + policy + ")" : "safe";
    }
}
