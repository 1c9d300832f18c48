package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * An invalidation is numbered, logged and published in the control slot first, and applied in the slot groups next:
 * an instance may hear of it while a group still holds the entries it is about to delete. Such an instance must not
 * serve them, nor fill its L1 with them. Here the invalidating instance stops after the first step (as if it died),
 * which also shows that the other instances carry the invalidation on.
 */
public class PendingInvalidationTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, ControlStep.class));

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    @Inject
    OtherInstance instances;

    @Test
    void anInvalidationHeardOfBeforeItsGroupAppliedItServesNothingOld() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        RedisKeyspace keys = here.l2().keys();
        assertEquals("home v1", cache.get("page", "home", String.class, () -> page("v1")));
        CmsCacheEngine reader = instances.start();
        try {
            long seq = numberOnly(keys, "block:footer");
            await().atMost(Duration.ofSeconds(5)).until(() -> reader.invalidator().versions().isApplied(seq));
            assertEquals(1L, send(Request.cmd(Command.EXISTS).arg(keys.entry("page:home"))).toLong(),
                    "the page's slot group has not applied the invalidation");

            assertEquals("home v2", reader.get("page", "home", String.class, () -> page("v2")),
                    "an instance that heard of the invalidation does not serve the page its group still holds");
            assertEquals("home v2", reader.get("page", "home", String.class, () -> page("v3")), "and caches the new one");

            // Nobody applies it in the groups but the instances that find it pending on their tick.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> send(Request.cmd(Command.EXISTS).arg(keys.pending())).toLong() == 0);
            assertEquals("home v2", here.get("page", "home", String.class, () -> page("v4")),
                    "the page stored after the invalidation survives its application");
            await("the tag is no longer pending once Redis no longer lists it").atMost(Duration.ofSeconds(5))
                    .until(() -> reader.invalidator().versions().pendingTags() == 0);
        } finally {
            reader.close();
        }
    }

    private static String page(String version) {
        CmsDependencies.add("block:footer");
        return "home " + version;
    }

    /** The invalidating instance's first step only: {@code invalidate.lua} in the control slot. */
    private long numberOnly(RedisKeyspace keys, String tag) {
        return send(ControlStep.numberOnly(keys, tag)).get(0).toLong();
    }

    private Response send(Request request) {
        return redis.send(request).await().atMost(Duration.ofSeconds(5));
    }
}
