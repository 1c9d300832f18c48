package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Redis coming back with older data: a crash of a Redis persisted with RDB snapshots, restarted from the last
 * snapshot. The invalidations made after the snapshot are lost in Redis -- the entries they deleted are back, and the
 * invalidation sequence is behind what the instances have seen. No instance may serve a value invalidated after the
 * snapshot, and the first edit after the restart must reach every instance.
 */
public class RedisRewindTest {

    static final LocalRedisServer REDIS = LocalRedisServer.snapshotting("rewind");

    static final int PAGES = 20;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.redis.hosts", REDIS.uri())
            .overrideConfigKey("quarkus.cms-cache.l2.timeout", "500ms")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, LocalRedisServer.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @AfterAll
    static void stopRedis() {
        REDIS.stop();
    }

    @Test
    void restartFromAnOlderSnapshotServesNothingInvalidatedAfterIt() {
        CmsCacheEngine editor = (CmsCacheEngine) cache;
        CmsCacheEngine reader = instances.start();
        try {
            AtomicReference<String> footer = new AtomicReference<>("footer v1");
            AtomicReference<String> header = new AtomicReference<>("header v1");
            // Rendered and stored in Redis by the editor's instance only: the reader has none of them in its L1.
            for (int i = 0; i < PAGES; i++) {
                assertEquals(page(i, "footer v1", "header v1"), page(editor, i, footer, header));
            }
            String anEntry = editor.l2().keys().entry("rendered:page-0");
            assertTrue(REDIS.exists(anEntry));
            REDIS.save();

            footer.set("footer v2");
            editor.invalidate("block", "footer");
            assertTrue(!REDIS.exists(anEntry), "the edit deleted the pages from Redis");

            REDIS.kill();
            REDIS.start();
            assertTrue(REDIS.exists(anEntry), "the snapshot brought the old pages back");

            // From the restart on, every read on either instance shows the edit: whether Redis is trusted yet or not.
            List<String> wrong = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until || reader.l2State() != L2State.UP || editor.l2State() != L2State.UP) {
                for (int i = 0; i < PAGES; i++) {
                    for (CmsCacheEngine instance : List.of(reader, editor)) {
                        String served = page(instance, i, footer, header);
                        if (!served.equals(page(i, "footer v2", "header v1")) && wrong.size() < 5) {
                            wrong.add(served);
                        }
                    }
                }
                if (System.nanoTime() - until > Duration.ofSeconds(20).toNanos()) {
                    break;
                }
            }
            assertEquals(List.of(), wrong, "pages served after the restart with the edit undone (the first 5)");
            assertEquals(L2State.UP, reader.l2State());
            assertEquals(1, reader.invalidator().generationsAdopted(), "one new generation, adopted once");
            assertEquals(1, editor.invalidator().generationsAdopted());

            // The first edit after the restart reaches the other instance, although Redis's sequence went back.
            header.set("header v2");
            editor.invalidate("block", "header");
            await().atMost(Duration.ofSeconds(2)).until(() -> page(reader, 0, footer, header)
                    .equals(page(0, "footer v2", "header v2")));
        } finally {
            reader.close();
        }
    }

    private static String page(int i, String footer, String header) {
        return "<page " + i + ">" + header + "|" + footer + "</page>";
    }

    private static String page(CmsCache instance, int i, AtomicReference<String> footer,
            AtomicReference<String> header) {
        return instance.get("rendered", "page-" + i, String.class,
                () -> "<page " + i + ">" + instance.get("block", "header", String.class, header::get) + "|"
                        + instance.get("block", "footer", String.class, footer::get) + "</page>");
    }
}
