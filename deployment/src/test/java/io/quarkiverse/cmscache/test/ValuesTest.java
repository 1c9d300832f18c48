package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Uni;

/**
 * Values go to Redis as JSON of the declared generic type and come back as the same type on another instance;
 * {@code null} is a negative entry unless the region turns negative caching off.
 */
public class ValuesTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.regions.\"lookup\".negative-caching", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Content.class,
                    Block.class, Menu.class));

    @Inject
    Content content;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Test
    void recordsAndCollectionsRoundTripThroughRedis() {
        List<Block> blocks = content.blocks("home");
        Map<String, List<Integer>> positions = content.positions("home");
        Menu menu = content.menu("main").await().atMost(Duration.ofSeconds(5));
        CmsCacheEngine other = instances.start();
        try {
            List<Block> read = other.get("blocks", "home", new TypeLiteral<List<Block>>() {
            }, () -> List.of());
            assertEquals(blocks, read);
            assertEquals(Block.class, read.get(0).getClass());
            assertEquals(positions, other.get("positions", "home", new TypeLiteral<Map<String, List<Integer>>>() {
            }, Map::of));
            assertEquals(menu, other.getAsync("menu", "main", Menu.class, () -> Uni.createFrom().nullItem())
                    .await().atMost(Duration.ofSeconds(5)));
            assertEquals(3, other.stats().values().stream().mapToLong(s -> s.l2Hits()).sum(),
                    "all three came from Redis");
        } finally {
            other.close();
        }
    }

    @Test
    void nullIsCachedAsANegativeEntry() {
        assertNull(content.find("ghost"));
        assertNull(content.find("ghost"));
        assertEquals(1, content.loads("ghost"));
        CmsCacheEngine other = instances.start();
        try {
            assertNull(other.get("find", "ghost", String.class, () -> "loaded again"), "from Redis, too");
        } finally {
            other.close();
        }
    }

    @Test
    void regionWithoutNegativeCachingLoadsNullEveryTime() {
        assertNull(content.lookup("ghost"));
        assertNull(content.lookup("ghost"));
        assertEquals(2, content.loads("lookup:ghost"));
    }

    @Test
    void optionalRoundTrips() {
        assertEquals(Optional.of("x"), cache.get("opt", "x", new TypeLiteral<Optional<String>>() {
        }, () -> Optional.of("x")));
        CmsCacheEngine other = instances.start();
        try {
            assertEquals(Optional.of("x"), other.get("opt", "x", new TypeLiteral<Optional<String>>() {
            }, Optional::empty));
        } finally {
            other.close();
        }
    }

    public record Block(String id, String html, List<String> tags) {
    }

    public record Menu(String name, List<Map.Entry<String, String>> items) {
        public Menu {
            items = List.copyOf(items);
        }
    }

    @ApplicationScoped
    static class Content {
        final Map<String, AtomicInteger> loads = new java.util.concurrent.ConcurrentHashMap<>();

        @CmsCached(region = "blocks")
        List<Block> blocks(String page) {
            return List.of(new Block("header", "<h1>Hi</h1>", List.of("global")), new Block("body", "<p/>", List.of()));
        }

        @CmsCached(region = "positions")
        Map<String, List<Integer>> positions(String page) {
            return Map.of("header", List.of(0), "body", List.of(1, 2));
        }

        @CmsCached(region = "menu")
        Uni<Menu> menu(String name) {
            return Uni.createFrom().item(new Menu(name, List.of(Map.entry("Home", "/"), Map.entry("Blog", "/blog"))));
        }

        @CmsCached(region = "find")
        String find(String id) {
            loads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return null;
        }

        @CmsCached(region = "lookup")
        String lookup(String id) {
            loads.computeIfAbsent("lookup:" + id, k -> new AtomicInteger()).incrementAndGet();
            return null;
        }

        int loads(String id) {
            return loads.getOrDefault(id, new AtomicInteger()).get();
        }
    }
}
