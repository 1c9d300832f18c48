package io.quarkiverse.cmscache.runtime.region;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.eclipse.microprofile.context.ThreadContext;

import io.smallrye.context.CleanAutoCloseable;
import io.smallrye.context.SmallRyeContextManagerProvider;
import io.smallrye.context.SmallRyeThreadContext;

/**
 * Keeps the caller's thread contexts -- its JTA transaction, its CDI request context, whatever MicroProfile Context
 * Propagation carries -- with the caller's own code, and out of the cache's.
 * <p>
 * <b>The cache's own work</b> is assembled in {@link #ownWork}, with no thread context. Mutiny, through Context
 * Propagation, otherwise captures the caller's contexts in every step it is given and applies them wherever the step
 * runs: above all on the Vert.x event loop that delivers Redis's answers, including answers to commands the caller
 * does not wait for. A transaction was then active on the event loop while its owner rolled it back, and Narayana
 * failed the rollback (ARJUNA012381), leaving the rolled-back changes in the database. Capturing the contexts for
 * every step also cost an L2 hit more than the Redis read around it.
 * <p>
 * <b>The caller's code</b> -- a loader, a recipe -- runs through the {@code CallerContext} of the read that calls it:
 * with the thread context the caller had, so that the pipelines it assembles propagate its contexts as they would
 * outside the cache; and, for an asynchronous loader, which may be called on another thread once Redis has answered,
 * with the contexts captured when the read began.
 * <p>
 * Thread-safe; an instance is immutable.
 */
public final class CallerContext {

    /** A thread context that propagates and clears nothing: Mutiny leaves the steps assembled under it as they are. */
    private static final class None {
        static final SmallRyeThreadContext CONTEXT = SmallRyeContextManagerProvider.getManager()
                .newThreadContextBuilder().propagated().cleared().unchanged(ThreadContext.ALL_REMAINING).build();
    }

    private final SmallRyeThreadContext threadContext;
    private final Executor captured;

    private CallerContext(SmallRyeThreadContext threadContext, Executor captured) {
        this.threadContext = threadContext;
        this.captured = captured;
    }

    /**
     * Assembles (and, where it runs on this thread, runs) the cache's own work with no thread context.
     */
    public static <T> T ownWork(Supplier<T> work) {
        try (CleanAutoCloseable ignored = SmallRyeThreadContext.withThreadContext(None.CONTEXT)) {
            return work.get();
        }
    }

    /**
     * {@link #ownWork(Supplier)}, for work that returns nothing.
     */
    public static void ownWork(Runnable work) {
        try (CleanAutoCloseable ignored = SmallRyeThreadContext.withThreadContext(None.CONTEXT)) {
            work.run();
        }
    }

    /**
     * {@link #ownWork(Supplier)}, for work that may throw a checked exception (a blocking read, which runs the
     * loader).
     */
    public static <T> T ownWorkThrowing(Callable<T> work) throws Exception {
        try (CleanAutoCloseable ignored = SmallRyeThreadContext.withThreadContext(None.CONTEXT)) {
            return work.call();
        }
    }

    /**
     * @return the context of a caller whose code runs on this thread, later in this call: only the thread context it
     *         has now is kept (its contexts are on the thread already)
     */
    static CallerContext onThisThread() {
        return new CallerContext(SmallRyeThreadContext.getCurrentThreadContext(), null);
    }

    /**
     * @return the context of a caller whose code may run on another thread: its contexts are captured now
     */
    static CallerContext captured() {
        return new CallerContext(SmallRyeThreadContext.getCurrentThreadContext(),
                SmallRyeThreadContext.getCurrentThreadContextOrDefaultContexts().currentContextExecutor());
    }

    /**
     * Runs the caller's code on this thread, now, in the caller's context.
     */
    <T> T run(Callable<T> code) throws Exception {
        if (captured == null) {
            try (CleanAutoCloseable ignored = SmallRyeThreadContext.withThreadContext(threadContext)) {
                return code.call();
            }
        }
        Object[] outcome = new Object[2];
        captured.execute(() -> {
            try (CleanAutoCloseable ignored = SmallRyeThreadContext.withThreadContext(threadContext)) {
                outcome[0] = code.call();
            } catch (Exception | Error failure) {
                outcome[1] = failure;
            }
        });
        if (outcome[1] instanceof Exception exception) {
            throw exception;
        }
        if (outcome[1] instanceof Error error) {
            throw error;
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }
}
