package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.QuarkusDevModeTest;
import io.restassured.RestAssured;

/**
 * The Dev UI inspector's JSON-RPC methods, in dev mode, on an application that caches pages built from blocks in L1
 * and the real Redis. The methods are called as the inspector's pages call them, through the Dev UI's JSON-RPC
 * websocket ({@link DevUIJsonRpcClient}).
 */
public class DevUIInspectorTest {

    // A generous Redis timeout: the first commands of a cold dev mode application can take longer than the default
    // 500 ms on a busy 2-core machine. The feed then cannot read the invalidation sequence at start-up, reconciles a
    // moment later by dropping L1 (as it should), and the start-up fill racing that drop leaves fewer pages than the
    // counts below expect.
    @RegisterExtension
    static final QuarkusDevModeTest app = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar.addClasses(InspectedSite.class, InspectedSite.Blocks.class,
                    InspectedSite.Pages.class, InspectedSite.Editor.class, InspectedSite.Content.class)
                    .addAsResource(new StringAsset("""
                            quarkus.devservices.enabled=false
                            quarkus.redis.hosts=redis://localhost:6379
                            quarkus.cms-cache.key-prefix=%s
                            quarkus.cms-cache.l2.timeout=2s
                            """.formatted(TestRedis.freshPrefix())), "application.properties"));

    DevUIJsonRpcClient devUi;

    @BeforeEach
    void openDevUi() throws Exception {
        devUi = DevUIJsonRpcClient.connect("quarkus-cms-cache");
    }

    @AfterEach
    void closeDevUi() {
        devUi.close();
    }

    JsonNode call(String method) throws Exception {
        return devUi.call(method);
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        return devUi.call(method, params);
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    @Test
    void inspectorExplainsTheCacheAndInvalidates() throws Exception {
        JsonNode regions = call("getRegions");
        assertEquals("up", regions.get("l2State").asText());
        List<String> names = new ArrayList<>();
        regions.get("regions").forEach(r -> names.add(r.get("region").asText()));
        assertTrue(names.containsAll(List.of("block", "page")), names.toString());
        JsonNode page = null;
        for (JsonNode r : regions.get("regions")) {
            if (r.get("region").asText().equals("page")) {
                page = r;
            }
        }
        assertEquals(3, page.get("l1Entries").asLong());
        assertEquals(3, page.get("loads").asLong());

        // Dependencies: the pages built with the header, grouped by region, from L1 and Redis.
        JsonNode dependents = call("getDependents", Map.of("tag", "block:header"));
        assertEquals(List.of("block:header"), texts(dependents.get("regions").get("block")));
        assertEquals(List.of("page:about", "page:home"), texts(dependents.get("regions").get("page")));

        // Entries: search by prefix in a region, then one entry in detail.
        JsonNode found = call("searchEntries", Map.of("region", "page", "query", "ho", "contains", false, "page", 0,
                "size", 10));
        assertEquals(1, found.get("items").size());
        assertEquals("page:home", found.get("items").get(0).get("key").asText());
        assertEquals(List.of("L1", "Redis"), texts(found.get("items").get(0).get("levels")));
        JsonNode contains = call("searchEntries", Map.of("region", "", "query", "oot", "contains", true, "page", 0,
                "size", 10));
        assertEquals("block:footer", contains.get("items").get(0).get("key").asText());

        JsonNode entry = call("getEntry", Map.of("key", "page:home"));
        assertEquals(List.of("L1", "Redis"), texts(entry.get("levels")));
        assertTrue(texts(entry.get("tags")).containsAll(List.of("page:home", "block:header", "block:footer")),
                entry.toString());
        assertEquals("\"<main>[header][footer]home</main>\"", entry.get("preview").asText());
        assertTrue(entry.get("l2TtlMs").asLong() > 0);

        // A real invalidation through an annotated method, then one from the inspector.
        RestAssured.post("/editor/blocks/header").then().statusCode(204);
        JsonNode afterSave = call("getDependents", Map.of("tag", "block:header"));
        assertEquals(0, afterSave.get("count").asInt());

        JsonNode log = call("getInvalidations", Map.of("max", 10));
        JsonNode newest = log.get(0);
        assertEquals(List.of("block:header"), texts(newest.get("tags")));
        assertEquals("method", newest.get("trigger").asText());
        assertEquals("Editor.saveBlock", newest.get("source").asText());
        assertEquals(3, newest.get("l1Evicted").asInt(), "the header and the two pages using it");
        assertEquals(3, newest.get("redisDeleted").asInt());
        assertTrue(newest.get("local").asBoolean());

        JsonNode invalidated = call("invalidateTags", Map.of("tags", "block:footer"));
        assertEquals("api", invalidated.get("trigger").asText());
        assertEquals("Dev UI", invalidated.get("source").asText());
        assertEquals(2, invalidated.get("l1Evicted").asInt(), "the footer and the contact page");

        JsonNode cleared = call("clearRegion", Map.of("region", "page"));
        assertEquals(List.of("@page"), texts(cleared.get("tags")));
        JsonNode empty = call("searchEntries", Map.of("region", "page", "query", "", "contains", false, "page", 0,
                "size", 10));
        assertTrue(empty.get("items").isEmpty());
        assertFalse(empty.get("hasMore").asBoolean());

        JsonNode warmed = call("runWarmers");
        assertEquals(0, warmed.get("failed").asInt());
    }
}
