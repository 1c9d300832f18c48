package io.quarkiverse.cmscache.runtime.health;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.warming.Warming;

/**
 * Readiness of the cache: reports the state of Redis ({@code up}, {@code degraded}, {@code down}, {@code refused} --
 * not used because it may evict the cache's metadata -- or {@code off}) and of
 * the invalidation subscription ({@code up}: it answers its liveness {@code PING}s; {@code down}; {@code off}), whether
 * Redis may evict the cache's metadata ({@code safe}, {@code unsafe (<policy>)}, {@code unknown}, {@code off}),
 * whether a replica confirmed this instance's invalidations ({@code none} without replicas, {@code confirmed},
 * {@code <n> unconfirmed}, {@code off}), which never makes the application unready -- it keeps serving from L1 and the loaders
 * without Redis -- and, when
 * {@code quarkus.cms-cache.warming.block-readiness} is set, is not ready until start-up warming is over. Registered
 * by the extension when the application has {@code quarkus-smallrye-health}.
 */
@Readiness
public class CmsCacheHealthCheck implements HealthCheck {

    @Inject
    CmsCacheEngine engine;

    @Inject
    Warming warming;

    /**
     * @return {@code off} without Redis, {@code none} when Redis has no replica, else {@code confirmed} or how many
     *         invalidations made here no replica has confirmed yet
     */
    private String replication() {
        if (engine.l2() == null) {
            return "off";
        }
        if (engine.l2().replicas() == 0) {
            return "none";
        }
        int pending = engine.invalidator().unreplicated();
        return pending == 0 ? "confirmed" : pending + " unconfirmed";
    }

    @Override
    public HealthCheckResponse call() {
        boolean warmed = warming.startupDone();
        boolean ready = warmed || !engine.settings().warming().blockReadiness();
        return HealthCheckResponse.named("CMS cache")
                .status(ready)
                .withData("l2", engine.l2State().name().toLowerCase())
                .withData("subscription", engine.feed() == null ? "off" : engine.feed().isSubscribed() ? "up" : "down")
                .withData("eviction", engine.feed() == null ? "off" : engine.feed().evictionPolicy().describe())
                .withData("replication", replication())
                .withData("warming", warmed ? "done" : "running")
                .build();
    }
}
