package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * A Redis that may evict the cache's tag sets and versions (a memory limit with an {@code allkeys-*} policy) is not
 * used as the second level: named at start-up with what to set instead, reported by the health check, and used again
 * as soon as its policy is fixed.
 */
public class EvictionPolicyTest {

    static final LocalRedisServer REDIS = LocalRedisServer.named("eviction");

    static {
        REDIS.configure("maxmemory", "64mb");
        REDIS.configure("maxmemory-policy", "allkeys-lru");
    }

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, LocalRedisServer.class))
            .setLogRecordPredicate(record -> record.getLevel().intValue() >= Level.WARNING.intValue()
                    && record.getMessage() != null && record.getMessage().contains("maxmemory-policy"))
            .assertLogRecords(records -> assertTrue(records.stream()
                    .anyMatch(record -> String.valueOf(record.getParameters()[0]).equals("allkeys-lru")
                            && record.getMessage().contains("volatile-lru")
                            && record.getMessage().contains("does not use Redis")),
                    "a warning names the policy and what to set"));

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @Inject
    CmsCache cache;

    @Test
    void redisThatMayEvictTheCachesMetadataIsNotUsedUntilItsPolicyIsFixed() {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> RestAssured.get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'CMS cache' }.data.eviction", equalTo("unsafe (allkeys-lru)"))
                .body("checks.find { it.name == 'CMS cache' }.data.l2", equalTo("refused"))
                .body("checks.find { it.name == 'CMS cache' }.data.replication", equalTo("none")));

        assertEquals("refused v1", cache.get("pages", "refused", String.class, () -> "refused v1"));
        assertEquals("refused v1", cache.get("pages", "refused", String.class, () -> "refused v2"), "from L1");
        assertFalse(REDIS.exists(engine.l2().keys().entry("pages:refused")), "not stored in Redis");
        cache.invalidate("pages", "refused");
        assertEquals("refused v3", cache.get("pages", "refused", String.class, () -> "refused v3"));

        REDIS.configure("maxmemory-policy", "volatile-lru");
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.l2State() == L2State.UP);
        assertEquals("used v1", cache.get("pages", "used", String.class, () -> "used v1"));
        assertTrue(REDIS.exists(engine.l2().keys().entry("pages:used")), "stored in Redis once the policy is safe");
    }
}
