package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsDependencies;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * Bad input loses nothing: hostile key parts neither collide nor act as patterns, a Redis value that no longer
 * deserializes is a miss (deleted and counted), an oversize value is served but not cached, and a bad tag is refused
 * with a message naming it.
 */
public class BadInputTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"tiny\".max-value-size", "64B")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Pages.class,
                    PageV1.class, PageV2.class));

    @Inject
    Pages pages;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    Redis redis;

    @Test
    void hostileKeyPartsGetEntriesOfTheirOwn() {
        List<String> ids = List.of("*", "a:b", "a", "b", "?", "[x]", "{slot}", "two words", "line\nbreak", "日本", "");
        for (String id : ids) {
            assertEquals("page " + id, pages.title(id));
        }
        for (String id : ids) {
            assertEquals("page " + id, pages.title(id));
        }
        assertEquals(ids.size(), pages.loads(), "one load per distinct id, none shared");
        assertEquals("page a b", pages.pair("a", "b"), "two parts a, b");
        assertEquals(ids.size() + 1, pages.loads(), "is not the one part 'a:b'");

        cache.invalidate("title", "*");
        for (String id : ids) {
            pages.title(id);
        }
        assertEquals(ids.size() + 2, pages.loads(), "invalidating the id '*' evicted that entry only");
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        assertTrue(engine.l2().read(CmsCache.tag("title", "a:b")).await().indefinitely() != null,
                "and Redis still holds the others");
    }

    @Test
    void corruptRedisValueIsAMissDeletedAndCounted() {
        cache.get("page", "home", String.class, () -> "home v1");
        redis.send(Request.cmd(Command.HSET).arg(entryKey("page:home")).arg("v").arg("{not json"))
                .await().indefinitely();
        CmsCacheEngine other = instances.start();
        try {
            AtomicInteger loads = new AtomicInteger();

            String read = other.get("page", "home", String.class, () -> "home v" + (1 + loads.incrementAndGet()));

            assertEquals("home v2", read, "a miss: the value was loaded again, without an exception");
            assertEquals(1, other.stats("page").corruptEntries());
            assertEquals("home v2", other.get("page", "home", String.class, () -> "unused"));
        } finally {
            other.close();
        }
    }

    @Test
    void valueOfAClassWhoseShapeChangedIsAMiss() {
        cache.get("page", "about", PageV1.class, () -> new PageV1("About", "We make sites"));
        // The same class in the next release, with another shape: the stored type name is the one now read.
        String meta = "1 0 " + System.currentTimeMillis() + " 0 "
                + ((CmsCacheEngine) cache).codec().valueType(PageV2.class).storedName();
        redis.send(Request.cmd(Command.HSET).arg(entryKey("page:about")).arg("m").arg(meta))
                .await().indefinitely();
        CmsCacheEngine other = instances.start();
        try {
            PageV2 read = other.get("page", "about", PageV2.class, () -> new PageV2("About", "We make sites", "Us"));

            assertEquals("Us", read.summary(), "the old shape was not read with a missing field");
            assertEquals(1, other.stats("page").corruptEntries());
        } finally {
            other.close();
        }
    }

    @Test
    void textIsStoredAsTextAndOlderJsonEntriesStillRead() {
        cache.get("fragment", "nav", String.class, () -> "<nav>\u00e9t\u00e9</nav>");
        cache.put("fragment", "badge", "<b>7</b>");
        byte[] stored = redis.send(Request.cmd(Command.HGET).arg(entryKey("fragment:nav")).arg("v"))
                .await().indefinitely().toBytes();
        assertEquals(1, stored[0], "a marker byte, then the UTF-8 text, not a JSON string");
        assertEquals("<nav>\u00e9t\u00e9</nav>", new String(stored, 1, stored.length - 1, StandardCharsets.UTF_8));

        // An entry as versions before the text format wrote it: the value is a JSON string.
        redis.send(Request.cmd(Command.HSET).arg(entryKey("fragment:legacy"))
                .arg("m").arg("1 0 " + System.currentTimeMillis() + " 0").arg("t").arg(" fragment:legacy @fragment ")
                .arg("v").arg("\"<p>legacy</p>\"")).await().indefinitely();
        CmsCacheEngine other = instances.start();
        try {
            assertEquals("<nav>\u00e9t\u00e9</nav>", other.get("fragment", "nav", String.class, () -> "unused"));
            assertEquals("<p>legacy</p>", other.get("fragment", "legacy", String.class, () -> "unused"));
            assertEquals(0, other.stats("fragment").loads());

            // Text read as another type is a miss, like any value that does not fit.
            assertEquals(7, other.get("fragment", "badge", Integer.class, () -> 7));
            assertEquals(1, other.stats("fragment").corruptEntries());
        } finally {
            other.close();
        }
    }

    @Test
    void oversizeValueIsServedButNotCached() {
        AtomicInteger loads = new AtomicInteger();
        String big = "x".repeat(1000);
        for (int i = 0; i < 2; i++) {
            assertEquals(big, cache.get("tiny", "big", String.class, () -> {
                loads.incrementAndGet();
                return big;
            }));
        }
        assertEquals(2, loads.get());
        assertEquals(2, cache.stats("tiny").oversizeSkipped());
        assertNull(((CmsCacheEngine) cache).l2().read("tiny:big").await().indefinitely());
        assertEquals("small", cache.get("tiny", "small", String.class, () -> "small"));
        assertEquals("small", cache.get("tiny", "small", String.class, () -> "not cached?"));
    }

    @Test
    void badTagsAreRefusedNamingTheTag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cache.invalidateTags("menu main"));
        assertTrue(e.getMessage().contains("'menu main'"), e.getMessage());
        IllegalArgumentException inComputation = assertThrows(IllegalArgumentException.class,
                () -> cache.get("page", "tagged", String.class, () -> {
                    CmsDependencies.add("block:*");
                    return "never cached";
                }));
        assertTrue(inComputation.getMessage().contains("'block:*'"), inComputation.getMessage());
        assertEquals("ok", cache.get("page", "tagged", String.class, () -> "ok"), "nothing was cached");
    }

    public record PageV1(String title, String body) {
    }

    public record PageV2(String title, String body, String summary) {
    }

    @ApplicationScoped
    static class Pages {
        final AtomicInteger loads = new AtomicInteger();

        @CmsCached(region = "title")
        String title(@CmsKey String id) {
            loads.incrementAndGet();
            return "page " + id;
        }

        @Inject
        CmsCache cache;

        /** A key of two parts in the region of {@link #title}: through the API, as the region has one method. */
        String pair(String first, String second) {
            return cache.get("title", CmsCache.key(first, second), String.class, () -> {
                loads.incrementAndGet();
                return "page " + first + " " + second;
            });
        }

        int loads() {
            return loads.get();
        }
    }

    /** @return the Redis key of an entry, in its slot group */
    private String entryKey(String key) {
        return ((CmsCacheEngine) cache).l2().keys().entry(key);
    }
}
