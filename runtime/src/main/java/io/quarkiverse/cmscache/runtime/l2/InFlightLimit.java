package io.quarkiverse.cmscache.runtime.l2;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Holds the cache's own Redis commands below the client's connection pool: at most {@code limit} of them are in the
 * client at once, the others wait here in arrival order, at most {@code maxWaiting} of them, and any beyond that fail
 * at once with {@link L2BusyException}.
 * <p>
 * Why: the Vert.x Redis client deadlocks its cluster connection pool when more commands wait for a connection than
 * the pool holds while it refreshes its slot map (vert-x3/vertx-redis-client issue 541, fixed in 4.5.27 and 5.0.10),
 * and on any client type it rejects the commands beyond {@code max-pool-size + max-pool-waiting}. Kept below the pool
 * size, the cache's own traffic can cause neither, whatever the client version.
 * <p>
 * A command holds its permit from the moment it is handed to the client until the client answers or fails it, not
 * until its caller stops waiting: the count is what the client really holds. A caller that stops waiting (its
 * {@code Uni} is cancelled, for example by the timeout) while its command still waits here withdraws it, so it is
 * never sent.
 * <p>
 * Thread-safe. The lock guards two counters and a queue; no command runs under it.
 */
final class InFlightLimit {

    private final int limit;
    private final int maxWaiting;
    private final Executor executor;
    private final ArrayDeque<Waiting<?>> waiting = new ArrayDeque<>();
    private final LongAdder rejected = new LongAdder();
    private int inFlight;

    /**
     * @param limit how many commands may be in the client at once, at least 1
     * @param maxWaiting how many may wait for a permit, at least 0
     * @param executor where a command that was waiting is handed to the client, so that a chain of commands that fail
     *        at once does not grow the stack of the thread that completed the previous one
     */
    InFlightLimit(int limit, int maxWaiting, Executor executor) {
        if (limit < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException("limit " + limit + ", max waiting " + maxWaiting);
        }
        this.limit = limit;
        this.maxWaiting = maxWaiting;
        this.executor = executor;
    }

    /**
     * @param command sends one command; called once, when a permit is free
     * @return a lazy {@code Uni} of the command's outcome, failing with {@link L2BusyException} when too many
     *         commands already wait
     */
    <T> Uni<T> submit(Supplier<Uni<T>> command) {
        return Uni.createFrom().emitter(emitter -> {
            Waiting<T> entry = new Waiting<>(command, emitter);
            // A caller that stops waiting before its command got a permit takes it out of the queue.
            emitter.onTermination(() -> withdraw(entry));
            synchronized (this) {
                if (entry.withdrawn) {
                    return;
                }
                if (inFlight < limit) {
                    inFlight++;
                    entry.started = true;
                } else if (waiting.size() < maxWaiting) {
                    waiting.addLast(entry);
                    return;
                } else {
                    rejected.increment();
                    entry.started = true;
                    entry.rejected = true;
                }
            }
            if (entry.rejected) {
                emitter.fail(new L2BusyException(limit, maxWaiting));
            } else {
                entry.start();
            }
        });
    }

    private synchronized void withdraw(Waiting<?> entry) {
        entry.withdrawn = true;
        if (!entry.started) {
            waiting.remove(entry);
        }
    }

    /**
     * A command left the client: its permit passes to the longest-waiting command, or back to the pool.
     */
    private void release() {
        Waiting<?> next;
        synchronized (this) {
            next = waiting.pollFirst();
            if (next == null) {
                inFlight--;
                return;
            }
            next.started = true;
        }
        executor.execute(next::start);
    }

    /**
     * @return the cache's commands the client holds now
     */
    synchronized int inFlight() {
        return inFlight;
    }

    /**
     * @return the commands waiting for a permit now
     */
    synchronized int waiting() {
        return waiting.size();
    }

    /**
     * @return how many commands failed since start-up because too many were waiting
     */
    long rejected() {
        return rejected.sum();
    }

    private final class Waiting<T> {
        private final Supplier<Uni<T>> command;
        private final UniEmitter<? super T> emitter;
        /** Guarded by the limit's lock: set once the command left the queue (or never joined it). */
        private boolean started;
        /** Guarded by the limit's lock: set when the caller stopped waiting, or got its outcome. */
        private boolean withdrawn;
        /** Guarded by the limit's lock: set when neither a permit nor a place in the queue was free. */
        private boolean rejected;

        Waiting(Supplier<Uni<T>> command, UniEmitter<? super T> emitter) {
            this.command = command;
            this.emitter = emitter;
        }

        void start() {
            Uni<T> sent;
            try {
                sent = command.get();
            } catch (Throwable failure) {
                release();
                emitter.fail(failure);
                return;
            }
            // Not cancelled with the caller: the permit is held until the client is done with the command.
            sent.subscribe().with(item -> {
                release();
                emitter.complete(item);
            }, failure -> {
                release();
                emitter.fail(failure);
            });
        }
    }
}
