package io.quarkiverse.cmscache.runtime.l2;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of everything the cache keeps in Redis for one {@code key-prefix} and {@code key-version}: a control slot and
 * {@code l2.slot-groups} slot groups.
 * <p>
 * Each Lua script touches the keys of one hash slot only, so that it runs on Redis Cluster. The <b>control slot</b>
 * {@code {<prefix>:<version>}} holds what every instance shares about invalidations; each <b>slot group</b>
 * {@code {<prefix>:<version>:<group>.<n>}} holds a share of the entries together with what their writes and
 * invalidations check: the tag sets and tag versions of those entries. An entry's group follows from its key. The
 * {@code n} of each group is chosen so that the groups' hash slots are spread evenly over the 16384 slots: a cluster
 * whose masters own even ranges of slots (as {@code redis-cli --cluster create} and managed services assign them)
 * holds an even share of the groups on each master. On a single Redis the layout is the same. Changing the version
 * changes every name, which is what makes old entries unreachable.
 * <p>
 * In the control slot {@code {ns}}:
 * <ul>
 * <li>{@code {ns}:seq} the invalidation sequence; {@code {ns}:log} the capped log of recent invalidations;
 * {@code {ns}:floor} the sequence number at which the namespace was last found to have gone back in time (entries
 * loaded before it are not trusted);</li>
 * <li>{@code {ns}:pending} the invalidations not yet applied in every group, {@code <seq>:<tag>} by sequence
 * number;</li>
 * <li>{@code {ns}:layout} the number of slot groups the namespace was started with;</li>
 * <li>{@code {ns}:hot}, {@code {ns}:hot:recipes}, {@code {ns}:hot:decayed} the fading read counts of entries and how
 * to load them, for warming;</li>
 * <li>channel {@code <prefix>:<version>:invalidations} carries each invalidation, in sequence order.</li>
 * </ul>
 * In each slot group {@code {g}}:
 * <ul>
 * <li>{@code {g}:e:<key>} an entry: a hash with fields {@code m} (meta: format, basis, creation time), {@code t}
 * (tags, space-separated and space-framed) and {@code v} (the value as JSON), expiring with the region's TTL;</li>
 * <li>{@code {g}:t:<tag>} the set of the group's entry keys registered under a tag (may hold keys whose entry expired
 * or no longer carries the tag; the {@code t} field is checked before anything is deleted). No TTL, so that an
 * evicting Redis ({@code volatile-*}) never drops one; pruned by every write and by the metadata sweep instead, which
 * walks {@code {g}:tags}, the set of tags that have one in the group;</li>
 * <li>{@code {g}:v:<tag>} the sequence number of the tag's last invalidation applied in the group, and {@code {g}:vt}
 * the tags by the time of their last invalidation. No TTL either; the sweep deletes versions older than the
 * retention, and keeps the highest sequence number it deleted in {@code {g}:vfloor};</li>
 * <li>{@code {g}:floor} the namespace's floor, as far as the group was told: writes loaded before it are refused;
 * {@code {g}:applied} the group's mark, the highest sequence number applied in it, which tells whether the group went
 * back in time;</li>
 * <li>{@code {g}:drain:<seq>:<tag>} the members of a tag set too large to be checked by the invalidation {@code seq}
 * at once, emptied in bounded steps;</li>
 * <li>{@code {g}:lease:<key>} and {@code {g}:refresh:<key>} short leases: which instance loads a missing entry,
 * which one refreshes an entry.</li>
 * </ul>
 */
public final class RedisKeyspace {

    private final String control;
    private final String channel;
    private final List<Group> groups;

