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
    /** For tags that came with an entry read during the computation: the oldest basis of such an entry. */
    private final Map<String, Long> carriedBases = new ConcurrentHashMap<>();
    private volatile boolean finished;

    /**
     * @param key the key of the entry being computed
     * @param parent the computation this one runs in, or {@code null}
     * @param basis the invalidation sequence number this instance had applied when the computation started
     */
    public Computation(String key, Computation parent, long basis) {
        this.key = key;
        this.parent = parent;
        this.basis = basis;
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
        for (String tag : inner.tags()) {
            tags.add(tag);
            if (innerBasis < basis) {
                carriedBases.merge(tag, innerBasis, Math::min);
            }
        }
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
