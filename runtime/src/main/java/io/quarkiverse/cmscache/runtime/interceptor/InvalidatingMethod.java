package io.quarkiverse.cmscache.runtime.interceptor;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Set;

import io.quarkiverse.cmscache.runtime.invalidation.Trigger;

/**
 * A {@code @CmsInvalidate} method, ready for interception: one key template per annotation.
 */
final class InvalidatingMethod {

    private final KeyTemplate[] keys;
    private final boolean async;
    private final Trigger trigger;

    InvalidatingMethod(CmsMethodSpec spec, Method method) {
        this.trigger = Trigger.method(method.getDeclaringClass().getSimpleName() + "." + method.getName());
        this.keys = new KeyTemplate[spec.getRegions().length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new KeyTemplate(spec.getRegions()[i], spec.positions(i));
        }
        this.async = spec.isAsync();
    }

    Set<String> tags(Object[] args) {
        Set<String> tags = new LinkedHashSet<>(keys.length * 2);
        for (KeyTemplate key : keys) {
            tags.add(key.key(args));
        }
        return tags;
    }

    Trigger trigger() {
        return trigger;
    }

    boolean async() {
        return async;
    }
}
