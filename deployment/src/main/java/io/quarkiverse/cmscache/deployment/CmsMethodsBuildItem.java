package io.quarkiverse.cmscache.deployment;

import java.util.List;

import io.quarkiverse.cmscache.runtime.interceptor.CmsMethodSpec;
import io.quarkus.builder.item.SimpleBuildItem;

/**
 * The annotated methods found in the application, and the misuses found while reading them.
 */
public final class CmsMethodsBuildItem extends SimpleBuildItem {

    private final List<CmsMethodSpec> specs;
    private final List<Throwable> errors;

    public CmsMethodsBuildItem(List<CmsMethodSpec> specs, List<Throwable> errors) {
        this.specs = specs;
        this.errors = errors;
    }

    public List<CmsMethodSpec> specs() {
        return specs;
    }

    public List<Throwable> errors() {
        return errors;
    }
}
