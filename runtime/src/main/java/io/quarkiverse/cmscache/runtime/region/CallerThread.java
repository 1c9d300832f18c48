package io.quarkiverse.cmscache.runtime.region;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Runs a read's {@code Uni} to its end on the thread that asked for it, for the blocking read path: the read path is
 * written once, as a {@code Uni}, and its steps that follow a Redis answer, a timer or another thread's load are
 * handed back to this executor, so that a blocking loader still runs on the caller's thread (with its transaction,
 * request context and thread-locals) while the caller waits.
 * <p>
 * One instance serves one {@link #await} on one thread; it is not thread-safe otherwise. Only steps of the awaited
 * {@code Uni} may be handed to it: a task arriving after the await has ended is never run.
 */
final class CallerThread implements Executor {

    private static final Runnable WAKE_UP = () -> {
    };

    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /**
     * Subscribes to the work on this thread and runs the steps handed back to this executor until it ends.
     *
     * @return its item
     * @throws Exception its failure, as it was raised (a loader's checked exception reaches the caller unwrapped)
     */
    <T> T await(Uni<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Cancellable subscription = work.subscribe().with(item -> {
            result.complete(item);
            tasks.add(WAKE_UP);
        }, failure -> {
            result.completeExceptionally(failure);
            tasks.add(WAKE_UP);
        });
        try {
            while (!result.isDone()) {
                tasks.take().run();
            }
        } catch (InterruptedException e) {
            subscription.cancel();
            Thread.currentThread().interrupt();
            throw e;
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
