package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.eclipse.microprofile.context.spi.ThreadContextProvider;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Uni;

/**
 * The caller's thread context (its transaction, its request context) never travels with the cache's own Redis work
 * to another thread: a Redis answer handled on the event loop, or a command the caller does not wait for, must not
 * run with a transaction that the caller may be rolling back at that moment (Narayana then fails the rollback, and
 * the rolled-back changes stay). The caller's own code -- its loaders -- keeps seeing it.
 * <p>
 * A context of the test's own ({@link ContextWitness}) stands in for the transaction: it records where it is applied.
 */
public class CallerContextTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, ContextWitness.class)
                    .addAsResource(new StringAsset(ContextWitness.class.getName()),
                            "META-INF/services/" + ThreadContextProvider.class.getName()));

    @Inject
    CmsCache cache;

    ExecutorService pool;

    @BeforeEach
    void witness() {
        pool = Executors.newSingleThreadExecutor();
        ContextWitness.set("caller");
        ContextWitness.takeAppliedElsewhere();
    }

    @AfterEach
    void forget() {
        ContextWitness.set(null);
        pool.shutdownNow();
    }

    @Test
    void theCachesRedisWorkRunsWithoutTheCallersContext() {
        assertEquals("a v1", cache.get("block", "a", String.class, () -> "a v1"), "a miss, loaded and stored");
        engine().region("block").l1().clear();
        assertEquals("a v1", cache.get("block", "a", String.class, () -> "a v2"), "a hit in Redis");
        cache.put("block", "b", "b v1");
        cache.invalidate("block", "a");
        cache.invalidateTags(List.of(CmsCache.tag("block", "b")));
        cache.invalidateTagsAsync(List.of(CmsCache.tag("block", "d"))).await().atMost(WAIT);
        cache.put("block", "c", "c v1");
        engine().region("block").l1().clear();
        assertEquals("c v1", cache.getAsync("block", "c", String.class, () -> Uni.createFrom().item("c v2"))
                .await().atMost(WAIT), "a hit in Redis, read without blocking");
        // What the caller does not wait for (removing applied invalidations, for one) has left the client.
        await().atMost(WAIT).until(() -> engine().l2().commandsInFlight() == 0);

        assertEquals(Set.of(), ContextWitness.takeAppliedElsewhere(),
                "threads that ran the cache's Redis work with the caller's context");
    }

    @Test
    void aBlockingLoaderSeesTheCallersContextInItsOwnPipelines() {
        String seen = cache.get("block", "blocking", String.class,
                () -> Uni.createFrom().item("x").emitOn(pool).map(ignored -> ContextWitness.current())
                        .await().atMost(WAIT));
        assertEquals("caller", seen);
    }

    @Test
    void anAsynchronousLoaderSeesTheCallersContextAfterTheRedisMiss() {
        String seen = cache.getAsync("block", "async", String.class,
                () -> Uni.createFrom().item("x").emitOn(pool).map(ignored -> ContextWitness.current()))
                .await().atMost(WAIT);
        assertEquals("caller", seen);
    }

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }
}
