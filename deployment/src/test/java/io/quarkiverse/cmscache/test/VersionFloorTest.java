package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Tag versions in Redis are kept only for a few minutes (memory bounded by recent invalidations, not by uptime). A
 * load that began before an invalidation whose version the sweep has since deleted must still not be stored: its
 * write meets the version floor instead of the version.
 */
public class VersionFloorTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    RedisDataSource redis;

    @Test
    void aLoadThatOutlivesTheVersionOfItsInvalidationIsNotStored() throws Exception {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        CountDownLatch blockRead = new CountDownLatch(1);
        CountDownLatch edited = new CountDownLatch(1);
        CompletableFuture<String> slowRender = CompletableFuture.supplyAsync(() -> cache.get("pages", "slow",
                String.class, () -> {
                    String block = cache.get("block", "b", String.class, () -> "block v1");
                    blockRead.countDown();
                    await(edited);
                    return "<page>" + block + "</page>";
                }));
        assertTrue(blockRead.await(10, TimeUnit.SECONDS));

        cache.invalidate("block", "b");
        RedisKeyspace.Group group = engine.l2().keys().groupOf("pages:slow");
        String version = group.tagVersion("block:b");
        assertTrue(redis.key().exists(version), "the invalidation's version in the page's slot group");
        // The sweep forgets every version (a retention of zero), as it would once the render outlived the retention.
        engine.l2().sweep(group, List.of(), Duration.ZERO, 10_000, 0).await().atMost(Duration.ofSeconds(5));
        assertFalse(redis.key().exists(version), "the version is gone");

        edited.countDown();
        assertEquals("<page>block v1</page>", slowRender.get(10, TimeUnit.SECONDS), "the caller gets what it computed");
        assertFalse(redis.key().exists(engine.l2().keys().entry("pages:slow")),
                "but it is not stored: it read the block before its invalidation");
        CmsCacheEngine other = instances.start();
        try {
            assertEquals("<page>block v2</page>", other.get("pages", "slow", String.class,
                    () -> "<page>" + other.get("block", "b", String.class, () -> "block v2") + "</page>"));
        } finally {
            other.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
