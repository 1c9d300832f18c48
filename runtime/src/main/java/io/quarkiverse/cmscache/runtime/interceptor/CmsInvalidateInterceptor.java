package io.quarkiverse.cmscache.runtime.interceptor;

import java.util.Set;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.smallrye.mutiny.Uni;

/**
 * Invalidates after {@code @CmsInvalidate} methods return normally. Runs inside {@code @Transactional}
 * ({@code PLATFORM_BEFORE + 200}), so that the invalidation joins the transaction and waits for its commit; before
 * the method body runs, it marks the tags dirty in the transaction, so that nothing the transaction computes from
 * them is stored.
 */
@CmsInvalidate(region = "")
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 300)
public class CmsInvalidateInterceptor {

    @Inject
    CmsCacheEngine engine;

    @Inject
    CmsMethods methods;

    @AroundInvoke
    Object invalidate(InvocationContext invocation) throws Exception {
        if (!engine.enabled()) {
            return invocation.proceed();
        }
        InvalidatingMethod method = methods.invalidating(invocation.getMethod());
        Set<String> tags = method.tags(invocation.getParameters());
        engine.invalidator().markDirty(tags);
        Object result = invocation.proceed();
        if (method.async()) {
            return ((Uni<?>) result).call(() -> engine.invalidator().invalidateAsync(tags, method.trigger()));
        }
        engine.invalidator().invalidate(tags, method.trigger());
        return result;
    }
}