    /**
     * @param groups how many slot groups share the entries ({@code l2.slot-groups})
     */
    public RedisKeyspace(String keyPrefix, String keyVersion, int groups) {
        String namespace = keyPrefix + ":" + keyVersion;
        this.control = "{" + namespace + "}";
        this.channel = namespace + ":invalidations";
        List<Group> made = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            made.add(new Group(g, "{" + spreadName(namespace + ":" + g, g, groups) + "}"));
        }
        this.groups = List.copyOf(made);
    }

    /**
     * @return {@code <base>.<n>} with the smallest {@code n} whose hash slot lies near the middle of the group's even
     *         share of the slots (within an eighth of the share on either side): so that which master holds a group
     *         depends on the cluster's slot ranges only, not on the prefix, and a group whose share straddles the end
     *         of a master's range lands on the master that owns most of it
     */
    private static String spreadName(String base, int group, int groups) {
        long share = HashSlot.SLOTS;
        long middle = (2L * group + 1) * share / (2L * groups);
        long margin = Math.max(0, share / groups / 8);
        long from = middle - margin;
        long to = middle + margin + 1;
        for (int n = 0;; n++) {
            String name = base + "." + n;
            int slot = HashSlot.of(name);
            if (slot >= from && slot < to) {
                return name;
            }
        }
    }

    /**
     * @return the slot groups, in order
     */
    public List<Group> groups() {
        return groups;
    }

    /**
     * @return the slot group that holds the entry with this key, its leases and its registrations under its tags
     */
    public Group groupOf(String key) {
        return groups.get(Math.floorMod(mix(key.hashCode()), groups.size()));
    }

    /** Spreads keys that differ in their last characters only over all groups. */
    private static int mix(int hash) {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /**
     * @return the Redis key of an entry
     */
    public String entry(String key) {
        return groupOf(key).entry(key);
    }

    /**
     * @param keyPattern a glob over entry keys, special characters of literal parts escaped
     *        ({@link RedisL2#globEscape})
     * @return a glob over the Redis keys of those entries, in every slot group
     */
    public String entryPattern(String keyPattern) {
        return RedisL2.globEscape(control.substring(0, control.length() - 1) + ":") + "*}:e:" + keyPattern;
    }

    /**
     * @return the entry key of a Redis key made by {@link #entry(String)}
     */
    public String keyOfEntry(String redisKey) {
        int at = redisKey.indexOf("}:e:");
        return at < 0 ? redisKey : redisKey.substring(at + 4);
    }

    /**
     * @return the lease of the load of an entry
     */
    public String lease(String key) {
        return groupOf(key).lease(key);
    }

    /**
     * @return the lease of the refresh of an entry
     */
    public String refreshLease(String key) {
        return groupOf(key).refreshLease(key);
    }

    public String sequence() {
        return control + ":seq";
    }

    /**
     * @return the lowest basis an entry may have: raised when Redis is found to have gone back in time
     */
    public String floor() {
        return control + ":floor";
    }

    /**
     * @return the sorted set of invalidations not yet applied in every group: {@code <seq>:<tag>} by sequence number
     */
    public String pending() {
        return control + ":pending";
    }

    /**
     * @return the number of slot groups the namespace was started with
     */
    public String layout() {
        return control + ":layout";
    }

    public String log() {
        return control + ":log";
    }

    public String hot() {
        return control + ":hot";
    }

    public String hotRecipes() {
        return control + ":hot:recipes";
    }

    public String hotDecayed() {
        return control + ":hot:decayed";
    }

    public String channel() {
        return channel;
    }

    /**
     * @return the control slot's hash tag, with its braces
     */
    public String control() {
        return control;
    }

    /**
     * One slot group: a share of the entries, with their tag sets, tag versions and leases, in one hash slot.
     *
     * @param index its number, from 0
     * @param name its hash tag, with its braces
     */
    public record Group(int index, String name) {

        public String entry(String key) {
            return name + ":e:" + key;
        }

        public String lease(String key) {
            return name + ":lease:" + key;
        }

        public String refreshLease(String key) {
            return name + ":refresh:" + key;
        }

        public String tagSet(String tag) {
            return name + ":t:" + tag;
        }

        public String tagVersion(String tag) {
            return name + ":v:" + tag;
        }

        /**
         * @return the prefix of every tag version key of the group
         */
        public String versionPrefix() {
            return name + ":v:";
        }

        /**
         * @return the sorted set of the group's tags by the time (ms) of their last invalidation
         */
        public String versionIndex() {
            return name + ":vt";
        }

        /**
         * @return the highest sequence number among the tag versions the sweep deleted: a load that began below it is
         *         not stored
         */
        public String versionFloor() {
            return name + ":vfloor";
        }

        /**
         * @return the set of tags that have a tag set in the group: what the metadata sweep walks
         */
        public String tagSetIndex() {
            return name + ":tags";
        }

        /**
         * @return the group's mark: the highest sequence number applied in it (or the floor, if higher)
         */
        public String mark() {
            return name + ":applied";
        }

        /**
         * @return the namespace's floor as the group was told it
         */
        public String floor() {
            return name + ":floor";
        }

        /**
         * @return the drain of the invalidation {@code seq} of a tag in this group: the members its tag set had
         */
        public String drain(long seq, String tag) {
            return name + ":drain:" + seq + ":" + tag;
        }
    }
}
