package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * A Redis that may evict the cache's tag sets and versions (a memory limit with an evicting policy, as managed Redis
 * services have by default) is named at start-up, with what to set instead, and reported by the health check.
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
                            && record.getMessage().contains("noeviction")),
                    "a warning names the policy and what to set"));

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @Test
    void healthReportsThatRedisMayEvictTheCachesMetadata() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> RestAssured.get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'CMS cache' }.data.eviction", equalTo("unsafe (allkeys-lru)")));
    }
}
