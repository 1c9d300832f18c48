package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The set of pending invalidations in the control slot stays bounded while slot groups do not apply them (a master
 * that the invalidating instances cannot reach, or that died with them): the invalidation that finds it full starts a
 * new generation, whose floor makes every entry the forgotten invalidations were to delete a miss. Before, each
 * invalidation a group missed stayed in the set for as long as the group did not answer.
 */
public class PendingBoundTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            // Instances carry on an invalidation pending for 2 x the timeout: here, long after the backlog is built.
            .overrideConfigKey("quarkus.cms-cache.l2.timeout", "10s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, ControlStep.class));

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    @Inject
    OtherInstance instances;

    @Test
    void aFullPendingSetStartsANewGenerationAndServesNothingItForgot() {
        CmsCacheEngine here = (CmsCacheEngine) cache;
        RedisKeyspace keys = here.l2().keys();
        assertEquals("home v1", cache.get("page", "home", String.class, () -> page("v1")));
        CmsCacheEngine reader = instances.start();
        try {
            long forgotten = send(ControlStep.numberOnly(keys, "block:footer")).get(0).toLong();
            List<Request> backlog = new ArrayList<>();
            for (int i = 1; i < RedisL2.MAX_PENDING; i++) {
                backlog.add(ControlStep.numberOnly(keys, "block:b" + i));
                if (backlog.size() == 1_000 || i == RedisL2.MAX_PENDING - 1) {
                    redis.batch(backlog).await().atMost(Duration.ofSeconds(30));
                    backlog.clear();
                }
            }
            assertEquals(RedisL2.MAX_PENDING, pending(keys), "no slot group applied any of them");

            send(ControlStep.numberOnly(keys, "block:next"));
            assertTrue(pending(keys) <= 1, "the pending set stays bounded: " + pending(keys));
            long floor = send(Request.cmd(Command.GET).arg(keys.floor())).toLong();
            assertTrue(floor > forgotten, "the new floor covers the invalidations the set forgot");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> here.l2().floor() >= floor && reader.l2().floor() >= floor);
            assertEquals(1L, send(Request.cmd(Command.EXISTS).arg(keys.entry("page:home"))).toLong(),
                    "the page's slot group never applied the footer's invalidation");

            assertEquals("home v2", reader.get("page", "home", String.class, () -> page("v2")),
                    "the page its group kept is not served once its invalidation is forgotten");
            assertEquals("home v2", here.get("page", "home", String.class, () -> page("v3")),
                    "nor by the instance that stored it");
        } finally {
            reader.close();
        }
    }

    private static String page(String version) {
        CmsDependencies.add("block:footer");
        return "home " + version;
    }

    private long pending(RedisKeyspace keys) {
        return send(Request.cmd(Command.ZCARD).arg(keys.pending())).toLong();
    }

    private Response send(Request request) {
        return redis.send(request).await().atMost(Duration.ofSeconds(5));
    }
}
