package io.quarkiverse.cmscache.runtime.tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;

/**
 * The computation of one entry: collects the tags its value depends on while its loader runs.
 * <p>
 * A computation is <em>current</em> on the thread running its loader (a thread-local set by the read path), on
 * threads running {@code Uni} callbacks assembled there (SmallRye Context Propagation carries it, see
 * {@link ComputationContextProvider}), and in the Mutiny subscriber context of a {@code Uni} loader (key
 * {@link #CONTEXT_KEY}), which reaches nested cached {@code Uni}s whichever thread they run on.
 * <p>
 * Thread-safety: tags may be added from several threads at once (for example {@code Uni.combine()} branches). Tags
 * added after {@link #finish()} are ignored: they come from work the computation did not wait for.
 */
public final class Computation {

    /** Key of the current computation in a Mutiny subscriber context. */
    public static final String CONTEXT_KEY = "io.quarkiverse.cmscache.computation";

    private static final ThreadLocal<Computation> CURRENT = new ThreadLocal<>();

    private final String key;
    private final Computation parent;
    private final Set<String> tags = ConcurrentHashMap.newKeySet();
    private final long basis;
    private final long epoch;
    /** For tags that came with an entry read during the computation: the oldest basis of such an entry. */
    private final Map<String, Long> carriedBases = new ConcurrentHashMap<>();
    /** For tags that came with an entry read during the computation: the oldest local epoch of such an entry. */
    private final Map<String, Long> carriedEpochs = new ConcurrentHashMap<>();
    private volatile boolean finished;
    /** The load of another computation this one waits for, if any: for finding cycles across threads. */
    private volatile Load waiting;

    /**
     * A load in progress that other reads may wait for (a flight).
     */
    public interface Load {

        /**
         * @return the key being loaded
         */
        String key();

        /**
         * @return the computation running the loader, or {@code null} before it runs
         */
        Computation computation();
    }

    /**
     * @param key the key of the entry being computed
     * @param parent the computation this one runs in, or {@code null}
     * @param basis the invalidation sequence number this instance had applied when the computation started
     * @param epoch the local epoch when the computation started
     */
    public Computation(String key, Computation parent, long basis, long epoch) {
        this.key = key;
        this.parent = parent;
        this.basis = basis;
        this.epoch = epoch;
    }

    /**
     * @return the computation current on this thread, or {@code null}
     */
    public static Computation current() {
        return CURRENT.get();
    }

    /**
     * Makes a computation current on this thread.
     *
     * @param computation the computation, or {@code null} for none
     * @return the computation that was current before, to pass to {@link #restore(Computation)}
     */
    public static Computation enter(Computation computation) {
        Computation previous = CURRENT.get();
        if (computation == null) {
            if (previous != null) {
                CURRENT.remove();
            }
        } else {
            CURRENT.set(computation);
        }
        return previous;
    }

