package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An invalidation made while Redis is down is not lost: this instance evicts at once, does not trust Redis entries
 * carrying the invalidated tags when Redis comes back with its old data, and replays the invalidation to Redis.
 */
public class RedisOutageTest {

    static final LocalRedisServer REDIS = LocalRedisServer.named("outage");

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .overrideConfigKey("quarkus.cms-cache.l2.timeout", "300ms")
            .overrideConfigKey("quarkus.cms-cache.invalidation.gap-timeout", "4s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, LocalRedisServer.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @Test
    void invalidationDuringAnOutageIsHonouredAndReplayed() {
        AtomicReference<String> block = new AtomicReference<>("block v1");
        String page = cache.get("rendered", "home", String.class,
                () -> "<home>" + cache.get("block", "b", String.class, block::get) + "</home>");
        assertEquals("<home>block v1</home>", page);
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        assertTrue(engine.l2().read("rendered:home").await().indefinitely() != null, "the page is in Redis");

        REDIS.stop();
        block.set("block v2");
        cache.invalidate("block", "b");
        assertEquals("<home>block v2</home>", cache.get("rendered", "home", String.class,
                () -> "<home>" + cache.get("block", "b", String.class, block::get) + "</home>"),
                "evicted locally although Redis was down");
        ((CmsCacheEngine) cache).region("rendered").dropAll();

        REDIS.start();
        assertEquals("<home>block v2</home>", cache.get("rendered", "home", String.class,
                () -> "<home>" + cache.get("block", "b", String.class, block::get) + "</home>"),
                "the old page Redis still holds is not trusted");

        await().atMost(Duration.ofSeconds(15)).until(() -> engine.invalidator().versions().unconfirmed().isEmpty());
        CmsCacheEngine other = instances.start();
        try {
            String seenElsewhere = other.get("rendered", "home", String.class,
                    () -> "<home>" + other.get("block", "b", String.class, block::get) + "</home>");
            assertEquals("<home>block v2</home>", seenElsewhere, "Redis no longer serves the old page");
            assertTrue(cache.stats("block").l2Errors() >= 1);
        } finally {
            other.close();
        }
    }
}
