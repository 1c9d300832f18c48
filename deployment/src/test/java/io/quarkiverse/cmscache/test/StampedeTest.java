package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * Cross-instance stampede protection: on a Redis miss, one instance takes a lease on the key and loads it while the
 * others wait for its value. Two instances and 200 concurrent misses on one cold key load it once; without the
 * lease, once per instance. A lease whose holder died frees the key after its TTL.
 */
public class StampedeTest {

    static final int READERS_PER_INSTANCE = 100;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            // Long enough that a waiting instance never gives up on the holder during the test.
            .overrideConfigKey("quarkus.cms-cache.defaults.stampede.max-wait", "30s")
            .overrideConfigKey("quarkus.cms-cache.regions.\"unleased\".stampede.lease", "false")
            .overrideConfigKey("quarkus.cms-cache.regions.\"orphaned\".stampede.lease-ttl", "1s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Latches.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    Redis redis;

    @Test
    void twoInstancesAndTwoHundredMissesOnOneColdKeyLoadItOnce() throws Exception {
        CmsCacheEngine other = instances.start();
        try {
            Stampede stampede = new Stampede("home");
            List<Thread> readers = stampede.start("cached", (CmsCacheEngine) cache, other);

            // One instance loads and holds; the other has found the lease taken and waits for the holder's value.
            await().atMost(Duration.ofSeconds(10)).until(() -> stampede.loads.get() == 1
                    && cache.stats("cached").leaseWaits() + other.stats("cached").leaseWaits() == 1
                    && allBlocked(readers));
            stampede.release.countDown();
            join(readers);

            assertEquals(1, stampede.loads.get(), "loaded once for both instances");
            assertEquals(Set.of("home page"), stampede.results.keySet());
            assertEquals(2 * READERS_PER_INSTANCE, stampede.results.get("home page").get());
            assertTrue(stampede.failures.isEmpty(), stampede.failures::toString);
        } finally {
            other.close();
        }
    }

    @Test
    void withoutTheLeaseEachInstanceLoadsOnce() throws Exception {
        CmsCacheEngine other = instances.start();
        try {
            Stampede stampede = new Stampede("home");
            List<Thread> readers = stampede.start("unleased", (CmsCacheEngine) cache, other);

            await().atMost(Duration.ofSeconds(10)).until(() -> stampede.loads.get() == 2 && allBlocked(readers));
            stampede.release.countDown();
            join(readers);

            assertEquals(2, stampede.loads.get(), "once per instance: the single flight still works in each");
            assertEquals(2 * READERS_PER_INSTANCE, stampede.results.get("home page").get());
            assertTrue(stampede.failures.isEmpty(), stampede.failures::toString);
        } finally {
            other.close();
        }
    }

    @Test
    void leaseOfADeadHolderFreesTheKeyAfterItsTtl() {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        String lease = engine.l2().keys().lease("orphaned:about");
        // An instance took the lease and died before it stored the value or released the lease.
        redis.send(Request.cmd(io.vertx.mutiny.redis.client.Command.SET).arg(lease).arg("dead-instance").arg("PX")
                .arg("1000")).await().indefinitely();

        AtomicInteger loads = new AtomicInteger();
        assertEquals("about v1", cache.get("orphaned", "about", String.class, () -> "about v" + loads.incrementAndGet()));
        assertEquals(1, loads.get());
        assertEquals(1, cache.stats("orphaned").leaseWaits(), "it waited for the dead holder first");
        assertEquals(null, redis.send(Request.cmd(io.vertx.mutiny.redis.client.Command.GET).arg(lease)).await().indefinitely(),
                "the lease expired");
    }

    /**
     * Readers on two instances, all missing the same key at once; the loader holds until released.
     */
    static final class Stampede {
        final String key;
        final AtomicInteger loads = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);
        final ConcurrentHashMap<String, AtomicInteger> results = new ConcurrentHashMap<>();
        final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

        Stampede(String key) {
            this.key = key;
        }

        List<Thread> start(String region, CmsCacheEngine first, CmsCacheEngine second) {
            Supplier<String> loader = () -> {
                loads.incrementAndGet();
                Latches.await(release);
                return key + " page";
            };
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 2 * READERS_PER_INSTANCE; i++) {
                CmsCacheEngine instance = i % 2 == 0 ? first : second;
                Thread reader = new Thread(() -> {
                    try {
                        Latches.await(go);
                        String page = instance.get(region, key, String.class, loader);
                        results.computeIfAbsent(page, p -> new AtomicInteger()).incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }, "reader-" + i);
                readers.add(reader);
                reader.start();
            }
            go.countDown();
            return readers;
        }
    }

    private static boolean allBlocked(List<Thread> readers) {
        return readers.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    private static void join(List<Thread> readers) throws InterruptedException {
        for (Thread reader : readers) {
            reader.join(10_000);
        }
    }
}