    /**
     * Restores what {@link #enter(Computation)} returned.
     */
    public static void restore(Computation previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /**
     * Adds application tags to the current computation, if any; see {@code CmsDependencies.add}.
     */
    public static void addToCurrent(String[] tags) {
        for (String tag : tags) {
            EntryKeys.checkTag(tag);
        }
        Computation current = CURRENT.get();
        if (current != null && !current.finished) {
            for (String tag : tags) {
                current.tags.add(tag);
            }
        }
    }

    /**
     * Adds tags that were checked by the caller.
     */
    public void addAll(java.util.Collection<String> checkedTags) {
        if (!finished) {
            tags.addAll(checkedTags);
        }
    }

    /**
     * Records a cached read made by this computation: the inner entry's identity tag and all its tags become
     * dependencies. The inner value is only known to be consistent with the inner entry's basis, so each of its tags
     * is checked against that basis (if older than this computation's) when the result is stored: an inner entry
     * that was already out of date when it was read (a load this one joined, begun before an invalidation) makes the
     * write fail, while an old but valid inner entry (a header cached since start-up) does not hold back tags that
     * came from fresher reads.
     */
    public void dependOn(Entry inner) {
        if (finished) {
            return;
        }
        long innerBasis = inner.basis();
        String[] innerTags = inner.tags();
        long[] innerEpochs = inner.epochs();
        for (int i = 0; i < innerTags.length; i++) {
            String tag = innerTags[i];
            tags.add(tag);
            if (innerBasis < basis) {
                carriedBases.merge(tag, innerBasis, Math::min);
            }
            if (innerEpochs[i] < epoch) {
                carriedEpochs.merge(tag, innerEpochs[i], Math::min);
            }
        }
    }

    /**
     * @return for each of the given tags (the result's), the local epoch the result is consistent with: the oldest
     *         epoch of the entries read that carried it, or this computation's epoch
     */
    public long[] epochsOf(String[] resultTags) {
        long[] epochs = new long[resultTags.length];
        for (int i = 0; i < resultTags.length; i++) {
            Long carried = carriedEpochs.isEmpty() ? null : carriedEpochs.get(resultTags[i]);
            epochs[i] = carried == null ? epoch : carried;
        }
        return epochs;
    }

    /**
     * @return the local epoch when the computation started
     */
    public long epoch() {
        return epoch;
    }

    /**
     * @return the tags collected so far (a live view), without the identity and region tags
     */
    public Set<String> tagsSoFar() {
        return tags;
    }

    /**
     * Notes that this computation, and the chain it runs in, now wait for another computation's load,
     * and checks that the wait can end: if that load, or one it waits for in turn, runs in this chain, it never would
     * (two entries that read each other, entered from two threads).
     *
     * @param load the load joined
     * @return the keys that form the cycle, starting with this computation's, or {@code null} if there is none; when
     *         not {@code null}, nothing is noted
     */
    public List<String> startWaiting(Load load) {
        // Published before the walk: of two chains that start waiting for each other at the same time, at least one
        // sees the other's wait.
        for (Computation c = this; c != null; c = c.parent) {
            c.waiting = load;
        }
        List<String> cycle = new ArrayList<>();
        cycle.add(this.key);
        Load next = load;
        for (int hops = 0; next != null && hops < 64; hops++) {
            cycle.add(next.key());
            Computation loader = next.computation();
            if (loader == null) {
                return null;
            }
            if (inChain(loader)) {
                stopWaiting();
                return cycle;
            }
            next = loader.waiting;
        }
        return null;
    }

    /**
     * Notes that the wait begun by {@link #startWaiting} is over.
     */
    public void stopWaiting() {
        for (Computation c = this; c != null; c = c.parent) {
            c.waiting = null;
        }
    }

    private boolean inChain(Computation other) {
        for (Computation c = this; c != null; c = c.parent) {
            if (c == other) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether this computation or one it runs in computes the key (a loader reading its own entry)
     */
    public boolean computes(String key) {
        for (Computation c = this; c != null; c = c.parent) {
            if (c.key.equals(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the chain of keys being computed, innermost first, for error messages
     */
    public List<String> chain() {
        List<String> keys = new ArrayList<>();
        for (Computation c = this; c != null; c = c.parent) {
            keys.add(c.key);
        }
        return keys;
    }

    /**
     * Ends the computation: later additions are ignored.
     *
     * @return the tags collected, without the identity and region tags
     */
    public Set<String> finish() {
        finished = true;
        return tags;
    }

    public String key() {
        return key;
    }

    /**
     * @return the invalidation sequence number this instance had applied when the computation started
     */
    public long basis() {
        return basis;
    }

    /**
     * @return the basis a tag of the result must be checked against: the oldest basis of the entries read that
     *         carried it, or this computation's basis
     */
    public long basisOf(String tag) {
        Long carried = carriedBases.get(tag);
        return carried == null ? basis : carried;
    }

    /**
     * @return the oldest basis of anything the computation read: what its result is known to be consistent with
     *         before a write has checked each tag
     */
    public long oldestBasis() {
        long oldest = basis;
        for (long carried : carriedBases.values()) {
            oldest = Math.min(oldest, carried);
        }
        return oldest;
    }
}
