package io.quarkiverse.cmscache.runtime.interceptor;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A {@code @CmsInvalidate} method, ready for interception: one key template per annotation.
 */
final class InvalidatingMethod {

    private final KeyTemplate[] keys;
    private final boolean async;

    InvalidatingMethod(CmsMethodSpec spec) {
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

    boolean async() {
        return async;
    }
}
