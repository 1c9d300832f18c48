package io.quarkiverse.cmscache.runtime.region;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.smallrye.mutiny.Uni;

/**
 * One fetch of a key in progress (Redis read, then load), shared by the concurrent misses of that key in this
 * instance. A reader joins a flight only if no invalidation was applied here since the flight started; otherwise it
 * starts a new one, so that once an invalidation has returned no reader can be handed a value loaded before it.
 */
final class Flight {

    private final long startEpoch;
    private final CompletableFuture<Entry> result = new CompletableFuture<>();

    Flight(long startEpoch) {
        this.startEpoch = startEpoch;
    }

    long startEpoch() {
        return startEpoch;
    }

    void complete(Entry entry) {
        result.complete(entry);
    }

    void fail(Throwable failure) {
        result.completeExceptionally(failure);
    }

    /**
     * Waits for the outcome and rethrows the owner's exception, if any.
     */
    Entry join() throws Exception {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    Uni<Entry> asUni() {
        return Uni.createFrom().completionStage(result);
    }
}
