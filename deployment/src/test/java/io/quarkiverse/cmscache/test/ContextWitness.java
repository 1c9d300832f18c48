package io.quarkiverse.cmscache.test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.context.spi.ThreadContextController;
import org.eclipse.microprofile.context.spi.ThreadContextProvider;
import org.eclipse.microprofile.context.spi.ThreadContextSnapshot;

/**
 * A thread context of the tests' own, propagated by MicroProfile Context Propagation like a transaction or a request
 * context is: it records every thread, other than the one it was captured on, where it was applied. A test sets it on
 * its thread, uses the cache, and so sees whether the cache ran anything elsewhere with the caller's context.
 * <p>
 * Registered as a {@link ThreadContextProvider} service by the tests that use it.
 */
public class ContextWitness implements ThreadContextProvider {

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
    private static final Set<String> APPLIED_ELSEWHERE = ConcurrentHashMap.newKeySet();

    /** Sets this thread's witness (what a transaction would be). */
    public static void set(String value) {
        CURRENT.set(value);
    }

    /** @return this thread's witness, as set or as propagated to it */
    public static String current() {
        return CURRENT.get();
    }

    /** @return the threads where a witness captured on another thread was applied, since the last call */
    public static Set<String> takeAppliedElsewhere() {
        Set<String> taken = Set.copyOf(APPLIED_ELSEWHERE);
        APPLIED_ELSEWHERE.removeAll(taken);
        return taken;
    }

    @Override
    public ThreadContextSnapshot currentContext(Map<String, String> props) {
        String captured = CURRENT.get();
        Thread capturedOn = Thread.currentThread();
        return () -> {
            if (captured != null && Thread.currentThread() != capturedOn) {
                APPLIED_ELSEWHERE.add(Thread.currentThread().getName() + " (witness " + captured + ")");
            }
            return apply(captured);
        };
    }

    @Override
    public ThreadContextSnapshot clearedContext(Map<String, String> props) {
        return () -> apply(null);
    }

    private static ThreadContextController apply(String value) {
        String previous = CURRENT.get();
        CURRENT.set(value);
        return () -> CURRENT.set(previous);
    }

    @Override
    public String getThreadContextType() {
        return "CmsCacheTestWitness";
    }
}
