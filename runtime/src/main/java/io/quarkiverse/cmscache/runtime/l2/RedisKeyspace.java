package io.quarkiverse.cmscache.runtime.l2;

/**
 * Names of everything the cache keeps in Redis for one {@code key-prefix} and {@code key-version}.
 * <p>
 * Every key starts with the hash tag {@code {<prefix>:<version>}}, so all of them fall in one Redis Cluster hash
 * slot and each Lua script (which touches an entry, its tag sets and the tag versions together, atomically) is a
 * single-slot script. On a cluster, one cache namespace therefore lives on one shard with its replicas; run several
 * namespaces to spread load. Changing the version changes every name, which is what makes old entries unreachable.
 *
 * <ul>
 * <li>{@code {ns}:e:<key>} an entry: a hash with fields {@code m} (meta: format, basis, creation time), {@code t}
 * (tags, space-separated and space-framed) and {@code v} (the value as JSON), expiring with the region's TTL;</li>
 * <li>{@code {ns}:t:<tag>} the set of entry keys registered under a tag (may hold keys whose entry expired or no
 * longer carries the tag; the {@code t} field is checked before anything is deleted). No TTL, so that an evicting
 * Redis ({@code volatile-*}) never drops one; pruned by every write and by the metadata sweep instead, which walks
 * {@code {ns}:tags}, the set of tags that have one;</li>
 * <li>{@code {ns}:v:<tag>} the sequence number of the tag's last invalidation, and {@code {ns}:vt} the tags by the
 * time of their last invalidation. No TTL either; the sweep deletes versions older than the retention, and keeps the
 * highest sequence number it deleted in {@code {ns}:vfloor};</li>
 * <li>{@code {ns}:drain:<seq>:<tag>} the members of a tag set too large to be checked by the invalidation {@code seq}
 * itself, emptied in bounded steps, and {@code {ns}:drains} the index of those in progress;</li>
 * <li>{@code {ns}:seq} the invalidation sequence; {@code {ns}:log} the capped log of recent invalidations;
 * {@code {ns}:floor} the sequence number at which the namespace was last found to have gone back in time (entries
 * loaded before it are not trusted);</li>
 * <li>{@code {ns}:lease:<key>} and {@code {ns}:refresh:<key>} short leases: which instance loads a missing entry,
 * which one refreshes an entry;</li>
 * <li>{@code {ns}:hot}, {@code {ns}:hot:recipes}, {@code {ns}:hot:decayed} the fading read counts of entries and how
 * to load them, for warming;</li>
 * <li>channel {@code <prefix>:<version>:invalidations} carries each invalidation, in sequence order.</li>
 * </ul>
 */
public final class RedisKeyspace {

    private final String slot;
    private final String entryPrefix;
    private final String channel;

    public RedisKeyspace(String keyPrefix, String keyVersion) {
        this.slot = "{" + keyPrefix + ":" + keyVersion + "}";
        this.entryPrefix = slot + ":e:";
        this.channel = keyPrefix + ":" + keyVersion + ":invalidations";
    }

    public String entry(String key) {
        return entryPrefix + key;
    }

    /**
     * @return the entry key of a Redis key made by {@link #entry(String)}
     */
    public String keyOfEntry(String redisKey) {
        return redisKey.startsWith(entryPrefix) ? redisKey.substring(entryPrefix.length()) : redisKey;
    }

    public String tagSet(String tag) {
        return slot + ":t:" + tag;
    }

    public String tagVersion(String tag) {
        return slot + ":v:" + tag;
    }

    /**
     * @return the sorted set of tags by the time (ms) of their last invalidation
     */
    public String versionIndex() {
        return slot + ":vt";
    }

    /**
     * @return the highest sequence number among the tag versions the sweep deleted: a load that began below it is not
     *         stored
     */
    public String versionFloor() {
        return slot + ":vfloor";
    }

    /**
     * @return the prefix of every tag version key
     */
    public String versionPrefix() {
        return slot + ":v:";
    }

    /**
     * @return the set of tags that have a tag set: what the metadata sweep walks
     */
    public String tagSetIndex() {
        return slot + ":tags";
    }

    public String sequence() {
        return slot + ":seq";
    }

    /**
     * @return the lowest basis an entry may have: raised when Redis is found to have gone back in time
     */
    public String floor() {
        return slot + ":floor";
    }

    /**
     * @return the sorted set of drains in progress: {@code <seq>:<tag>} by sequence number
     */
    public String drains() {
        return slot + ":drains";
    }

    /**
     * @return the drain of the invalidation {@code seq} of a tag: the members its tag set had
     */
    public String drain(long seq, String tag) {
        return slot + ":drain:" + seq + ":" + tag;
    }

    public String log() {
        return slot + ":log";
    }

    public String lease(String key) {
        return slot + ":lease:" + key;
    }

    public String refreshLease(String key) {
        return slot + ":refresh:" + key;
    }

    public String hot() {
        return slot + ":hot";
    }

    public String hotRecipes() {
        return slot + ":hot:recipes";
    }

    public String hotDecayed() {
        return slot + ":hot:decayed";
    }

    public String channel() {
        return channel;
    }

    /**
     * @return the prefix every key of this namespace starts with
     */
    public String slot() {
        return slot;
    }
}
