package io.quarkiverse.cmscache.runtime;

import java.util.List;
import java.util.function.Supplier;

import io.quarkiverse.cmscache.runtime.interceptor.CmsMethodSpec;
import io.quarkiverse.cmscache.runtime.interceptor.CmsMethods;
import io.quarkus.runtime.annotations.Recorder;

/**
 * Hands what the build step found to run time.
 */
@Recorder
public class CmsCacheRecorder {

    public Supplier<CmsMethods> methods(List<CmsMethodSpec> specs) {
        return () -> new CmsMethods(specs);
    }
}
