package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySource;

/**
 * Messages on the configured content-change channel invalidate the content they name, in L1 and Redis; messages the
 * cache cannot read are logged and skipped without stopping the channel.
 */
public class ContentChangesTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.content-changes.channel", "content-changes")
            .overrideConfigKey("mp.messaging.incoming.content-changes.connector", "smallrye-in-memory")
            .setLogRecordPredicate(record -> record.getLoggerName().endsWith("ContentChanges"))
            .assertLogRecords(records -> assertTrue(records.stream()
                    .anyMatch(record -> Arrays.toString(record.getParameters()).contains("menu contact")),
                    "the message with an invalid tag was logged with its payload"))
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    @Inject
    @Any
    InMemoryConnector connector;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    void awaitEvicted(String region, String key) {
        await().atMost(Duration.ofSeconds(5)).until(() -> engine().region(region).l1().get(key) == null
                && engine().l2().read(key).await().indefinitely() == null);
    }

    @Test
    void changesNamedByTypeIdAndLanguageOrByTagsAreInvalidated() {
        InMemorySource<String> changes = connector.source("content-changes");
        cache.put("block", "header", "<header/>");
        cache.put("translation", CmsCache.key("welcome", "de"), "Willkommen");
        cache.put("translation", CmsCache.key("welcome", "en"), "Welcome");
        cache.put("page", "home", "<home/>", "menu:main");
        cache.put("page", "about", "<about/>", "menu:footer");

        changes.send("{\"type\": \"block\", \"id\": \"header\"}");
        awaitEvicted("block", "block:header");

        changes.send("{\"type\": \"translation\", \"id\": \"welcome\", \"lang\": \"de\"}");
        awaitEvicted("translation", "translation:welcome:de");
        assertNotNull(engine().region("translation").l1().get("translation:welcome:en"), "only the German one");

        changes.send("not json at all");
        changes.send("{\"id\": \"no type\"}");
        changes.send("[{\"tags\": [\"menu:main\"]}, {\"type\": \"page\", \"id\": \"nowhere\"}]");
        awaitEvicted("page", "page:home");
        assertNotNull(engine().region("page").l1().get("page:about"), "the channel kept going and stayed precise");
    }

    @Test
    void numericIdsNameTheSameEntryAsTheirText() {
        cache.put("page", 42, "<page 42/>");
        assertNotNull(engine().region("page").l1().get("page:42"));

        connector.<String> source("content-changes").send("{\"type\": \"page\", \"id\": 42}");

        awaitEvicted("page", "page:42");
    }

    @Test
    void messageWithAnInvalidTagIsLoggedAndAcknowledgedAndTheChannelKeepsGoing() {
        InMemorySource<Message<String>> changes = connector.source("content-changes");
        cache.put("page", "contact", "<contact/>", "menu:contact");
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();

        changes.send(Message.of("{\"tags\": [\"menu contact\", \"menu:*\"]}", () -> {
            acknowledged.complete(null);
            return CompletableFuture.completedFuture(null);
        }));
        changes.send(Message.of("{\"tags\": [\"menu:contact\"]}"));

        awaitEvicted("page", "page:contact");
        assertTrue(acknowledged.isDone(), "the unreadable message was acknowledged, as the docs promise");
        // That it was logged, with its payload, is checked once the application stopped: see assertLogRecords.
    }
}
