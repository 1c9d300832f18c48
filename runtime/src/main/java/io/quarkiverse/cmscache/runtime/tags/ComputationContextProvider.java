package io.quarkiverse.cmscache.runtime.tags;

import java.util.Map;

import org.eclipse.microprofile.context.spi.ThreadContextController;
import org.eclipse.microprofile.context.spi.ThreadContextProvider;
import org.eclipse.microprofile.context.spi.ThreadContextSnapshot;

/**
 * Carries the current {@link Computation} to the threads that run work assembled during it (Mutiny callbacks,
 * managed executors), so that {@code CmsDependencies.add} and nested cached reads find it after a thread hop.
 * Registered with SmallRye Context Propagation by the extension's build step.
 */
public final class ComputationContextProvider implements ThreadContextProvider {

    /** The context type name, for {@code ThreadContext} configuration. */
    public static final String TYPE = "CmsCacheComputation";

    private static final ThreadContextController NOTHING_TO_RESTORE = () -> {
    };

    @Override
    public ThreadContextSnapshot currentContext(Map<String, String> props) {
        Computation captured = Computation.current();
        return () -> {
            Computation previous = Computation.enter(captured);
            if (previous == null && captured == null) {
                return NOTHING_TO_RESTORE;
            }
            return () -> Computation.restore(previous);
        };
    }

    @Override
    public ThreadContextSnapshot clearedContext(Map<String, String> props) {
        return () -> {
            Computation previous = Computation.enter(null);
            return previous == null ? NOTHING_TO_RESTORE : () -> Computation.restore(previous);
        };
    }

    @Override
    public String getThreadContextType() {
        return TYPE;
    }
}
