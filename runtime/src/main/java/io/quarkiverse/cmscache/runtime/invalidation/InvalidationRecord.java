package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.List;

/**
 * One invalidation, as kept in the invalidation log.
 *
 * @param sequence its sequence number in Redis, or {@code -1} when it did not reach Redis (L2 off or unreachable)
 * @param at when the originating instance requested it, in epoch milliseconds
 * @param tags the invalidated tags (empty for a reconciliation that dropped this instance's whole L1)
 * @param trigger what asked for it
 * @param origin the id of the instance it came from
 * @param l1Evicted how many entries it evicted from this instance's L1, or {@code -1} when this instance did not apply
 *        it (a record read from the Redis log only)
 * @param redisDeleted how many entries it deleted from Redis, or {@code -1} when unknown here: it did not reach Redis,
 *        or it is another instance's (its message leaves before the slot groups delete; the invalidating instance
 *        records the count)
 * @param appliedAt when this instance applied it, in epoch milliseconds, or {@code -1}
 */
public record InvalidationRecord(long sequence, long at, List<String> tags, Trigger trigger, String origin,
        int l1Evicted, long redisDeleted, long appliedAt) {

    public InvalidationRecord {
        tags = List.copyOf(tags);
    }

    /**
     * @return whether the invalidation came from another instance (through Redis)
     */
    public boolean remoteTo(String instanceId) {
        return !origin.equals(instanceId);
    }

    /**
     * @return this record with what this instance evicted for it
     */
    InvalidationRecord appliedHere(int evicted, long now) {
        return new InvalidationRecord(sequence, at, tags, trigger, origin, evicted, redisDeleted, now);
    }
}
