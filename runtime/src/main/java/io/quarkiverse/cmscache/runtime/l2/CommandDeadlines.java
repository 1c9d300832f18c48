package io.quarkiverse.cmscache.runtime.l2;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Fails the cache's Redis commands that outlast {@code quarkus.cms-cache.l2.timeout}, from one periodic check rather
 * than a timer per command: a timer per command woke the scheduler thread twice per Redis read (to schedule, and to
 * cancel), which on a two-core machine cost an L2 hit about as much as the read itself.
 * <p>
 * Every command has the same timeout, so deadlines come in the order commands are sent: they wait in a queue, and each
 * check takes from its head those that are past their deadline (failing them) or settled. A command therefore fails
 * between its deadline and one check period later. The queue holds the commands of at most one timeout and one check
 * period: bounded by the rate of commands, not by uptime.
 * <p>
 * Thread-safe.
 */
final class CommandDeadlines {

    private final Duration timeout;
    private final long timeoutNanos;
    private final ConcurrentLinkedQueue<Deadline> queue = new ConcurrentLinkedQueue<>();

    /**
     * @param timeout how long one command may take
     */
    CommandDeadlines(Duration timeout) {
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * @return how often {@link #failOverdue} should run: a tenth of the timeout, between 5 and 100 ms
     */
    long checkPeriodMillis() {
        return Math.max(5, Math.min(100, timeout.toMillis() / 10));
    }

    /**
     * @return the command, failing with a {@link TimeoutException} if it has not answered by its deadline; its
     *         subscription is then cancelled, as it is when the caller cancels
     */
    <T> Uni<T> bound(Uni<T> command) {
        return Uni.createFrom().emitter(emitter -> {
            Deadline deadline = new Deadline(System.nanoTime() + timeoutNanos, emitter);
            // Only a caller that stops waiting has anything left to cancel. Once the answer is handed on, the thread
            // that delivered it does nothing more here: it may be running with the caller's propagated context (a
            // transaction, say), which must be done with by the time the caller, woken by the answer, goes on.
            emitter.onTermination(() -> {
                if (deadline.settle()) {
                    deadline.cancel();
                }
            });
            queue.add(deadline);
            deadline.subscribed(command.subscribe().with(item -> {
                if (deadline.settle()) {
                    emitter.complete(item);
                }
            }, failure -> {
                if (deadline.settle()) {
                    emitter.fail(failure);
                }
            }));
        });
    }

    /**
     * Fails the commands past their deadline, and forgets those settled at the head of the queue.
     */
    void failOverdue() {
        long now = System.nanoTime();
        Deadline head;
        while ((head = queue.peek()) != null && (head.settled.get() || head.at - now <= 0)) {
            queue.poll();
            if (head.settle()) {
                head.cancel();
                head.emitter.fail(new TimeoutException("Redis did not answer within " + timeout.toMillis()
                        + " ms (quarkus.cms-cache.l2.timeout)"));
            }
        }
    }

    /**
     * Fails every command still waiting for its answer: nothing checks their deadlines any more.
     */
    void failAll() {
        Deadline head;
        while ((head = queue.poll()) != null) {
            if (head.settle()) {
                head.cancel();
                head.emitter.fail(new TimeoutException("the CMS cache was closed before Redis answered"));
            }
        }
    }

    /**
     * @return the commands waiting for their answer or their check (for tests)
     */
    int size() {
        return queue.size();
    }

    private static final class Deadline {
        private final long at;
        private final UniEmitter<?> emitter;
        /** Set once the command answered, failed or timed out: only the first of these reaches the caller. */
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile Cancellable subscription;
        private volatile boolean cancelled;

        Deadline(long at, UniEmitter<?> emitter) {
            this.at = at;
            this.emitter = emitter;
        }

        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        void subscribed(Cancellable subscription) {
            this.subscription = subscription;
            if (cancelled) {
                subscription.cancel();
            }
        }

        /** The caller stopped waiting, or the deadline passed: the command's subscription is no longer needed. */
        void cancel() {
            cancelled = true;
            Cancellable current = subscription;
            if (current != null) {
                current.cancel();
            }
        }
    }
}
