package io.quarkiverse.cmscache.runtime;

import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsInvalidationListener;
import io.quarkiverse.cmscache.CmsWarmer;
import io.quarkiverse.cmscache.runtime.config.CmsCacheBuildConfig;
import io.quarkiverse.cmscache.runtime.config.CmsCacheConfig;
import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.interceptor.CmsMethods;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.warming.Warming;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Creates the application's {@link CmsCacheEngine} (which is also its {@code CmsCache} bean) at start-up, validating
 * the configuration, and closes it at shutdown.
 */
@Singleton
public class CmsCacheProducer {

    @Produces
    @Singleton
    CmsCacheEngine engine(CmsCacheConfig config, CmsCacheBuildConfig buildConfig, CmsMethods methods, Vertx vertx,
            ObjectMapper mapper, Instance<Redis> redis, Instance<AfterCommit> afterCommit,
            @Any Instance<CmsInvalidationListener> listeners) {
        EngineSettings settings = EngineSettings.from(config, methods.regions(),
                EngineSettings.RedisPool.of(buildConfig.l2().clientName()));
        Redis client = null;
        if (settings.enabled() && settings.l2Enabled()) {
            client = buildConfig.l2().clientName()
                    .map(name -> redis.select(RedisClientName.Literal.of(name)).get())
                    .orElseGet(redis::get);
        }
        CmsCacheEngine engine = new CmsCacheEngine(settings, client, vertx, mapper,
                afterCommit.isResolvable() ? afterCommit.get() : AfterCommit.NONE, listeners.stream().toList());
        engine.start();
        return engine;
    }

    @Produces
    @Singleton
    Warming warming(CmsCacheEngine engine, @Any Instance<CmsWarmer> warmers, CmsMethods methods) {
        if (engine.settings().warming().every().isPresent() && !schedulerPresent()) {
            throw new ConfigurationException("quarkus.cms-cache.warming.every is set, but the application has no "
                    + "scheduler: add the quarkus-scheduler extension", Set.of("quarkus.cms-cache.warming.every"));
        }
        return new Warming(engine, warmers.stream().toList(), methods, Infrastructure.getDefaultWorkerPool());
    }

    private static boolean schedulerPresent() {
        try {
            Class.forName("io.quarkus.scheduler.Scheduler", false, Thread.currentThread().getContextClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    void close(@Disposes CmsCacheEngine engine) {
        engine.close();
    }

    /**
     * Stops listening before the Redis client shuts down.
     */
    void shutdown(@Observes ShutdownEvent event, CmsCacheEngine engine) {
        engine.close();
    }

    /**
     * Creates the engine at start-up, so that a configuration error fails start-up and the invalidation feed
     * listens from the first request on, and starts warming in the background.
     */
    void startup(@Observes StartupEvent event, CmsCacheEngine engine, Warming warming) {
        warming.startUp();
    }
}
