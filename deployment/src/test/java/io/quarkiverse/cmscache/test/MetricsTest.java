package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * With quarkus-micrometer, the cache's meters count a scripted sequence of reads, loads and invalidations, and show up
 * in {@code /q/metrics} in the Prometheus format.
 */
public class MetricsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, EditableBlocks.class));

    @Inject
    EditableBlocks blocks;

    @Inject
    CmsCache cache;

    @Inject
    MeterRegistry registry;

    @Inject
    OtherInstance instances;

    RequiredSearch meter(String name, String... tags) {
        return registry.get("cms.cache." + name).tags(tags);
    }

    double gets(String level, String result) {
        return meter("gets", "region", "block", "level", level, "result", result).functionCounter().count();
    }

    @Test
    void scriptedSequenceIsCounted() {
        CmsCacheEngine engine = (CmsCacheEngine) cache;
        blocks.html("a"); // L1 miss, Redis miss, load
        blocks.html("a"); // L1 hit
        blocks.html("b"); // L1 miss, Redis miss, load
        engine.region("block").l1().clear();
        blocks.html("a"); // L1 miss, Redis hit

        assertEquals(1, gets("l1", "hit"));
        assertEquals(3, gets("l1", "miss"));
        assertEquals(1, gets("l2", "hit"));
        assertEquals(2, gets("l2", "miss"));
        assertEquals(2, meter("loads", "region", "block").functionTimer().count());
        assertEquals(1, meter("size", "region", "block", "level", "l1").gauge().value());

        blocks.save("a");

        assertEquals(1, meter("invalidations", "trigger", "method", "origin", "local").counter().count());
        assertEquals(1, meter("evictions", "region", "block", "cause", "invalidation").functionCounter().count());
        assertEquals(0, meter("size", "region", "block", "level", "l1").gauge().value());
        var l1Evicted = meter("invalidation.evicted", "level", "l1").summary();
        assertEquals(1, l1Evicted.count());
        assertEquals(1, l1Evicted.totalAmount());
        assertEquals(1, meter("invalidation.evicted", "level", "l2").summary().totalAmount(), "block:a in Redis");
        assertEquals(1, meter("l2.state", "state", "up").gauge().value());
        assertEquals(0, meter("l2.state", "state", "down").gauge().value());
        assertEquals(1, meter("l2.circuit", "state", "closed").gauge().value());
        assertEquals(0, meter("l2.commands", "state", "waiting").gauge().value());
        assertEquals(0, meter("l2.commands.rejected").functionCounter().count());
        // Published (a missing meter throws); their counts depend on what earlier tests left in the shared Redis.
        assertTrue(meter("l2.swept", "kind", "tag-set-member").functionCounter().count() >= 0);
        assertTrue(meter("l2.swept", "kind", "tag-version").functionCounter().count() >= 0);
        assertTrue(meter("l2.drained").functionCounter().count() >= 0);
        assertEquals(0, meter("l2.pending").gauge().value());
        assertEquals(0, meter("l2.generations").functionCounter().count(), "Redis never went back in time");
        assertEquals(0, meter("l2.invalidations.unreplicated").gauge().value(), "no replica, nothing kept");
        assertEquals(0, meter("l2.errors", "region", "block").functionCounter().count());

        blocks.html("b"); // L1 miss (cleared above), Redis hit
        CmsCacheEngine other = instances.start();
        try {
            await().until(() -> other.feed().isSubscribed());
            other.invalidate("block", "b");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> meter("invalidation.delay").timer().count() == 1);
        } finally {
            other.close();
        }
        assertEquals(1, meter("invalidations", "trigger", "api", "origin", "remote").counter().count());
        assertEquals(1, meter("invalidation.delay").timer().count());
        assertEquals(2, meter("evictions", "region", "block", "cause", "invalidation").functionCounter().count());

        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("cms_cache_gets_total{level=\"l1\",region=\"block\",result=\"hit\"} 1.0"))
                .body(containsString("cms_cache_gets_total{level=\"l2\",region=\"block\",result=\"hit\"} 2.0"))
                .body(containsString("cms_cache_invalidations_total{origin=\"local\",trigger=\"method\"} 1.0"))
                .body(containsString("cms_cache_loads_seconds_count{region=\"block\"} 2.0"))
                .body(containsString("cms_cache_invalidation_delay_seconds_count 1"));
    }
}
