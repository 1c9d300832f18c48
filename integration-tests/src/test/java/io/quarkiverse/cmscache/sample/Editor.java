package io.quarkiverse.cmscache.sample;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * What the tests do as an editor and what they read back, over HTTP.
 */
final class Editor {

    static final String TOKEN = "Bearer editor-secret";

    private Editor() {
    }

    static RequestSpecification asEditor() {
        return given().header("Authorization", TOKEN).contentType(ContentType.JSON);
    }

    /** Puts the seed content back and forgets what was loaded. */
    static void reset() {
        asEditor().post("/admin/reset").then().statusCode(204);
        given().delete("/insight/loads").then().statusCode(204);
    }

    static void forgetLoads() {
        given().delete("/insight/loads").then().statusCode(204);
    }

    /** @return how often each cached method ran since the last reset, by entry key */
    static Map<String, Integer> loads() {
        return given().get("/insight/loads").then().statusCode(200).extract().jsonPath().getMap("", String.class,
                Integer.class);
    }

    static String page(String path) {
        return given().get(path).then().statusCode(200).extract().asString();
    }

    static void saveBlock(String id, String content) {
        asEditor().body(Map.of("siteId", "demo", "name", id, "content", content, "status", "ACTIVE"))
                .put("/admin/blocks/" + id).then().statusCode(200);
    }
}
