package io.quarkiverse.cmscache.runtime.region;

import java.util.concurrent.CompletableFuture;

import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.tags.Computation;
import io.smallrye.mutiny.Uni;

/**
 * One fetch of a key in progress (Redis read, then load), shared by the concurrent misses of that key in this
 * instance.
 * <p>
 * A reader joins a flight only while none of the tags the flight is known to depend on -- its key, its region, the
 * tags its computation has collected so far -- was invalidated here since the flight started: so once an
 * invalidation of the key has returned, no reader waits for a load begun before it, while invalidations of unrelated
 * tags do not break stampede protection. A joined reader still checks the outcome ({@link TagVersions#isStale}) and
 * loads by itself if a tag the flight collected later turns out to have been invalidated.
 * <p>
 * Thread-safe.
 */
final class Flight implements Computation.Load {

    private final String key;
    private final String regionTag;
    private final long startEpoch;
    private final CompletableFuture<Entry> result = new CompletableFuture<>();
    private volatile Computation computation;

    Flight(String key, String region, long startEpoch) {
        this.key = key;
        this.regionTag = EntryKeys.regionTag(region);
        this.startEpoch = startEpoch;
    }

    long startEpoch() {
        return startEpoch;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Computation computation() {
        return computation;
    }

    /**
     * Notes the computation running the loader, before the loader runs.
     */
    void loading(Computation running) {
        computation = running;
    }

    /**
     * @return whether a reader arriving now may wait for this flight's outcome
     */
    boolean joinable(TagVersions versions) {
        if (versions.epoch() == startEpoch) {
            return true;
        }
        if (versions.invalidatedSince(key, startEpoch) || versions.invalidatedSince(regionTag, startEpoch)) {
            return false;
        }
        Computation running = computation;
        if (running != null) {
            for (String tag : running.tagsSoFar()) {
                if (versions.invalidatedSince(tag, startEpoch)) {
                    return false;
                }
            }
        }
        return true;
    }

    void complete(Entry entry) {
        result.complete(entry);
    }

    void fail(Throwable failure) {
        result.completeExceptionally(failure);
    }

    /**
     * @return the outcome, emitted on the thread that completes the flight. Each subscriber waits on a copy of it:
     *         cancelling a subscription (a reader that stops waiting, or goes away) cancels that copy, never the
     *         outcome the other readers wait for
     */
    Uni<Entry> outcome() {
        return Uni.createFrom().completionStage(result::copy);
    }
}
