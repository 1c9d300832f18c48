package io.quarkiverse.cmscache.runtime.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * The validated, resolved configuration the engine runs with. Built once at start-up by {@link #from}; every
 * invalid value fails start-up with a {@link ConfigurationException} naming its property.
 *
 * @param enabled whether the cache is on
 * @param keyPrefix prefix of Redis keys and channel
 * @param keyVersion version of the key layout
 * @param slotGroups how many slot groups share the entries in Redis
 * @param l2Enabled whether Redis is used at all
 * @param l2Timeout timeout of one Redis command
 * @param breaker the circuit breaker in front of Redis
 * @param commands how many Redis commands may be in flight and waiting
 * @param gapTimeout how long a missing invalidation message may stay missing
 * @param logSize invalidations kept in the Redis log
 * @param l1MaxMemory the L1 budget over all regions, in estimated bytes; 0 for none
 * @param warming start-up and scheduled warming
 * @param defaults settings of regions without overrides
 * @param regions settings of configured regions and of regions known at build time
 */
public record EngineSettings(boolean enabled, String keyPrefix, String keyVersion, int slotGroups, boolean l2Enabled,
        Duration l2Timeout, Breaker breaker, Commands commands, Duration gapTimeout, int logSize, long l1MaxMemory,
        Warming warming,
        RegionSettings defaults, Map<String, RegionSettings> regions) {

    /** The most slot groups a namespace may have: each invalidation runs a script in every group. */
    public static final int MAX_SLOT_GROUPS = 1024;

    /** See {@link #tagVersionRetention()}. */
    public static final Duration VERSION_RETENTION = Duration.ofMinutes(5);

    /**
     * @param requestVolumeThreshold the rolling window of commands
     * @param failureRatio the share of failures that opens the breaker
     * @param delay how long it stays open
     */
    public record Breaker(int requestVolumeThreshold, double failureRatio, Duration delay) {
    }

    /**
     * @param maxInFlight how many of the cache's commands may be in the Redis client at once
     * @param maxWaiting how many may wait for a place
     * @param replicaAckTimeout how long an invalidation waits for a replica to confirm it, zero for not at all
     * @param oneServer whether every slot group is on one server (a standalone or Sentinel client, not a cluster), so
     *        that an invalidation's scripts for all groups go in one pipeline
     */
    public record Commands(int maxInFlight, int maxWaiting, Duration replicaAckTimeout, boolean oneServer) {
    }

    /**
     * The Redis client's connection pool, as far as the bound on the cache's commands needs it.
     *
     * @param sizeKey the property that sets its size
     * @param maxPoolSize its size
     * @param cluster whether the client is a Redis Cluster client ({@code client-type=cluster})
     */
    public record RedisPool(String sizeKey, int maxPoolSize, boolean cluster) {

        /** The Quarkus Redis client's default {@code max-pool-size}. */
        static final int DEFAULT_SIZE = 6;

        /**
         * @param clientName the named Redis client the cache uses, or empty for the default one
         * @return that client's pool as configured
         */
        public static RedisPool of(Optional<String> clientName) {
            Config config = ConfigProvider.getConfig();
            boolean cluster = "cluster".equalsIgnoreCase(property(config, clientName, "client-type").map(found -> config
                    .getOptionalValue(found, String.class).orElse("")).orElse(""));
            if (clientName.isEmpty()) {
                String key = "quarkus.redis.max-pool-size";
                return new RedisPool(key, config.getOptionalValue(key, Integer.class).orElse(DEFAULT_SIZE), cluster);
            }
            String name = clientName.get();
            Optional<String> set = property(config, clientName, "max-pool-size");
            if (set.isPresent()) {
                return new RedisPool(set.get(), config.getValue(set.get(), Integer.class), cluster);
            }
            return new RedisPool("quarkus.redis." + (name.contains(".") ? "\"" + name + "\"" : name) + ".max-pool-size",
                    DEFAULT_SIZE, cluster);
        }

        /**
         * @return the name of the client's property as the configuration spells it, if it is set
         */
        private static Optional<String> property(Config config, Optional<String> clientName, String property) {
            if (clientName.isEmpty()) {
                String key = "quarkus.redis." + property;
                return config.getOptionalValue(key, String.class).map(value -> key);
            }
            // A property lookup does not match quoted and unquoted segments to each other: try both spellings.
            String name = clientName.get();
            for (String key : List.of("quarkus.redis." + name + "." + property,
                    "quarkus.redis.\"" + name + "\"." + property)) {
                if (config.getOptionalValue(key, String.class).isPresent()) {
                    return Optional.of(key);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * @param enabled whether the cache warms itself
     * @param hotEntries how many of the previous runs' most-read entries to load
     * @param halfLife how fast read counts fade
     * @param concurrency how many loads at a time
     * @param budget how long a run may take
     * @param blockReadiness whether readiness waits for start-up warming
     * @param every the interval of scheduled warming, if any
     * @param readSampling one read in this many is counted
     */
    public record Warming(boolean enabled, int hotEntries, Duration halfLife, int concurrency, Duration budget,
            boolean blockReadiness, Optional<Duration> every, int readSampling) {
    }

    private static final String ROOT = "quarkus.cms-cache.";
    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern KEY_VERSION = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    /**
     * @return the settings of a region: configured, known at build time, or the defaults under that name
     */
    public RegionSettings region(String name) {
        RegionSettings settings = regions.get(name);
        return settings != null ? settings : defaults.named(name);
    }

    /**
     * @return the same settings with another key version, as the next release of the application may run with
     */
    public EngineSettings withKeyVersion(String version) {
        return new EngineSettings(enabled, keyPrefix, version, slotGroups, l2Enabled, l2Timeout, breaker, commands, gapTimeout,
                logSize,
                l1MaxMemory, warming, defaults, regions);
    }

    /**
     * @return how long Redis remembers a tag's last invalidation: far longer than a load takes. A load that began
     *         before a forgotten one is not stored (the version floor), so this bounds memory, not correctness.
     */
    public Duration tagVersionRetention() {
        return VERSION_RETENTION;
    }

    /**
     * Resolves and validates the configuration of an engine on the default Redis client.
     *
     * @see #from(CmsCacheConfig, Set, RedisPool)
     */
    public static EngineSettings from(CmsCacheConfig config, Set<String> buildTimeRegions) {
        return from(config, buildTimeRegions, RedisPool.of(Optional.empty()));
    }

    /**
     * Resolves and validates the configuration.
     *
     * @param config the mapped configuration
     * @param buildTimeRegions the regions used by annotated methods
     * @param pool the connection pool of the Redis client the engine uses
     * @return the settings
     * @throws ConfigurationException naming the first invalid property
     */
    public static EngineSettings from(CmsCacheConfig config, Set<String> buildTimeRegions, RedisPool pool) {
        check(KEY_PREFIX.matcher(config.keyPrefix()).matches(), "key-prefix", config.keyPrefix(),
                "use 1 to 64 ASCII letters, digits, '.', '_', '-' or ':'");
        check(KEY_VERSION.matcher(config.keyVersion()).matches(), "key-version", config.keyVersion(),
                "use 1 to 32 ASCII letters, digits, '.', '_' or '-'");
        positive(config.l2().timeout(), "l2.timeout");
        check(config.l2().slotGroups() >= 1 && config.l2().slotGroups() <= MAX_SLOT_GROUPS, "l2.slot-groups",
                config.l2().slotGroups(), "must be at least 1 and at most " + MAX_SLOT_GROUPS);
        positive(config.invalidation().gapTimeout(), "invalidation.gap-timeout");
        atLeast(config.invalidation().logSize(), 1, "invalidation.log-size");
        CmsCacheConfig.CircuitBreaker cb = config.l2().circuitBreaker();
        atLeast(cb.requestVolumeThreshold(), 1, "l2.circuit-breaker.request-volume-threshold");
        check(cb.failureRatio() > 0 && cb.failureRatio() <= 1, "l2.circuit-breaker.failure-ratio", cb.failureRatio(),
                "must be above 0 and at most 1");
        positive(cb.delay(), "l2.circuit-breaker.delay");
        Commands commands = config.enabled() && config.l2().enabled() ? commands(config.l2(), pool)
                : new Commands(1, 0, Duration.ZERO, true);
        long maxMemory = config.l1().maxMemory().map(m -> bytes(m, "l1.max-memory")).orElse(0L);
        Warming warming = warming(config.warming());

        CmsCacheConfig.RegionDefaults d = config.defaults();
        String dp = "defaults.";
        long defaultWeight = d.l1().maximumWeight().map(w -> bytes(w, dp + "l1.maximum-weight")).orElse(0L);
        atLeast(d.l1().maximumSize(), 1, dp + "l1.maximum-size");
        positive(d.l1().expireAfterWrite(), dp + "l1.expire-after-write");
        positive(d.l2().ttl(), dp + "l2.ttl");
        RegionSettings defaults = new RegionSettings("<defaults>", d.l1().maximumSize(), defaultWeight,
                d.l1().expireAfterWrite(), d.l1().maxValueSize().map(m -> bytes(m, dp + "l1.max-value-size")).orElse(0L),
                d.l2().enabled(), d.l2().ttl(), d.negativeCaching(), bytes(d.maxValueSize(), dp + "max-value-size"),
                refreshAhead(d.refreshAhead(), dp), notNegative(d.staleWhileRevalidate(), dp + "stale-while-revalidate"),
                notNegative(d.staleIfError(), dp + "stale-if-error"), beta(d.earlyExpirationBeta(), dp),
                d.stampede().lease(), positive(d.stampede().maxWait(), dp + "stampede.max-wait"),
                positive(d.stampede().leaseTtl(), dp + "stampede.lease-ttl"));

        Map<String, RegionSettings> regions = new HashMap<>();
        for (String name : buildTimeRegions) {
            regions.put(name, defaults.named(name));
        }
        for (Map.Entry<String, CmsCacheConfig.RegionOverrides> entry : config.regions().entrySet()) {
            String name = entry.getKey();
            if (!EntryKeys.isValidRegion(name)) {
                throw new ConfigurationException("Invalid region name in " + ROOT + "regions.\"" + name
                        + "\": use 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or a digit",
                        Set.of(ROOT + "regions.\"" + name + "\""));
            }
            regions.put(name, resolve(name, entry.getValue(), defaults));
        }
        if (maxMemory > 0) {
            defaults = defaults.weightedWithin(maxMemory);
            regions.replaceAll((name, region) -> region.weightedWithin(maxMemory));
        }
        return new EngineSettings(config.enabled(), config.keyPrefix(), config.keyVersion(), config.l2().slotGroups(),
                config.l2().enabled(),
                config.l2().timeout(), new Breaker(cb.requestVolumeThreshold(), cb.failureRatio(), cb.delay()),
                commands, config.invalidation().gapTimeout(), config.invalidation().logSize(), maxMemory, warming, defaults,
                Map.copyOf(regions));
    }

    private static Commands commands(CmsCacheConfig.L2 l2, RedisPool pool) {
        if (pool.maxPoolSize() < 2) {
            throw new ConfigurationException("Invalid value '" + pool.maxPoolSize() + "' for " + pool.sizeKey()
                    + ": the CMS cache needs at least 2 connections, one for its invalidation subscription and one "
                    + "for its commands", Set.of(pool.sizeKey()));
        }
        int maxInFlight = l2.maxInFlight().orElse(Math.max(1, pool.maxPoolSize() - 2));
        check(maxInFlight >= 1 && maxInFlight < pool.maxPoolSize(), "l2.max-in-flight", maxInFlight,
                "must be at least 1 and below " + pool.sizeKey() + " (" + pool.maxPoolSize()
                        + "), since the invalidation subscription holds one connection of that pool");
        atLeast(l2.maxWaiting(), 0, "l2.max-waiting");
        Duration ack = l2.replicaAckTimeout();
        check(!ack.isNegative() && ack.compareTo(l2.timeout()) < 0, "l2.replica-ack-timeout", ack,
                "must be 0 or more and below quarkus.cms-cache.l2.timeout (" + l2.timeout().toMillis() + " ms)");
        return new Commands(maxInFlight, l2.maxWaiting(), ack, !pool.cluster());
    }

    private static Warming warming(CmsCacheConfig.Warming w) {
        atLeast(w.hotEntries(), 0, "warming.hot-entries");
        atLeast(w.concurrency(), 1, "warming.concurrency");
        positive(w.budget(), "warming.budget");
        positive(w.halfLife(), "warming.half-life");
        w.every().ifPresent(every -> positive(every, "warming.every"));
        atLeast(w.readSampling(), 1, "warming.read-sampling");
        return new Warming(w.enabled(), w.hotEntries(), w.halfLife(), w.concurrency(), w.budget(), w.blockReadiness(),
                w.every(), w.readSampling());
    }

    private static RegionSettings resolve(String name, CmsCacheConfig.RegionOverrides o, RegionSettings d) {
        String p = "regions.\"" + name + "\".";
        OptionalLong size = o.l1().maximumSize();
        Optional<MemorySize> weight = o.l1().maximumWeight();
        if (size.isPresent() && weight.isPresent()) {
            throw new ConfigurationException("Both " + ROOT + p + "l1.maximum-size and " + ROOT + p
                    + "l1.maximum-weight are set; a region is bounded either by entries or by bytes, set only one",
                    Set.of(ROOT + p + "l1.maximum-size", ROOT + p + "l1.maximum-weight"));
        }
        long maximumSize = d.l1MaximumSize();
        long maximumWeight = d.l1MaximumWeight();
        if (size.isPresent()) {
            atLeast(size.getAsLong(), 1, p + "l1.maximum-size");
            maximumSize = size.getAsLong();
            maximumWeight = 0;
        } else if (weight.isPresent()) {
            maximumWeight = bytes(weight.get(), p + "l1.maximum-weight");
        }
        return new RegionSettings(name, maximumSize, maximumWeight,
                positive(o.l1().expireAfterWrite().orElse(d.l1ExpireAfterWrite()), p + "l1.expire-after-write"),
                o.l1().maxValueSize().map(m -> bytes(m, p + "l1.max-value-size")).orElse(d.l1MaxValueSize()),
                o.l2().enabled().orElse(d.l2Enabled()), positive(o.l2().ttl().orElse(d.l2Ttl()), p + "l2.ttl"),
                o.negativeCaching().orElse(d.negativeCaching()),
                o.maxValueSize().map(m -> bytes(m, p + "max-value-size")).orElse(d.maxValueSize()),
                refreshAhead(o.refreshAhead().orElse(d.refreshAhead()), p),
                notNegative(o.staleWhileRevalidate().orElse(d.staleWhileRevalidate()), p + "stale-while-revalidate"),
                notNegative(o.staleIfError().orElse(d.staleIfError()), p + "stale-if-error"),
                beta(o.earlyExpirationBeta().orElse(d.earlyExpirationBeta()), p),
                o.stampede().lease().orElse(d.stampedeLease()),
                positive(o.stampede().maxWait().orElse(d.stampedeMaxWait()), p + "stampede.max-wait"),
                positive(o.stampede().leaseTtl().orElse(d.stampedeLeaseTtl()), p + "stampede.lease-ttl"));
    }

    private static double refreshAhead(double share, String prefix) {
        check(share >= 0 && share < 1, prefix + "refresh-ahead", share, "must be at least 0 and below 1");
        return share;
    }

    private static double beta(double beta, String prefix) {
        check(beta >= 0, prefix + "early-expiration-beta", beta, "must not be negative");
        return beta;
    }

    private static long bytes(MemorySize size, String key) {
        long bytes = size.asLongValue();
        check(bytes >= 1, key, size.asLongValue(), "must be at least 1 byte");
        return bytes;
    }

    private static Duration positive(Duration duration, String key) {
        check(!duration.isNegative() && !duration.isZero(), key, duration, "must be a positive duration");
        return duration;
    }

    private static Duration notNegative(Duration duration, String key) {
        check(!duration.isNegative(), key, duration, "must not be negative");
        return duration;
    }

    private static void atLeast(long value, long minimum, String key) {
        check(value >= minimum, key, value, "must be at least " + minimum);
    }

    private static void check(boolean valid, String key, Object value, String rule) {
        if (!valid) {
            throw new ConfigurationException("Invalid value '" + value + "' for " + ROOT + key + ": " + rule,
                    Set.of(ROOT + key));
        }
    }
}
