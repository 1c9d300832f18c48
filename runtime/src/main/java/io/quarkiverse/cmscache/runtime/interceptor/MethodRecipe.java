package io.quarkiverse.cmscache.runtime.interceptor;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

import io.quarkiverse.cmscache.runtime.region.Recipe;

/**
 * Calls a {@code @CmsCached} method again, on the same bean with the same arguments, running its body (not the
 * cache). Stored for warming as the method's signature and its arguments.
 */
final class MethodRecipe implements Recipe {

    private final CachedMethod method;
    private final Object target;
    private final Object[] args;
    private final String key;

    MethodRecipe(CachedMethod method, Object target, Object[] args, String key) {
        this.method = method;
        this.target = target;
        this.args = args;
        this.key = key;
    }

    @Override
    public boolean async() {
        return method.async();
    }

    @Override
    public Object load() throws Exception {
        return Recompute.run(key, () -> {
            try {
                return method.javaMethod().invoke(target, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception exception) {
                    throw exception;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        });
    }

    @Override
    public Stored stored() {
        return new Stored(method.signature(), Arrays.asList(args));
    }
}
