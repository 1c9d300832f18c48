package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * A lost invalidation message leaves a stale L1 entry only until the gap is noticed: the missing invalidation is
 * replayed from the Redis log, or, if the log no longer holds it, the whole L1 is dropped. A lost subscription is
 * re-established and reconciled.
 */
public class InvalidationFeedTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.invalidation.gap-timeout", "200ms")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class));

    @Inject
    CmsCache cache;

    @Inject
    Redis redis;

    @Inject
    OtherInstance instances;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    RedisKeyspace keys() {
        return engine().l2().keys();
    }

    Response send(Request request) {
        return redis.send(request).await().atMost(Duration.ofSeconds(5));
    }

    /** What an instance's invalidation does in Redis, minus the publication: a message lost on the way. */
    long invalidateWithoutPublishing(String tag) {
        long seq = send(Request.cmd(Command.INCR).arg(keys().sequence())).toLong();
        for (RedisKeyspace.Group group : keys().groups()) {
            send(Request.cmd(Command.SET).arg(group.tagVersion(tag)).arg(seq));
        }
        send(Request.cmd(Command.DEL).arg(keys().entry(tag)));
        send(Request.cmd(Command.LPUSH).arg(keys().log()).arg(seq + " lost-instance " + tag));
        return seq;
    }

    @Test
    void lostMessageIsReplayedFromTheLog() {
        cache.get("block", "lost", String.class, () -> "old");
        cache.get("block", "kept", String.class, () -> "kept");

        long seq = invalidateWithoutPublishing("block:lost");

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> engine().region("block").l1().get("block:lost") == null);
        // The feed evicts first and then records the invalidation as applied.
        await().atMost(Duration.ofSeconds(3)).until(() -> engine().invalidator().versions().basis() == seq);
        assertNotNull(engine().region("block").l1().get("block:kept"), "only the missed invalidation was applied");
    }

    @Test
    void gapTheLogNoLongerCoversDropsTheWholeL1() {
        cache.get("block", "a", String.class, () -> "a");
        cache.get("page", "b", String.class, () -> "b");

        invalidateWithoutPublishing("block:unrelated");
        invalidateWithoutPublishing("block:unrelated-too");
        send(Request.cmd(Command.DEL).arg(keys().log()));

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> engine().region("block").l1().size() == 0 && engine().region("page").l1().size() == 0);
        assertEquals("a", cache.get("block", "a", String.class, () -> "reloaded"), "Redis still had it");
    }

    @Test
    void lostSubscriptionIsRestoredAndWhatWasMissedIsApplied() {
        cache.get("block", "during-outage", String.class, () -> "old");
        CmsCacheEngine other = instances.start();
        try {
            killConnection(engine().feed().connectionName());
            other.invalidate("block", "during-outage");

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> engine().region("block").l1().get("block:during-outage") == null);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine().feed().isSubscribed());
        } finally {
            other.close();
        }
    }

    void killConnection(String name) {
        String clients = send(Request.cmd(Command.CLIENT).arg("LIST")).toString();
        for (String line : clients.split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' '));
                send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(id));
                return;
            }
        }
        throw new IllegalStateException("no connection named " + name + " in\n" + clients);
    }
}
