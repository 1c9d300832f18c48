package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The Quarkus Redis client in sentinel mode ({@code quarkus.redis.client-type=sentinel}, the sentinels in
 * {@code quarkus.redis.hosts}): pages cached through the extension land on the master the sentinels name and are
 * shared with another instance, an edit evicts them everywhere, and after a clean failover the application goes on
 * serving what it cached and applies the next edit on the new master, without a caller seeing an exception.
 */
public class SentinelTest {

    static final RedisSentinelSetup SENTINELS = RedisSentinelSetup.named("sentinel-test");

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.client-type", "sentinel")
            .overrideConfigKey("quarkus.redis.hosts", SENTINELS.sentinelHosts())
            .overrideConfigKey("quarkus.redis.master-name", RedisSentinelSetup.MASTER_NAME)
            .overrideConfigKey("quarkus.redis.role", "master")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, RedisSentinelSetup.class,
                    Blocks.class, Pages.class));

    @Inject
    Pages pages;

    @Inject
    Blocks blocks;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @AfterAll
    static void stopSentinels() {
        SENTINELS.stop();
    }

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @BeforeEach
    void redisReached() {
        // The first connections go through a sentinel first, which on a busy machine can outlast l2.timeout.
        await().atMost(Duration.ofSeconds(15)).until(() -> engine().l2State() == L2State.UP && engine().feed().isSubscribed());
    }

    @Test
    void pagesAreSharedThroughTheMasterAndAnEditEvictsThemEverywhere() {
        assertEquals("<page home>v1 of footer</page>", pages.render("home"));
        String entry = engine().l2().keys().entry("page:home");
        assertEquals(1L, RedisSentinelSetup.command(SENTINELS.masterPort(), "EXISTS", entry),
                "written to the master the sentinels name");

        CmsCacheEngine other = instances.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> other.feed().isSubscribed());
            assertEquals("<page home>v1 of footer</page>", other.get("page", "home", String.class, () -> "not from Redis"));
            assertEquals(1, other.stats("page").l2Hits(), "a fresh instance found the page in Redis");

            blocks.save("footer");

            assertEquals(0L, RedisSentinelSetup.command(SENTINELS.masterPort(), "EXISTS", entry),
                    "the page made with the block is gone from Redis once the edit returns");
            assertEquals("<page home>v2 of footer</page>", pages.render("home"));
            // The other instance hears of the edit through pub/sub and drops its copy; it then reads the new page.
            await().atMost(Duration.ofSeconds(10)).until(() -> other.region("page").l1().get("page:home") == null);
            assertEquals("<page home>v2 of footer</page>", other.get("page", "home", String.class, () -> "not from Redis"));
        } finally {
            other.close();
        }
    }

    @Test
    void afterACleanFailoverCachedPagesAreServedAndAnEditIsNotLost() {
        assertEquals("<page about>v1 of header</page>", pages.render("about"));
        String entry = engine().l2().keys().entry("page:about");
        int before = SENTINELS.masterPort();

        int after = SENTINELS.failover();

        assertNotEquals(before, after);
        assertEquals(1L, RedisSentinelSetup.command(after, "EXISTS", entry), "nothing was lost in a clean failover");
        assertEquals("<page about>v1 of header</page>", pages.render("about"), "still served");
        CmsCacheEngine fresh = instances.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> fresh.feed().isSubscribed());
            assertEquals("<page about>v1 of header</page>", fresh.get("page", "about", String.class, () -> "not from Redis"),
                    "a fresh instance finds it in Redis");

            // At once: for up to quarkus.redis.topology-cache-ttl the client may still send to the old master, now a
            // replica that refuses writes; the invalidation must not be lost for that.
            blocks.save("header");

            assertEquals("<page about>v2 of header</page>", pages.render("about"), "the edit is served at once here");
            // The fresh instance drops its copy, and Redis no longer holds the old page (it holds the new one, or
            // nothing, and the loader renders the new one).
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals("<page about>v2 of header</page>",
                    fresh.get("page", "about", String.class, () -> "<page about>v2 of header</page>")));
        } finally {
            fresh.close();
        }
        // New content is written where the sentinels say the master is.
        AtomicInteger attempt = new AtomicInteger();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            String id = "contact-" + attempt.incrementAndGet();
            cache.get("page", id, String.class, () -> "<page " + id + ">");
            return RedisSentinelSetup.command(after, "EXISTS", engine().l2().keys().entry("page:" + id)).equals(1L);
        });
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
