package io.quarkiverse.cmscache.test;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.config.CmsCacheConfig;
import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Starts further cache instances in the test JVM: each has its own L1, flights and invalidation subscription, and
 * shares the application's Redis and key prefix, exactly as another process of the application would.
 */
@ApplicationScoped
public class OtherInstance {

    @Inject
    CmsCacheConfig config;

    @Inject
    Redis redis;

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper mapper;

    public CmsCacheEngine start() {
        return start(EngineSettings.from(config, Set.of()));
    }

    /**
     * @return an instance of the application deployed with another {@code quarkus.cms-cache.key-version}
     */
    public CmsCacheEngine startWithKeyVersion(String keyVersion) {
        return start(EngineSettings.from(config, Set.of()).withKeyVersion(keyVersion));
    }

    /**
     * @return an instance that talks to Redis through the given client, for example one that fails on demand
     */
    public CmsCacheEngine startWith(Redis client) {
        return start(EngineSettings.from(config, Set.of()), client);
    }

    /**
     * @return the application's Redis client, to wrap
     */
    public Redis redis() {
        return redis;
    }

    private CmsCacheEngine start(EngineSettings settings) {
        return start(settings, redis);
    }

    private CmsCacheEngine start(EngineSettings settings, Redis client) {
        CmsCacheEngine engine = new CmsCacheEngine(settings, client, vertx, mapper, AfterCommit.NONE, List.of());
        engine.start();
        return engine;
    }
}
