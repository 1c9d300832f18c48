package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * A Sentinel failover that loses writes: the replica is stopped and its link cut, a block is edited (the invalidation
 * returns without a replica's confirmation), the master is killed, and the sentinels promote the replica, which never
 * received the edit -- it still holds the pages the edit deleted, and an older invalidation sequence. From 200 ms
 * after the edit returned, neither of two instances serves the old content: not while Redis is away, and not from the
 * new master, read by an instance that does not hold the pages in its L1. The first edit after the failover reaches
 * the other instance too.
 */
public class SentinelFailoverTest {

    static final RedisSentinelSetup SENTINELS = RedisSentinelSetup.named("sentinel-failover");
    static final int PAGES = 20;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.client-type", "sentinel")
            .overrideConfigKey("quarkus.redis.hosts", SENTINELS.sentinelHosts())
            .overrideConfigKey("quarkus.redis.master-name", RedisSentinelSetup.MASTER_NAME)
            .overrideConfigKey("quarkus.redis.role", "master")
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, RedisSentinelSetup.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @AfterAll
    static void stopSentinels() {
        SENTINELS.stop();
    }

    @Test
    void aFailoverThatLosesTheEditServesNothingOldAfterIt() throws Exception {
        CmsCacheEngine editor = (CmsCacheEngine) cache;
        CmsCacheEngine reader = instances.start();
        AtomicReference<String> footer = new AtomicReference<>("footer v1");
        AtomicReference<String> header = new AtomicReference<>("header v1");
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> editor.l2State() == L2State.UP
                    && reader.l2State() == L2State.UP && editor.l2().replicas() == 1);
            // In Redis, written by the editor's instance: the reader holds none of them in its L1.
            for (int i = 0; i < 2 * PAGES; i++) {
                page(editor, i, footer, header);
            }
            String anEntry = editor.l2().keys().entry("rendered:page-0");
            assertEquals(1L, RedisSentinelSetup.command(SENTINELS.masterPort(), "EXISTS", anEntry));

            SENTINELS.stopReplica();
            SENTINELS.cutReplicaLink();
            footer.set("footer v2");
            editor.invalidate("block", "footer");
            long editReturned = System.nanoTime();
            assertEquals(1, editor.invalidator().unreplicated(), "no replica confirmed the edit");
            RestAssured.get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'CMS cache' }.data.replication", equalTo("1 unconfirmed"));

            // The first half of the pages is read all along the failover, from 200 ms after the edit returned.
            List<String> wrong = new ArrayList<>();
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread readers = new Thread(() -> {
                while (System.nanoTime() - editReturned < Duration.ofMillis(200).toNanos()) {
                    Thread.onSpinWait();
                }
                while (reading.get()) {
                    for (int i = 0; i < PAGES; i++) {
                        for (CmsCache instance : List.of(reader, editor)) {
                            check(wrong, page(instance, i, footer, header), i, "footer v2");
                        }
                    }
                }
            });
            readers.start();
            SENTINELS.killMaster();
            SENTINELS.continueReplica();
            int promoted = SENTINELS.awaitFailover(Duration.ofSeconds(30));
            assertEquals(1L, RedisSentinelSetup.command(promoted, "EXISTS", anEntry),
                    "the promoted replica still holds the pages the edit deleted");

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> editor.l2State() == L2State.UP && reader.l2State() == L2State.UP);
            reading.set(false);
            readers.join();
            // The second half: read for the first time by the reader, from the new master.
            for (int i = PAGES; i < 2 * PAGES; i++) {
                for (CmsCache instance : List.of(reader, editor)) {
                    check(wrong, page(instance, i, footer, header), i, "footer v2");
                }
            }
            assertEquals(List.of(), wrong, "pages served with the edit undone (the first 5)");

            // The first edit after the failover reaches the other instance.
            assertEquals(page(0, "header v1", "footer v2"), page(reader, 0, footer, header));
            header.set("header v2");
            editor.invalidate("block", "header");
            await().atMost(Duration.ofSeconds(1)).until(() -> page(reader, 0, footer, header)
                    .equals(page(0, "header v2", "footer v2")));
            assertTrue(editor.invalidator().unreplicated() <= 1, "sent again after the failover");
        } finally {
            reader.close();
            SENTINELS.restoreTopology();
        }
    }

    private static void check(List<String> wrong, String served, int i, String footer) {
        if (!served.contains(footer) && wrong.size() < 5) {
            synchronized (wrong) {
                wrong.add(served);
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
