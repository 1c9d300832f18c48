package io.quarkiverse.cmscache.runtime.region;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableContext;
import io.quarkus.arc.ManagedContext;
import io.smallrye.mutiny.Uni;

/**
 * Runs the cache's own background work -- refreshes, warming -- in a CDI request context, as loaders expect one (a
 * Hibernate ORM session, for example, needs a request context or a transaction).
 */
public final class Contexts {

    private Contexts() {
    }

    public static <T> T inRequestContext(Callable<T> work) throws Exception {
        ManagedContext requestContext = Arc.container().requestContext();
        if (requestContext.isActive()) {
            return work.call();
        }
        requestContext.activate();
        try {
            return work.call();
        } finally {
            requestContext.terminate();
        }
    }

    /**
     * Calls asynchronous work (on this thread, now) in a request context of its own, which is destroyed when the
     * returned {@code Uni} terminates. Its later stages see the context through context propagation.
     */
    public static <T> Uni<T> inRequestContextAsync(Supplier<Uni<T>> work) {
        ManagedContext requestContext = Arc.container().requestContext();
        if (requestContext.isActive()) {
            return work.get();
        }
        requestContext.activate();
        InjectableContext.ContextState state = requestContext.getState();
        try {
            return work.get().onTermination().invoke(() -> requestContext.destroy(state));
        } catch (RuntimeException | Error e) {
            requestContext.destroy(state);
            throw e;
        } finally {
            requestContext.deactivate();
        }
    }
}
