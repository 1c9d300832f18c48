package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.smallrye.mutiny.Uni;

/**
 * The recent invalidations this instance applied, newest first, capped at {@code quarkus.cms-cache.invalidation.log-size};
 * each is also written as a debug log line and handed to the observers (metrics, the Dev UI).
 * <p>
 * Redis keeps the shared history: its log list (the one the {@link InvalidationFeed} replays gaps from) holds every
 * instance's invalidations with their trigger, origin and Redis deletions. {@link #history} merges it with this
 * instance's records, which add what this instance evicted from its L1.
 * <p>
 * Thread-safe; observers are called on the thread that applied the invalidation and must not block.
 */
public final class InvalidationLog {

    private static final Logger LOG = Logger.getLogger(InvalidationLog.class);

    private final int capacity;
    private final RedisL2 l2;
    private final ArrayDeque<InvalidationRecord> records = new ArrayDeque<>();
    private final List<Consumer<InvalidationRecord>> observers = new CopyOnWriteArrayList<>();

    /**
     * @param capacity how many records to keep
     * @param l2 Redis, for the shared history, or {@code null}
     */
    public InvalidationLog(int capacity, RedisL2 l2) {
        this.capacity = capacity;
        this.l2 = l2;
    }

    /**
     * Adds a record, logs it at debug level and tells the observers.
     */
    public void record(InvalidationRecord record) {
        synchronized (records) {
            records.addFirst(record);
            while (records.size() > capacity) {
                records.removeLast();
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("CMS cache invalidation %s of %s by %s from instance %s: %d entries evicted from L1, %s",
                    record.sequence() < 0 ? "(not in Redis)" : "#" + record.sequence(), record.tags(),
                    record.trigger(), record.origin(), record.l1Evicted(),
                    record.redisDeleted() < 0 ? "Redis deletions unknown here" : record.redisDeleted() + " deleted from Redis");
        }
        for (Consumer<InvalidationRecord> observer : observers) {
            try {
                observer.accept(record);
            } catch (RuntimeException e) {
                LOG.errorf(e, "CMS cache invalidation observer failed for %s", record);
            }
        }
    }

    /**
     * Registers an observer of every later record.
     */
    public void observe(Consumer<InvalidationRecord> observer) {
        observers.add(observer);
    }

    /**
     * Stops telling an observer.
     */
    public void stopObserving(Consumer<InvalidationRecord> observer) {
        observers.remove(observer);
    }

    /**
     * @return up to {@code max} records of this instance, newest first
     */
    public List<InvalidationRecord> recent(int max) {
        List<InvalidationRecord> result = new ArrayList<>(Math.min(max, capacity));
        synchronized (records) {
            Iterator<InvalidationRecord> it = records.iterator();
            while (it.hasNext() && result.size() < max) {
                result.add(it.next());
            }
        }
        return result;
    }

    /**
     * The history all instances share: the Redis log, completed with this instance's records (which know its L1
     * evictions, and include invalidations that never reached Redis). Without Redis, or when it does not answer, this
     * instance's records.
     *
     * @return up to {@code max} records, newest first
     */
    public Uni<List<InvalidationRecord>> history(int max) {
        List<InvalidationRecord> local = recent(capacity);
        if (l2 == null) {
            return Uni.createFrom().item(local.subList(0, Math.min(max, local.size())));
        }
        return l2.log(Math.min(max, capacity)).map(lines -> merge(lines, local, max))
                .onFailure().recoverWithItem(() -> local.subList(0, Math.min(max, local.size())));
    }

    static List<InvalidationRecord> merge(List<String> redisLog, List<InvalidationRecord> local, int max) {
        Map<Long, InvalidationRecord> bySequence = new HashMap<>();
        List<InvalidationRecord> merged = new ArrayList<>(redisLog.size() + local.size());
        for (InvalidationRecord record : local) {
            if (record.sequence() >= 0) {
                bySequence.put(record.sequence(), record);
            } else {
                merged.add(record);
            }
        }
        for (String line : redisLog) {
            InvalidationMessage message = InvalidationMessage.parse(line);
            if (message != null) {
                InvalidationRecord mine = bySequence.remove(message.seq());
                merged.add(mine != null ? mine : message.toRecord());
            }
        }
        merged.addAll(bySequence.values());
        merged.sort(Comparator.comparingLong(InvalidationRecord::at).thenComparingLong(InvalidationRecord::sequence)
                .reversed());
        return merged.size() > max ? List.copyOf(merged.subList(0, max)) : merged;
    }
}
