package io.quarkiverse.cmscache.runtime.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.region.Region;

/**
 * A {@code @CmsCached} method, ready for interception: its key template, whether it returns {@code Uni}, the type its
 * values are stored as (the generic return type, or the item type of {@code Uni<T>}), and how to call it again.
 */
final class CachedMethod {

    private final KeyTemplate key;
    private final boolean async;
    private final Type valueType;
    private final Method javaMethod;
    private final String signature;
    private volatile Region region;

    CachedMethod(CmsMethodSpec spec, Method method) {
        this.key = new KeyTemplate(spec.getRegions()[0], spec.positions(0));
        this.async = spec.isAsync();
        this.signature = spec.getSignature();
        this.javaMethod = method;
        // Refreshes call the method again through reflection; annotated methods are often package-private.
        method.setAccessible(true);
        Type returned = method.getGenericReturnType();
        this.valueType = async && returned instanceof ParameterizedType uni ? uni.getActualTypeArguments()[0]
                : returned;
    }

    String key(Object[] args) {
        return key.key(args);
    }

    boolean async() {
        return async;
    }

    Type valueType() {
        return valueType;
    }

    Method javaMethod() {
        return javaMethod;
    }

    String signature() {
        return signature;
    }

    Region region(CmsCacheEngine engine) {
        Region r = region;
        if (r == null) {
            r = engine.region(key.region());
            region = r;
        }
        return r;
    }
}
