package io.quarkiverse.cmscache.runtime.interceptor;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.region.AsyncLoader;
import io.quarkiverse.cmscache.runtime.region.Loader;
import io.quarkiverse.cmscache.runtime.region.Recipe;
import io.quarkiverse.cmscache.runtime.tags.Computation;
import io.smallrye.mutiny.Uni;

/**
 * Serves {@code @CmsCached} methods through their region's read path. Runs before {@code @Transactional}
 * ({@code PLATFORM_BEFORE + 200}), so that a hit does not start a transaction.
 */
@CmsCached(region = "")
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 10)
public class CmsCachedInterceptor {

    @Inject
    CmsCacheEngine engine;

    @Inject
    CmsMethods methods;

    @AroundInvoke
    Object cached(InvocationContext invocation) throws Exception {
        if (!engine.enabled()) {
            return invocation.proceed();
        }
        CachedMethod method = methods.cached(invocation.getMethod());
        String key = method.key(invocation.getParameters());
        if (Recompute.take(key)) {
            // A refresh calling the method again: run its body inside the refresh's computation.
            return invocation.proceed();
        }
        if (method.async()) {
            return method.region(engine).getAsync(key, method.valueType(), new AsyncInvocation(method, invocation, key),
                    Computation.current());
        }
        return method.region(engine).get(key, method.valueType(), new Invocation(method, invocation, key));
    }

    /**
     * Loads by proceeding with the intercepted call; can be called again later through a {@link MethodRecipe}.
     */
    private record Invocation(CachedMethod method, InvocationContext context, String key) implements Loader {

        @Override
        public Object call() throws Exception {
            return context.proceed();
        }

        @Override
        public Recipe recipe() {
            return new MethodRecipe(method, context.getTarget(), context.getParameters().clone(), key);
        }
    }

    private record AsyncInvocation(CachedMethod method, InvocationContext context, String key)
            implements
                AsyncLoader {

        @Override
        public Uni<?> get() {
            try {
                return (Uni<?>) context.proceed();
            } catch (Exception e) {
                return Uni.createFrom().failure(e);
            }
        }

        @Override
        public Recipe recipe() {
            return new MethodRecipe(method, context.getTarget(), context.getParameters().clone(), key);
        }
    }
}
