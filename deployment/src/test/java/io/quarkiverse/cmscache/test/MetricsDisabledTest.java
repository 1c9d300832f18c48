package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.cmscache.CmsCache;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code quarkus.cms-cache.metrics.enabled=false} keeps the cache's meters out of Micrometer: the binder is not even a
 * bean.
 */
public class MetricsDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.metrics.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    MeterRegistry registry;

    @Test
    void noMeters() throws ClassNotFoundException {
        assertEquals("v", cache.get("block", "x", String.class, () -> "v"));
        cache.invalidate("block", "x");
        assertEquals(0, registry.find("cms.cache.gets").meters().size());
        assertEquals(0, registry.find("cms.cache.invalidations").meters().size());
        Class<?> binder = Class.forName("io.quarkiverse.cmscache.runtime.metrics.CmsCacheMetrics", false,
                Thread.currentThread().getContextClassLoader());
        assertFalse(Arc.container().select(binder).isResolvable());
    }
}
