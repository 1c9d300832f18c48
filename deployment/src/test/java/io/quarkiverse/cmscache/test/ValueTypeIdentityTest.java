package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Rule 7, identity: an entry answers only reads of the type it was loaded as. The same key read with another type,
 * in L1 or in Redis, is a miss (and a warning), never an exception to the caller.
 */
public class ValueTypeIdentityTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Test
    void aKeyReadWithAnotherTypeInL1IsAMiss() {
        assertEquals("seven", cache.get("count", "a", String.class, () -> "seven"));

        Integer number = cache.get("count", "a", Integer.class, () -> 7);

        assertEquals(7, number);
        assertEquals(7, cache.get("count", "a", Integer.class, () -> -1), "now cached as an Integer");
    }

    @Test
    void aKeyReadWithAnotherGenericTypeIsAMiss() {
        List<String> list = cache.get("shape", "b", new TypeLiteral<List<String>>() {
        }, () -> List.of("x", "y"));
        assertEquals(List.of("x", "y"), list);

        Map<String, String> map = cache.get("shape", "b", new TypeLiteral<Map<String, String>>() {
        }, () -> Map.of("x", "y"));

        assertEquals(Map.of("x", "y"), map);
    }

    @Test
    void aKeyStoredInRedisAsAnotherTypeIsAMissOnAnotherInstance() {
        assertEquals(List.of("x"), cache.get("redis-shape", "c", new TypeLiteral<List<String>>() {
        }, () -> List.of("x")));
        CmsCacheEngine other = instances.start();
        try {
            Map<String, Integer> read = other.get("redis-shape", "c", new TypeLiteral<Map<String, Integer>>() {
            }, () -> Map.of("x", 1));

            assertEquals(Map.of("x", 1), read);
            assertEquals(0, other.stats("redis-shape").corruptEntries(), "another type is not a corrupt entry");
        } finally {
            other.close();
        }
    }
}
