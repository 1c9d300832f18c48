package io.quarkiverse.cmscache.runtime.config;

import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Build-time configuration of the CMS cache.
 */
@ConfigMapping(prefix = "quarkus.cms-cache")
@ConfigRoot(phase = ConfigPhase.BUILD_AND_RUN_TIME_FIXED)
public interface CmsCacheBuildConfig {

    /**
     * The Redis level.
     */
    L2Build l2();

    /**
     * Invalidation driven by messages.
     */
    ContentChanges contentChanges();

    /**
     * Metrics.
     */
    Metrics metrics();

    interface Metrics {

        /**
         * Whether the cache publishes its metrics ({@code cms.cache.*}) to Micrometer when the application has the
         * {@code quarkus-micrometer} extension. Without Micrometer there are no metrics, and no cost.
         */
        @WithDefault("true")
        boolean enabled();
    }

    interface L2Build {

        /**
         * The name of the Quarkus Redis client to use ({@code quarkus.redis."<name>".*}). When unset, the default
         * client ({@code quarkus.redis.*}) is used; its {@code hosts} then defaults to {@code redis://localhost:6379}.
         */
        Optional<String> clientName();
    }

    interface ContentChanges {

        /**
         * The Reactive Messaging channel whose messages name content that changed, and which the cache invalidates
         * (see the "content-change messages" section of the guide for the format). Off when unset. Connect the
         * channel as usual, for example {@code mp.messaging.incoming.<channel>.connector=smallrye-rabbitmq}; the
         * application needs {@code quarkus-messaging} with a connector.
         */
        Optional<String> channel();
    }
}
