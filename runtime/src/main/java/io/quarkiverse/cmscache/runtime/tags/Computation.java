package io.quarkiverse.cmscache.runtime.tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
    private final AtomicLong basis;
    private volatile boolean finished;

    /**
     * @param key the key of the entry being computed
     * @param parent the computation this one runs in, or {@code null}
     * @param basis the invalidation sequence number this instance had applied when the computation started
     */
    public Computation(String key, Computation parent, long basis) {
        this.key = key;
        this.parent = parent;
        this.basis = new AtomicLong(basis);
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
     * dependencies, and this computation's basis can be no newer than the inner entry's.
     */
    public void dependOn(Entry inner) {
        if (finished) {
            return;
        }
        for (String tag : inner.tags()) {
            tags.add(tag);
        }
        basis.accumulateAndGet(inner.basis(), Math::min);
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

    public long basis() {
        return basis.get();
    }
}
