package io.quarkiverse.cmscache.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigDocSection;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Run-time configuration of the CMS cache.
 */
@ConfigMapping(prefix = "quarkus.cms-cache")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface CmsCacheConfig {

    /**
     * Whether the cache is on. When {@code false}, every {@code @CmsCached} method runs on every call,
     * {@code @CmsInvalidate} does nothing, and {@code CmsCache} calls its loaders directly.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Prefix of every Redis key and of the invalidation channel, so that several applications can share one Redis.
     * ASCII letters, digits, {@code .}, {@code _}, {@code -} and {@code :}.
     */
    @WithDefault("cms")
    String keyPrefix();

    /**
     * Version of the Redis key layout and of the cached values. Changing it (for example after changing the shape of
     * cached classes in an incompatible way) makes every entry stored under the previous version unreachable; they
     * expire with their TTL. ASCII letters, digits, {@code .}, {@code _} and {@code -}.
     */
    @WithDefault("1")
    String keyVersion();

    /**
     * The second level: Redis.
     */
    @ConfigDocSection
    L2 l2();

    /**
     * Cross-instance invalidation.
     */
    @ConfigDocSection
    Invalidation invalidation();

    /**
     * The in-process level, over all regions.
     */
    @ConfigDocSection
    L1 l1();

    /**
     * Warming: filling the cache at start-up and on a schedule.
     */
    @ConfigDocSection
    Warming warming();

    /**
     * HTTP: private requests and {@code @CmsCachedResponse} headers.
     */
    @ConfigDocSection
    Http http();

    /**
     * Settings of every region that does not override them under {@code regions."<region>"}.
     */
    @ConfigDocSection
    RegionDefaults defaults();

    /**
     * Per-region settings; each one overrides the value of {@code quarkus.cms-cache.defaults}.
     */
    @ConfigDocMapKey("region")
    @ConfigDocSection
    Map<String, RegionOverrides> regions();

    interface L2 {

        /**
         * Whether entries are shared through Redis and invalidations are broadcast through it. When {@code false},
         * the cache lives in this instance's memory only: use it for a single instance or for development without
         * Redis. Which Redis client is used is set at build time by {@code quarkus.cms-cache.l2.client-name}.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * How long one Redis command may take before the cache gives up on it, including the time it waits for one of
         * the {@code max-in-flight} places: a read then counts as a miss, a write is skipped. Keep it short so that a
         * slow Redis adds bounded latency. Deadlines are checked every tenth of the timeout (at least every 5 ms and at
         * most every 100 ms), so a command fails up to that much after its timeout.
         */
        @WithDefault("500ms")
        Duration timeout();

        /**
         * How many slot groups share the entries in Redis. Each group is one hash slot holding its share of the
         * entries together with their tag sets and tag versions, so that every script stays within one slot; the
         * groups' slots are spread evenly over the 16384 slots, so that on Redis Cluster every master holds an even
         * share of the entries and serves an even share of the reads and writes. An invalidation runs in every group
         * at once: more groups spread a cluster more evenly and split large invalidations into smaller steps, at the
         * cost of one more script per invalidation per group. The same layout is used on a single Redis.
         * <p>
         * All instances sharing a {@code key-prefix} and {@code key-version} must use the same value: an instance
         * started with another one does not use Redis (its health check says why). Change {@code key-version} along
         * with it.
         */
        @WithDefault("16")
        int slotGroups();

        /**
         * How many of the cache's Redis commands may be in the Redis client at once; the others wait for a place, in
         * order. Defaults to the client's {@code max-pool-size} minus 2: one connection is held by the invalidation
         * subscription, and one stays free for the client itself (a cluster client refreshes its slot map over a
         * pooled connection, and some client versions deadlock when none is free). Must be below
         * {@code max-pool-size}. See "Redis client settings" in the docs.
         */
        OptionalInt maxInFlight();

        /**
         * How many Redis commands may wait for one of the {@code max-in-flight} places. Beyond that, a command fails at
         * once: a read is a miss, a write is skipped, an invalidation is sent later. It does not count towards
         * opening the circuit breaker.
         */
        @WithDefault("1000")
        int maxWaiting();

        /**
         * Where Redis has replicas, how long an invalidation waits for at least one of them to confirm it has received
         * it ({@code WAIT 1 <ms>}, on the connection that ran the invalidation). An invalidation not confirmed in time
         * still returns; this instance keeps it and sends it again after a failover (see "Production Redis" in the
         * docs). {@code 0} sends no {@code WAIT}. Must be below {@code l2.timeout}.
         */
        @WithDefault("100ms")
        Duration replicaAckTimeout();

        /**
         * The circuit breaker in front of Redis: while it is open, the cache does not call Redis at all (reads are
         * misses, writes are skipped, invalidations are kept for later) and probes it again after {@code delay}.
         */
        CircuitBreaker circuitBreaker();
    }

    interface CircuitBreaker {

        /**
         * How many of the latest Redis commands the breaker looks at.
         */
        @WithDefault("10")
        int requestVolumeThreshold();

        /**
         * The share of failed commands among them that opens the breaker.
         */
        @WithDefault("0.5")
        double failureRatio();

        /**
         * How long the breaker stays open before it lets a probe through.
         */
        @WithDefault("2s")
        Duration delay();
    }

    interface L1 {

        /**
         * A memory budget for L1 over all regions, in estimated bytes. When set, every region is bounded by bytes
         * (a region's {@code maximum-size} then counts for {@code maximum-size} times 1 KiB) and the regions' bounds
         * are shrunk, in proportion to their sizes, whenever their sum exceeds the budget.
         */
        Optional<MemorySize> maxMemory();
    }

    interface Warming {

        /**
         * Whether the cache warms itself at start-up: the most-read entries of the previous run, then the
         * application's {@code CmsWarmer} beans.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * How many of the most-read entries of the previous runs are loaded at start-up. Reads of
         * {@code @CmsCached} methods are sampled and counted in Redis; the counts halve every {@code half-life}, so
         * that yesterday's hot page fades. 0 turns this off.
         */
        @WithDefault("100")
        int hotEntries();

        /**
         * How fast read counts fade.
         */
        @WithDefault("24H")
        Duration halfLife();

        /**
         * One read in this many is counted for {@code hot-entries}, to keep counting off the hot path; 1 counts
         * every read.
         */
        @WithDefault("16")
        int readSampling();

        /**
         * How many entries or warmers are loaded at the same time.
         */
        @WithDefault("4")
        int concurrency();

        /**
         * How long one warming run may take; what is left when it runs out is skipped and logged.
         */
        @WithDefault("60s")
        Duration budget();

        /**
         * Whether the application reports itself not ready (SmallRye Health) until the start-up warming is done.
         * By default it is ready at once, and warming runs in the background.
         */
        @WithDefault("false")
        boolean blockReadiness();

        /**
         * Warms again at this interval (needs {@code quarkus-scheduler}). Off when unset.
         */
        Optional<Duration> every();
    }

    interface Invalidation {

        /**
         * How long an invalidation message may stay missing (a gap in the sequence numbers of the invalidation
         * channel) before this instance replays the invalidation log from Redis, or, if the log no longer reaches
         * back far enough, drops its whole L1. This bounds how long a lost message can leave a stale L1 entry.
         */
        @WithDefault("1s")
        Duration gapTimeout();

        /**
         * How many invalidations Redis keeps in its log, for replaying gaps and for the history shown to users.
         */
        @WithDefault("1000")
        int logSize();
    }

    interface Http {

        /**
         * Whether HTTP requests with credentials (an {@code Authorization} header, or one of the
         * {@code private-cookies}) bypass the cache entirely, so that content rendered for one user is never shared.
         */
        @WithDefault("true")
        boolean bypassPrivateRequests();

        /**
         * Cookies that make a request private, such as session cookies.
         */
        @WithDefault("quarkus-credential,JSESSIONID,SESSION")
        List<String> privateCookies();

        /**
         * The {@code Cache-Control} header of {@code @CmsCachedResponse} responses. The default lets browsers and CDNs
         * keep a copy but revalidate it (cheaply, with {@code If-None-Match}) on every use; with a CDN that purges by
         * tag, something like {@code public, max-age=0, s-maxage=86400} lets the CDN serve it until purged.
         */
        @WithDefault("no-cache")
        String cacheControl();

        /**
         * The header of {@code @CmsCachedResponse} responses that lists the tags of the page, space-separated:
         * {@code Surrogate-Key} (Fastly), {@code Cache-Tag} (Cloudflare), {@code Edge-Cache-Tag} (Akamai)...
         */
        @WithDefault("Surrogate-Key")
        String surrogateKeyHeader();
    }

    interface RegionDefaults {

        /**
         * The in-process level.
         */
        L1Defaults l1();

        /**
         * The Redis level.
         */
        L2Defaults l2();

        /**
         * Whether a {@code null} result is cached as a negative entry, so that a missing item does not reach the
         * origin on every request.
         */
        @WithDefault("true")
        boolean negativeCaching();

        /**
         * The largest value that is cached, measured as its JSON size when the region uses Redis, as an estimate of
         * its size in memory otherwise. A larger value is returned to the caller but not cached, and logged.
         */
        @WithDefault("1M")
        MemorySize maxValueSize();

        /**
         * Refresh-ahead: a read of an entry in the last part of its L1 lifetime ({@code l1.expire-after-write})
         * reloads it in the background, while readers keep getting the current value. 0.2 means the last 20%; 0
         * turns it off. Only one instance refreshes an entry at a time.
         */
        @WithDefault("0.2")
        double refreshAhead();

        /**
         * Stale-while-revalidate: for this long after its L1 lifetime, an entry is still served while one background
         * reload runs. 0 turns it off. An invalidated entry is never served.
         */
        @WithDefault("0s")
        Duration staleWhileRevalidate();

        /**
         * Stale-if-error: for this long after its L1 lifetime, an entry whose reload fails is served instead of the
         * failure. 0 turns it off.
         */
        @WithDefault("0s")
        Duration staleIfError();

        /**
         * Probabilistic early expiration (XFetch): with a beta above 0, each read may trigger a background reload a
         * little before the end of the L1 lifetime, the more likely the closer the end and the slower the load.
         * 1 is the usual value; 0 turns it off.
         */
        @WithDefault("0")
        double earlyExpirationBeta();

        /**
         * Protection against stampedes across instances.
         */
        StampedeDefaults stampede();
    }

    interface StampedeDefaults {

        /**
         * Whether, on a miss in both levels, one instance takes a lease in Redis and loads the entry while the others
         * wait for it, instead of every instance loading it.
         */
        @WithDefault("true")
        boolean lease();

        /**
         * How long the other instances wait for the lease holder's value before loading it themselves.
         */
        @WithDefault("2s")
        Duration maxWait();

        /**
         * How long a lease lasts at most: if its holder dies, the key is free again after this.
         */
        @WithDefault("10s")
        Duration leaseTtl();
    }

    interface L1Defaults {

        /**
         * The most entries a region keeps in L1; the least valuable ones (Caffeine's W-TinyLFU) are evicted beyond
         * it. Ignored when {@code maximum-weight} is set.
         */
        @WithDefault("10000")
        long maximumSize();

        /**
         * Bounds a region's L1 by the estimated size of its values in bytes instead of by entries, for regions whose
         * values vary a lot in size such as rendered HTML.
         */
        Optional<MemorySize> maximumWeight();

        /**
         * How long an entry stays in L1 after it was stored, whatever happens: the backstop against an entry whose
         * invalidation was missed.
         */
        @WithDefault("30M")
        Duration expireAfterWrite();

        /**
         * Values larger than this (estimated bytes) are kept in Redis only, never in L1. Unlimited when unset.
         */
        Optional<MemorySize> maxValueSize();
    }

    interface L2Defaults {

        /**
         * Whether the region's entries are stored in Redis. Invalidations reach the region's L1 entries on every
         * instance either way. Turn it off for values that cannot be written as JSON, such as parsed templates.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * How long an entry stays in Redis after it was stored, whatever happens: the backstop against a missed
         * invalidation.
         */
        @WithDefault("1H")
        Duration ttl();
    }

    interface RegionOverrides {

        /**
         * The in-process level of this region.
         */
        L1Overrides l1();

        /**
         * The Redis level of this region.
         */
        L2Overrides l2();

        /**
         * Whether this region caches {@code null} results as negative entries. Defaults to
         * {@code quarkus.cms-cache.defaults.negative-caching}.
         */
        Optional<Boolean> negativeCaching();

        /**
         * The largest value this region caches. Defaults to {@code quarkus.cms-cache.defaults.max-value-size}.
         */
        Optional<MemorySize> maxValueSize();

        /**
         * Refresh-ahead for this region. Defaults to {@code quarkus.cms-cache.defaults.refresh-ahead}.
         */
        Optional<Double> refreshAhead();

        /**
         * Stale-while-revalidate for this region. Defaults to
         * {@code quarkus.cms-cache.defaults.stale-while-revalidate}.
         */
        Optional<Duration> staleWhileRevalidate();

        /**
         * Stale-if-error for this region. Defaults to {@code quarkus.cms-cache.defaults.stale-if-error}.
         */
        Optional<Duration> staleIfError();

        /**
         * Probabilistic early expiration for this region. Defaults to
         * {@code quarkus.cms-cache.defaults.early-expiration-beta}.
         */
        Optional<Double> earlyExpirationBeta();

        /**
         * Stampede protection for this region.
         */
        StampedeOverrides stampede();
    }

    interface StampedeOverrides {

        /**
         * Whether this region uses a lease on misses. Defaults to {@code quarkus.cms-cache.defaults.stampede.lease}.
         */
        Optional<Boolean> lease();

        /**
         * How long other instances wait for the lease holder. Defaults to
         * {@code quarkus.cms-cache.defaults.stampede.max-wait}.
         */
        Optional<Duration> maxWait();

        /**
         * How long a lease of this region lasts at most. Defaults to
         * {@code quarkus.cms-cache.defaults.stampede.lease-ttl}.
         */
        Optional<Duration> leaseTtl();
    }

    interface L1Overrides {

        /**
         * The most entries this region keeps in L1. Set at most one of {@code maximum-size} and
         * {@code maximum-weight} for a region.
         */
        OptionalLong maximumSize();

        /**
         * Bounds this region's L1 by the estimated size of its values in bytes.
         */
        Optional<MemorySize> maximumWeight();

        /**
         * How long an entry of this region stays in L1 after it was stored.
         */
        Optional<Duration> expireAfterWrite();

        /**
         * Values of this region larger than this are kept in Redis only. Defaults to
         * {@code quarkus.cms-cache.defaults.l1.max-value-size}.
         */
        Optional<MemorySize> maxValueSize();
    }

    interface L2Overrides {

        /**
         * Whether this region's entries are stored in Redis.
         */
        Optional<Boolean> enabled();

        /**
         * How long an entry of this region stays in Redis after it was stored.
         */
        Optional<Duration> ttl();
    }
}
