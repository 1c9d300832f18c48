package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The Quarkus Redis client in cluster mode ({@code quarkus.redis.client-type=cluster}, the nodes in
 * {@code quarkus.redis.hosts}), on a real three-master cluster: entries spread over every master (each holds its even
 * share of the keys and serves its even share of the commands, within 25 %), pages are shared with another instance,
 * an edit evicts them everywhere, and a burst of
 * cold reads far larger than the client's connection pool, with the default settings, leaves the instance's Redis
 * client working. The last one is the vertx-redis-client cluster pool deadlock (issue 541): commands holding every
 * pooled connection while the slot map, refreshed every second, waits for one. The extension keeps its own commands
 * in flight to {@code max-pool-size} minus 2 so that its traffic cannot cause it; a deadlocked client would never
 * answer again, its breaker would stay open, and its invalidations would no longer reach the other instances.
 * <p>
 * The other instance has a Redis client of its own ({@code quarkus.redis.other}), as another process of the
 * application would: sharing the application's client, its subscription would hold pooled connections the bound does
 * not count, and a deadlock would silence both instances at once.
 */
public class ClusterTest {

    static final RedisClusterSetup CLUSTER = RedisClusterSetup.named("cluster-test");

    static final int THREADS = 64;
    static final int READS_PER_THREAD = 200;
    /** Every caller stops starting new reads after this, so the burst stays short on a slow machine. */
    static final Duration BURST = Duration.ofSeconds(4);

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.clusterUnitTest(CLUSTER)
            .overrideConfigKey("quarkus.cms-cache.regions.\"tail\".l2.ttl", "2s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, RedisClusterSetup.class,
                    RedisSentinelSetup.class, Blocks.class, Pages.class));

    @Inject
    Pages pages;

    @Inject
    Blocks blocks;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    @RedisClientName("other")
    Redis otherClient;

    CmsCacheEngine other;

    @AfterAll
    static void stopCluster() {
        CLUSTER.stop();
    }

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @BeforeEach
    void startOther() {
        // The first connections fetch the slot map first, which on a busy machine can outlast l2.timeout.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> engine().l2State() == L2State.UP && engine().feed().isSubscribed());
        other = instances.startWith(otherClient);
        await().atMost(Duration.ofSeconds(15)).until(() -> other.l2State() == L2State.UP);
    }

    @AfterEach
    void stopOther() {
        other.close();
    }

    @Test
    void pagesAreSharedThroughTheClusterAndAnEditEvictsThemEverywhere() {
        assertEquals("<page home>v1 of footer</page>", pages.render("home"));
        String entry = engine().l2().keys().entry("page:home");
        int owner = CLUSTER.masterOf(CLUSTER.slotOf(entry));
        assertEquals(1L, RedisSentinelSetup.command(owner, "EXISTS", entry), "written to the master of its slot");

        assertEquals("<page home>v1 of footer</page>", other.get("page", "home", String.class, () -> "not from Redis"));
        assertEquals(1, other.stats("page").l2Hits(), "the other instance found the page in the cluster");

        blocks.save("footer");

        assertEquals(0L, RedisSentinelSetup.command(owner, "EXISTS", entry),
                "the page made with the block is gone from the cluster once the edit returns");
        assertEquals("<page home>v2 of footer</page>", pages.render("home"));
        // The other instance hears of the edit through pub/sub and drops its copy; it then reads the new page.
        await().atMost(Duration.ofSeconds(10)).until(() -> other.region("page").l1().get("page:home") == null);
        assertEquals("<page home>v2 of footer</page>", other.get("page", "home", String.class, () -> "not from Redis"));
    }

    @Test
    void entriesAndCommandsAreSpreadEvenlyOverTheMasters() {
        RedisKeyspace keys = engine().l2().keys();
        for (int master : CLUSTER.masterPorts()) {
            RedisSentinelSetup.command(master, "CONFIG", "RESETSTAT");
        }
        // A uniform workload: distinct pages, each loaded here (a Redis read, a lease, a write, a release) and read by
        // the other instance from Redis, a tenth of them edited.
        int pages = 3_000;
        for (int i = 0; i < pages; i++) {
            int n = i;
            cache.get("spread", "p" + n, String.class, () -> {
                CmsDependencies.add("section:" + n % 300);
                return "page " + n;
            });
        }
        for (int i = 0; i < pages; i++) {
            int n = i;
            assertEquals("page " + n, other.get("spread", "p" + n, String.class, () -> "not from Redis"));
        }
        for (int s = 0; s < 30; s++) {
            cache.invalidateTags("section:" + s);
        }
        Map<Integer, Long> keysHeld = CLUSTER.keysPerMaster(
                RedisL2.globEscape(keys.control().substring(0, keys.control().length() - 1)) + "*");
        Map<Integer, Long> commands = new LinkedHashMap<>();
        for (int master : CLUSTER.masterPorts()) {
            commands.put(master, commandsServed(master));
        }
        assertEvenShares("keys", keysHeld);
        assertEvenShares("commands", commands);
    }

    /** Each master's count is within 25 % of an even share of the total. */
    private static void assertEvenShares(String what, Map<Integer, Long> perMaster) {
        long total = perMaster.values().stream().mapToLong(Long::longValue).sum();
        double even = (double) total / perMaster.size();
        perMaster.forEach((master, count) -> assertTrue(Math.abs(count - even) <= 0.25 * even,
                what + " per master within 25 % of an even share (" + Math.round(even) + "): " + perMaster));
    }

    /** @return the commands a master served since its statistics were reset, the cluster's own and probes aside */
    private static long commandsServed(int master) {
        long calls = 0;
        for (String line : ((String) RedisSentinelSetup.command(master, "INFO", "commandstats")).split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String command = line.substring("cmdstat_".length(), line.indexOf(':'));
            if (List.of("info", "cluster", "ping", "client", "hello", "command", "config", "scan", "readonly")
                    .contains(command.split("\\|")[0])) {
                continue;
            }
            String stats = line.substring(line.indexOf(':') + 1);
            calls += Long.parseLong(stats.substring("calls=".length(), stats.indexOf(',')));
        }
        return calls;
    }

    @Test
    void theMetadataSweepPrunesTagSetsOnTheCluster() {
        RedisKeyspace keys = engine().l2().keys();
        for (int i = 0; i < 300; i++) {
            int n = i;
            cache.get("tail", "k" + n, String.class, () -> "v" + n);
        }
        String regionTag = EntryKeys.regionTag("tail");
        assertEquals(300L, inEveryGroup(keys, group -> List.of("SCARD", group.tagSet(regionTag))),
                "the region's tag sets, over the slot groups");
        // The entries expire (l2.ttl 2s); the sweep, which must reach every group's master, removes their sets.
        await().atMost(Duration.ofSeconds(30)).until(() -> inEveryGroup(keys, group -> List.of("EXISTS",
                group.tagSet(regionTag), group.tagSet("tail:k0"), group.tagSet("tail:k299"))) == 0L);
    }

    /** @return the sum of the answers of a command sent to each slot group's master */
    private static long inEveryGroup(RedisKeyspace keys, Function<RedisKeyspace.Group, List<String>> command) {
        long sum = 0;
        for (RedisKeyspace.Group group : keys.groups()) {
            sum += (Long) RedisSentinelSetup.command(CLUSTER.masterOf(CLUSTER.slotOf(group.name())),
                    command.apply(group).toArray(String[]::new));
        }
        return sum;
    }

    @Test
    void aBurstLargerThanThePoolLeavesTheClientWorking() throws Exception {
        assertEquals(4, engine().settings().commands().maxInFlight(),
                "the defaults: max-pool-size 6, minus the subscription, minus one kept free");
        // Every caller reads keys nobody read before: each read is a Redis read, a lease, the loader, a Redis write
        // and a lease release, all on the namespace's master. The client refreshes its slot map every second, so
        // several refreshes fall inside the burst, each needing a pooled connection while 64 callers want one.
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        long began;
        try {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(callers.submit(() -> {
                    start.await();
                    long deadline = System.nanoTime() + BURST.toNanos();
                    for (int i = 0; i < READS_PER_THREAD && System.nanoTime() < deadline; i++) {
                        String key = "burst-" + thread + "-" + i;
                        assertEquals("page " + key, cache.get("pages", key, String.class, () -> "page " + key));
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            began = System.nanoTime();
            start.countDown();
            for (Future<?> caller : done) {
                try {
                    // A caller that waits on Redis gives up after l2.timeout (500 ms) and loads: it always returns.
                    caller.get(BURST.toSeconds() + 10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("a caller saw an exception", e.getCause());
                }
            }
        } finally {
            callers.shutdownNow();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.printf("Burst: %d reads by %d threads in %d ms; L2 errors %d, rejected %d, pages in Redis %s%n",
                reads.get(), THREADS, took.toMillis(), cache.stats("pages").l2Errors(),
                engine().l2().commandsRejected(),
                CLUSTER.keysPerMaster(engine().l2().keys().entryPattern("pages:burst-*")));
        assertTrue(took.compareTo(BURST.plusSeconds(6)) < 0, "the burst ended soon after its last reads: " + took);

        // The client still answers: what was queued drains, the breaker is (or is again) closed, the feed is up. A
        // deadlocked client never answers the commands it holds, and its breaker opens again after every probe.
        await("every command the cache handed to the client is answered (a deadlocked pool never answers)")
                .atMost(Duration.ofSeconds(10))
                .until(() -> engine().l2().commandsInFlight() == 0 && engine().l2().commandsWaiting() == 0);
        await("the circuit breaker is closed and L2 is UP").atMost(Duration.ofSeconds(5))
                .until(() -> engine().l2().breakerState() == CircuitBreakerState.CLOSED
                        && engine().l2State() == L2State.UP);

        // A new entry written here is found in the cluster by the other instance.
        assertEquals("v1 of news", blocks.html("news"));
        long hits = other.stats("block").l2Hits();
        assertEquals("v1 of news", other.get("block", "news", String.class, () -> "not from Redis"));
        assertEquals(hits + 1, other.stats("block").l2Hits(), "written through this instance's client after the burst");

        // An edit here reaches the other instance.
        blocks.save("news");
        await("the edit reaches the other instance").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                .until(() -> other.region("block").l1().get("block:news") == null);
        String entry = engine().l2().keys().entry("block:news");
        assertEquals(0L, RedisSentinelSetup.command(CLUSTER.masterOf(CLUSTER.slotOf(entry)), "EXISTS", entry),
                "and the cluster no longer holds it");
        assertEquals(CircuitBreakerState.CLOSED, engine().l2().breakerState());
    }

    @ApplicationScoped
    static class Blocks {
        final Map<String, Integer> versions = new ConcurrentHashMap<>();

        @CmsCached(region = "block")
        String html(@CmsKey String id) {
            return "v" + versions.getOrDefault(id, 1) + " of " + id;
        }

        @CmsInvalidate(region = "block")
        void save(String id) {
            versions.compute(id, (key, version) -> version == null ? 2 : version + 1);
        }
    }

    @ApplicationScoped
    static class Pages {

        @Inject
        Blocks blocks;

        @CmsCached(region = "page")
        String render(@CmsKey String id) {
            return "<page " + id + ">" + blocks.html(id.equals("home") ? "footer" : "header") + "</page>";
        }
    }
}
