package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.invalidation.InvalidationRecord;
import io.quarkiverse.cmscache.runtime.invalidation.Trigger;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Every invalidation is recorded with its trigger, origin and evictions, in this instance's log and in the Redis log
 * every instance reads, which is capped at {@code invalidation.log-size}.
 */
public class InvalidationLogTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.invalidation.log-size", "5")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, EditableBlocks.class));

    @Inject
    EditableBlocks blocks;

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    InvalidationRecord newest() {
        return engine().invalidator().log().recent(1).get(0);
    }

    @Test
    void annotatedMethodInvalidationIsRecordedWithItsEvictions() {
        blocks.html("header");
        cache.get("rendered", "home", String.class, () -> "<h1>" + blocks.html("header") + "</h1>");

        blocks.save("header");

        InvalidationRecord record = newest();
        assertEquals(List.of("block:header"), record.tags());
        assertEquals(new Trigger(Trigger.Kind.METHOD, "EditableBlocks.save"), record.trigger());
        assertEquals(engine().instanceId(), record.origin());
        assertEquals(2, record.l1Evicted(), "the block and the page using it");
        assertEquals(2, record.redisDeleted());
        assertTrue(record.sequence() > 0);

        List<InvalidationRecord> shared = engine().invalidator().log().history(10).await().indefinitely();
        assertEquals(record, shared.get(0), "the Redis log entry, completed with this instance's L1 evictions");
    }

    @Test
    void otherInstancesInvalidationIsLoggedHereWithWhatItEvictedHere() {
        blocks.html("footer");
        CmsCacheEngine other = instances.start();
        try {
            await().until(() -> other.feed().isSubscribed());
            other.invalidate("block", "footer");

            await().atMost(Duration.ofSeconds(5)).until(() -> newest().tags().equals(List.of("block:footer")));
            InvalidationRecord record = newest();
            assertEquals(other.instanceId(), record.origin());
            assertEquals(Trigger.API, record.trigger());
            assertEquals(1, record.l1Evicted());
            assertEquals(-1, record.redisDeleted(), "unknown here: the message leaves before the slot groups delete");

            InvalidationRecord there = other.invalidator().log().recent(1).get(0);
            assertEquals(record.sequence(), there.sequence());
            assertEquals(1, there.redisDeleted(), "the invalidating instance knows what its slot groups deleted");
            assertEquals(0, there.l1Evicted(), "the other instance had nothing in its L1");
        } finally {
            other.close();
        }
    }

    @Test
    void redisKeepsTheLastInvalidationsOfAllInstances() {
        for (int i = 0; i < 8; i++) {
            cache.invalidate("block", "b" + i);
        }
        CmsCacheEngine other = instances.start();
        try {
            List<InvalidationRecord> history = other.invalidator().log().history(100).await().indefinitely();
            assertEquals(5, history.size(), "capped at log-size");
            assertEquals(List.of("block:b7"), history.get(0).tags(), "newest first");
            assertEquals(engine().instanceId(), history.get(0).origin());
            assertEquals(-1, history.get(0).l1Evicted(), "the other instance did not apply it");
            assertEquals(Trigger.API, history.get(0).trigger());
        } finally {
            other.close();
        }
    }
}
