package io.quarkiverse.cmscache.sample;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives each test run a Redis key prefix of its own, so that entries another run left in the shared Redis are never
 * read. The prefix is also published as a system property, for tests that start a second instance.
 */
public class FreshCacheNamespace implements QuarkusTestResourceLifecycleManager {

    public static final String PROPERTY = "cms-sample.test.key-prefix";

    @Override
    public Map<String, String> start() {
        String prefix = "sample-" + UUID.randomUUID().toString().substring(0, 8);
        System.setProperty(PROPERTY, prefix);
        return Map.of("quarkus.cms-cache.key-prefix", prefix, "cms-sample.insight.enabled", "true");
    }

    @Override
    public void stop() {
    }
}
