package io.quarkiverse.cmscache.sample;

import static io.quarkiverse.cmscache.sample.Editor.saveBlock;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.specification.RequestSpecification;

/**
 * Two processes of the packaged site share PostgreSQL, Redis and RabbitMQ: the second serves what the first rendered
 * without touching the database, and shows an edit made on the first within 200 ms.
 */
@QuarkusIntegrationTest
@WithTestResource(FreshCacheNamespace.class)
class TwoInstancesIT {

    static Process second;
    static int secondPort;

    @BeforeAll
    static void startSecondInstance() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            secondPort = socket.getLocalPort();
        }
        List<String> command = List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-Dquarkus.http.port=" + secondPort,
                "-Dquarkus.cms-cache.key-prefix=" + System.getProperty(FreshCacheNamespace.PROPERTY),
                // The first instance owns the schema.
                "-Dquarkus.hibernate-orm.database.generation=none",
                "-Dcms-sample.insight.enabled=true",
                "-jar", "target/quarkus-app/quarkus-run.jar");
        second = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File("target/second-instance.log")).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> onSecond().get("/insight/loads").statusCode() == 200);
    }

    @AfterAll
    static void stopSecondInstance() throws InterruptedException {
        if (second != null) {
            second.destroy();
            second.waitFor();
        }
    }

    static RequestSpecification onSecond() {
        return given().port(secondPort);
    }

    static Map<String, Integer> loadsOnSecond() {
        return onSecond().get("/insight/loads").then().statusCode(200).extract().jsonPath().getMap("", String.class,
                Integer.class);
    }

    @BeforeEach
    void seed() {
        Editor.reset();
        onSecond().delete("/insight/loads").then().statusCode(204);
    }

    @Test
    void secondInstanceServesWhatTheFirstRenderedWithoutTheDatabase() {
        String first = Editor.page("/about");

        String served = onSecond().get("/about").then().statusCode(200).extract().asString();

        assertEquals(first, served);
        assertEquals(Map.of(), loadsOnSecond(), "nothing ran on the second instance: it all came from Redis");
    }

    @Test
    void editOnTheFirstInstanceShowsOnTheSecondWithin200Milliseconds() {
        for (int i = 0; i < 5; i++) {
            onSecond().get("/about").then().statusCode(200);
        }
        assertTrue(onSecond().get("/about").asString().contains("Ana, Ben"));

        saveBlock("team", "<p>Edited on the first instance.</p>");

        await().atMost(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(5))
                .until(() -> onSecond().get("/about").asString().contains("Edited on the first instance."));
    }
}
