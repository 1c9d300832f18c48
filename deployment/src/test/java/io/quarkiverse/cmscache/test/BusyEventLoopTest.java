package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The subscription's liveness check tells a dead connection from a busy event loop. The event loop that handles the
 * subscription is kept busy for 700 ms at a time, longer than the check's timeout ({@code l2.timeout}, 500 ms), while
 * ticks send {@code PING}s every 100 ms: Redis answers at once, but the answer waits for the busy loop. That is a slow
 * application (or a long garbage collection), not a dead connection: Redis stays trusted. (Found by benchmark (c) on a
 * cluster, whose follower distrusted Redis at start-up and then found entries "not in Redis".)
 */
public class BusyEventLoopTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.vertx.event-loops-pool-size", "2")
            // A tick, so a PING, every 100 ms.
            .overrideConfigKey("quarkus.cms-cache.invalidation.gap-timeout", "200ms")
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    Vertx vertx;

    @Test
    void aBusyEventLoopIsNotADeadSubscription() throws Exception {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.l2State() == L2State.UP);
        AtomicReference<String> distrusted = new AtomicReference<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get() && distrusted.get() == null) {
                distrusted.set(engine.l2().distrusted());
                Thread.onSpinWait();
            }
        });
        watcher.start();
        Context subscription = engine.feed().subscriptionContext();
        try {
            // Six times: busy for 700 ms, then a millisecond for what queued meanwhile.
            CompletableFuture<Void> done = new CompletableFuture<>();
            subscription.runOnContext(v -> busy(6, done));
            done.get(30, TimeUnit.SECONDS);
        } finally {
            watching.set(false);
            watcher.join();
        }
        assertNull(distrusted.get(), "Redis stayed trusted while the event loop was busy");
        assertEquals(L2State.UP, engine.l2State());
    }

    private void busy(int times, CompletableFuture<Void> done) {
        long until = System.nanoTime() + Duration.ofMillis(700).toNanos();
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        if (times > 1) {
            vertx.setTimer(1, id -> busy(times - 1, done));
        } else {
            done.complete(null);
        }
    }
}
