package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Redis;

/**
 * A cluster failover that loses the edit: the replicas of every master are stopped and their links cut, a block is
 * edited, every master is killed, and replicas that never received the edit take over, with the pages the edit
 * deleted, the tag versions it set and an older invalidation sequence. From 200 ms after the edit returned, neither of
 * two instances serves the old content, and the first edit after the failover reaches the other instance.
 * {@code ClusterGroupFailoverTest} loses the edit on one master only, which does not hold the control slot.
 */
public class ClusterFailoverTest {

    static final RedisClusterSetup CLUSTER = RedisClusterSetup.named("cluster-failover");
    static final int PAGES = 20;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.clusterUnitTest(CLUSTER)
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, RedisClusterSetup.class,
                    RedisSentinelSetup.class));

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
    void aFailoverThatLosesTheEditServesNothingOldAfterIt() throws Exception {
        loseTheEditIn(CLUSTER, CLUSTER.masterPorts(), (CmsCacheEngine) cache, instances, otherClient);
    }

    /**
     * Caches pages made of two blocks on two instances, edits a block while the given masters cannot replicate, kills
     * them and promotes their replicas, and checks that nothing old is served from 200 ms after the edit returned.
     */
    static void loseTheEditIn(RedisClusterSetup cluster, List<Integer> masters, CmsCacheEngine editor,
            OtherInstance instances, Redis otherClient) throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> editor.l2State() == L2State.UP);
        CmsCacheEngine reader = instances.startWith(otherClient);
        AtomicReference<String> footer = new AtomicReference<>("footer v1");
        AtomicReference<String> header = new AtomicReference<>("header v1");
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> reader.l2State() == L2State.UP);
            for (int i = 0; i < 2 * PAGES; i++) {
                page(editor, i, footer, header);
            }
            cluster.awaitReplicasInSync();
            List<Integer> replicas = new ArrayList<>();
            for (int master : masters) {
                replicas.add(cluster.stopReplicasOf(master).get(0));
                cluster.cutReplicaLinks(master);
            }
            footer.set("footer v2");
            editor.invalidate("block", "footer");
            long editReturned = System.nanoTime();

            List<String> wrong = new ArrayList<>();
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread readers = new Thread(() -> {
                while (System.nanoTime() - editReturned < Duration.ofMillis(200).toNanos()) {
                    Thread.onSpinWait();
                }
                while (reading.get()) {
                    for (int i = 0; i < PAGES; i++) {
                        for (CmsCache instance : List.of(reader, editor)) {
                            check(wrong, page(instance, i, footer, header));
                        }
                    }
                }
            });
            readers.start();
            for (int master : masters) {
                cluster.killMaster(master);
            }
            cluster.continueReplicas();
            for (int replica : replicas) {
                cluster.takeover(replica);
            }

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> editor.l2State() == L2State.UP && reader.l2State() == L2State.UP);
            reading.set(false);
            readers.join();
            for (int i = PAGES; i < 2 * PAGES; i++) {
                for (CmsCache instance : List.of(reader, editor)) {
                    check(wrong, page(instance, i, footer, header));
                }
            }
            assertEquals(List.of(), wrong, "pages served with the edit undone (the first 5)");

            assertEquals(page(0, "header v1", "footer v2"), page(reader, 0, footer, header));
            header.set("header v2");
            editor.invalidate("block", "header");
            await().atMost(Duration.ofSeconds(1)).until(() -> page(reader, 0, footer, header)
                    .equals(page(0, "header v2", "footer v2")));
        } finally {
            reader.close();
        }
    }

    private static void check(List<String> wrong, String served) {
        if (!served.contains("footer v2")) {
            synchronized (wrong) {
                if (wrong.size() < 5) {
                    wrong.add(served);
                }
            }
        }
    }

    private static String page(int i, String header, String footer) {
        return "<page " + i + ">" + header + "|" + footer + "</page>";
    }

    private static String page(CmsCache instance, int i, AtomicReference<String> footer,
            AtomicReference<String> header) {
        return instance.get("rendered", "page-" + i, String.class,
                () -> "<page " + i + ">" + instance.get("block", "header", String.class, header::get) + "|"
                        + instance.get("block", "footer", String.class, footer::get) + "</page>");
    }
}
