package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationMessage;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Vertx;

/**
 * Invalidations where the invalidating thread may not wait for Redis, or where Redis fails: this instance stops
 * serving the old value before the call returns, and Redis -- hence every other instance -- receives every
 * invalidation eventually, including one that failed while an earlier one was being replayed.
 */
public class InvalidationFailureTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.invalidation.gap-timeout", "200ms")
            // The instance whose Redis fails on demand must keep trying it, not stop at its breaker.
            .overrideConfigKey("quarkus.cms-cache.l2.circuit-breaker.request-volume-threshold", "10000")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, FlakyRedis.class,
                    Latches.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    Vertx vertx;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Runs the invalidation on an event-loop thread, where blocking is not allowed, and waits for it to return. */
    void onIoThread(Runnable invalidation) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(nothing -> {
            try {
                invalidation.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }

    boolean redisHolds(String key, String value) {
        byte[][] stored = engine().l2().read(key).await().indefinitely();
        return stored != null && value.equals(EntryCodec.displayText(stored[2]));
    }

    @Test
    void invalidationOnAnIoThreadTakesEffectHereAtOnceAndReachesRedis() throws Exception {
        String id = unique("io");
        String key = CmsCache.tag("block", id);
        CmsCacheEngine other = instances.start();
        try {
            assertEquals("old", cache.get("block", id, String.class, () -> "old"));
            assertEquals("old", other.get("block", id, String.class, () -> "old"), "from Redis");

            onIoThread(() -> cache.invalidateTags(key));

            assertNull(engine().region("block").l1().get(key), "evicted from this instance's L1 before returning");
            assertEquals("new", cache.get("block", id, String.class, () -> "new"),
                    "this instance never serves the old value, not even from Redis");
            await().atMost(Duration.ofSeconds(5)).until(() -> !redisHolds(key, "old"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "new".equals(other.get("block", id, String.class,
                    () -> "new")));
        } finally {
            other.close();
        }
    }

    @Test
    void invalidationOnAnIoThreadWhileRedisFailsIsSentOnceRedisAnswers() throws Exception {
        String id = unique("io-failing");
        String key = CmsCache.tag("block", id);
        FlakyRedis redis = new FlakyRedis(instances.redis());
        CmsCacheEngine flaky = instances.startWith(redis.client());
        try {
            assertEquals("old", cache.get("block", id, String.class, () -> "old"));
            assertEquals("old", flaky.get("block", id, String.class, () -> "old"), "from Redis");

            redis.fail();
            onIoThread(() -> flaky.invalidateTags(key));
            assertEquals("new", flaky.get("block", id, String.class, () -> "new"), "evicted here at once");

            redis.pass();
            await().atMost(Duration.ofSeconds(10)).until(() -> "new".equals(cache.get("block", id, String.class,
                    () -> "new")));
        } finally {
            redis.pass();
            flaky.close();
        }
    }

    @Test
    void invalidationsPiledUpDuringAnOutageAreReplayedInBoundedBatches() {
        String prefix = unique("piled");
        int tags = 250;
        FlakyRedis redis = new FlakyRedis(instances.redis());
        CmsCacheEngine flaky = instances.startWith(redis.client());
        try {
            for (int i = 0; i < tags; i++) {
                assertEquals("old", cache.get("block", prefix + i, String.class, () -> "old"));
            }
            redis.fail();
            for (int i = 0; i < tags; i++) {
                flaky.invalidateTags(CmsCache.tag("block", prefix + i));
            }
            redis.pass();

            for (int i = 0; i < tags; i++) {
                String id = prefix + i;
                await().atMost(Duration.ofSeconds(20)).until(() -> "new".equals(cache.get("block", id, String.class,
                        () -> "new")));
            }
            List<InvalidationMessage> replays = engine().l2().log(1000).await().indefinitely().stream()
                    .map(InvalidationMessage::parse)
                    .filter(message -> message.tags().stream().anyMatch(tag -> tag.contains(prefix))).toList();
            assertEquals(tags, replays.stream().mapToInt(message -> message.tags().size()).sum(),
                    "every piled-up tag was sent once");
            assertTrue(replays.stream().allMatch(message -> message.tags().size() <= 100),
                    "no script carries more than 100 tags: " + replays.stream().map(m -> m.tags().size()).toList());
        } finally {
            redis.pass();
            flaky.close();
        }
    }

    @Test
    void newerInvalidationThatFailsWhileAReplayIsInFlightIsSentToo() {
        String id = unique("replayed");
        String key = CmsCache.tag("block", id);
        AtomicReference<String> origin = new AtomicReference<>("v1");
        FlakyRedis redis = new FlakyRedis(instances.redis());
        CmsCacheEngine flaky = instances.startWith(redis.client());
        try {
            assertEquals("v1", cache.get("block", id, String.class, origin::get));

            redis.fail();
            origin.set("v2");
            flaky.invalidateTags(key);
            // The feed replays it on a tick: that command runs in Redis, its answer is held, and later ones fail.
            redis.holdNext(key);
            redis.awaitHeld();
            await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cache.get("block", id, String.class,
                    origin::get)));

            origin.set("v3");
            flaky.invalidateTags(key);
            redis.release();
            redis.pass();

            await().atMost(Duration.ofSeconds(10)).until(() -> "v3".equals(cache.get("block", id, String.class,
                    origin::get)));
        } finally {
            redis.pass();
            redis.release();
            flaky.close();
        }
    }
}
