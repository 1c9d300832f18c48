package io.quarkiverse.cmscache.sample;

import static io.quarkiverse.cmscache.sample.Editor.page;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkiverse.cmscache.sample.content.Block;
import io.quarkiverse.cmscache.sample.content.Translation;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

/**
 * Another service changes the content in the database and says so on RabbitMQ: the site drops exactly what the
 * message names.
 */
@QuarkusTest
@WithTestResource(FreshCacheNamespace.class)
class ContentChangeMessagesTest {

    static final String EXCHANGE = "cms-content-changes";

    @Inject
    Vertx vertx;

    RabbitMQClient rabbit;

    @BeforeEach
    void connect() {
        Editor.reset();
        rabbit = RabbitMQClient.create(vertx, new RabbitMQOptions().setHost("localhost").setPort(5672)
                .setUser("guest").setPassword("guest"));
        rabbit.startAndAwait();
    }

    @AfterEach
    void disconnect() {
        rabbit.stopAndAwait();
    }

    void publish(String json) {
        rabbit.basicPublishAndAwait(EXCHANGE, "", Buffer.buffer(json));
    }

    @Test
    void blockChangedElsewhereIsInvalidatedByItsMessage() {
        assertTrue(page("/").contains("Served from the Quarkus CMS cache"));
        QuarkusTransaction.requiringNew().run(
                () -> Block.update("content = ?1 where id = ?2", "<footer>Changed by the editing service</footer>",
                        "footer"));
        assertTrue(page("/").contains("Served from the Quarkus CMS cache"), "the cache does not know yet");

        publish("{\"type\": \"block\", \"id\": \"footer\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> page("/").contains("Changed by the editing service"));
    }

    @Test
    void translationMessageNamesOneLanguage() {
        assertTrue(page("/?lang=de").contains("Willkommen"));
        assertTrue(page("/?lang=fr").contains("Bienvenue"));
        QuarkusTransaction.requiringNew().run(() -> {
            Translation.update("text = ?1 where handle = ?2", "Changed", "welcome");
        });

        publish("{\"tags\": [\"translation:demo:welcome:de\"]}");

        await().atMost(Duration.ofSeconds(10)).until(() -> page("/?lang=de").contains("<h1>Changed</h1>"));
        assertTrue(page("/?lang=fr").contains("Bienvenue"), "the French page was not named, so it is still cached");
    }
}
