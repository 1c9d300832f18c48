package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The namespace's slot migrated to another master while the application reads and edits (the client meets
 * {@code ASK}, {@code TRYAGAIN} and {@code MOVED}): no caller sees an exception, the editing instance never serves a
 * page older than its last completed edit, no invalidation is lost -- the other instance converges on every page's
 * current version -- and afterwards the namespace lives on the new master.
 */
public class ClusterReshardingTest {

    static final RedisClusterSetup CLUSTER = RedisClusterSetup.named("cluster-resharding");

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.clusterUnitTest(CLUSTER)
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, RedisClusterSetup.class,
                    RedisSentinelSetup.class, RedisFailureTest.class, LocalRedisServer.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    @RedisClientName("other")
    Redis otherClient;

    @AfterAll
    static void stopCluster() {
        CLUSTER.stop();
    }

    @Test
    void aSlotMigratedUnderLoadLosesNoInvalidationAndServesNothingStale() throws Exception {
        CmsCacheEngine editor = (CmsCacheEngine) cache;
        await().atMost(Duration.ofSeconds(15)).until(() -> editor.l2State() == L2State.UP);
        CmsCacheEngine other = instances.startWith(otherClient);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> other.l2State() == L2State.UP);
            // The slot group of one of the pages: its entries, tag sets and tag versions move together.
            RedisKeyspace.Group group = editor.l2().keys().groupOf("pages:page-0");
            int slot = CLUSTER.slotOf(group.name());
            int from = CLUSTER.masterOf(slot);
            int to = CLUSTER.masterPorts().stream().filter(port -> port != from).findFirst().orElseThrow();

            // Enough keys in the slot that its migration takes a while (batches of 100), with keys on both sides.
            int fillers = 0;
            for (int i = 0; fillers < 3_000; i++) {
                if (editor.l2().keys().groupOf("filler:f" + i).equals(group)) {
                    cache.put("filler", "f" + i, "filler " + i);
                    fillers++;
                }
            }
            RedisFailureTest.Load load = new RedisFailureTest.Load(cache);
            RedisFailureTest.Load otherReads = new RedisFailureTest.Load(other);
            load.start(3);
            otherReads.startReaders(2, load);
            long moved;
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> load.reads.get() > 200 && load.invalidations.get() > 5);
                moved = CLUSTER.migrateSlot(slot, from, to);
                long readsAfter = load.reads.get();
                int editsAfter = load.invalidations.get();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> load.reads.get() > readsAfter + 200 && load.invalidations.get() > editsAfter + 5);
            } finally {
                load.stop();
                otherReads.stop();
            }
            assertTrue(moved > 3_000, "the slot held the group's keys: " + moved);
            assertEquals(List.of(), load.failures, "no caller saw an exception");
            assertEquals(List.of(), otherReads.failures, "no caller saw an exception");
            assertEquals(List.of(), load.wrongValues, "the editing instance never served a page older than its edit");

            // Every edit reached the other instance: it converges on each page's current version.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (int page = 0; page < RedisFailureTest.Load.PAGES; page++) {
                    int current = load.versions.get(page).get();
                    int p = page;
                    assertEquals("page-" + page + " v" + current, other.get("pages", "page-" + page, String.class,
                            () -> "page-" + p + " v" + load.versions.get(p).get()));
                }
            });
            Map<Integer, Long> keys = CLUSTER.keysPerMaster(RedisL2.globEscape(group.name()) + "*");
            assertEquals(0L, keys.get(from), "nothing of the group left on the old master: " + keys);
            assertNotEquals(0L, keys.get(to), "the group lives on the new master: " + keys);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> editor.l2State() == L2State.UP && other.l2State() == L2State.UP);
        } finally {
            other.close();
        }
    }
}
