package io.quarkiverse.cmscache.sample;

import static io.quarkiverse.cmscache.sample.Editor.asEditor;
import static io.quarkiverse.cmscache.sample.Editor.forgetLoads;
import static io.quarkiverse.cmscache.sample.Editor.loads;
import static io.quarkiverse.cmscache.sample.Editor.page;
import static io.quarkiverse.cmscache.sample.Editor.saveBlock;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The sample site on PostgreSQL and Redis: every edit re-renders exactly the pages that showed the edited content.
 * "Loads" are the cached methods that really ran (reached the database), by entry key.
 */
@QuarkusTest
@WithTestResource(FreshCacheNamespace.class)
class SiteTest {

    static final List<String> PAGES = List.of("/", "/about", "/contact");

    @BeforeEach
    void seed() {
        Editor.reset();
    }

    /** Renders the pages once, so that they are cached, then forgets those loads. */
    static void warm(List<String> paths) {
        paths.forEach(Editor::page);
        forgetLoads();
    }

    static Set<String> renderedReloads() {
        return loads().keySet().stream().filter(k -> k.startsWith("rendered:")).collect(
                java.util.stream.Collectors.toSet());
    }

    @Test
    void cachedPagesDoNotTouchTheDatabase() {
        warm(PAGES);
        PAGES.forEach(Editor::page);
        assertEquals(Map.of(), loads());
    }

    @Test
    void blockEditReloadsOnlyThePagesThatIncludeIt() {
        warm(PAGES);

        saveBlock("team", "<p>We are Ana, Ben, Chlo\u00e9 and Dan.</p>");

        assertTrue(page("/about").contains("and Dan"));
        PAGES.forEach(Editor::page);
        assertEquals(Set.of("rendered:about:en"), renderedReloads());
    }

    @Test
    void sharedBlockEditReloadsEveryPageUsingIt() {
        warm(PAGES);
        saveBlock("footer", "<footer>New footer</footer>");
        PAGES.forEach(path -> assertTrue(page(path).contains("New footer"), path));
        assertEquals(Set.of("rendered:home:en", "rendered:about:en", "rendered:contact:en"), renderedReloads());
    }

    @Test
    void germanTranslationEditLeavesEnglishAndFrenchCached() {
        warm(List.of("/?lang=en", "/?lang=de", "/?lang=fr"));

        asEditor().body(Map.of("text", "Herzlich willkommen")).put("/admin/translations/demo/welcome/de").then()
                .statusCode(200);

        assertTrue(page("/?lang=de").contains("Herzlich willkommen"));
        page("/?lang=en");
        page("/?lang=fr");
        assertEquals(Set.of("rendered:home:de"), renderedReloads());
    }

    @Test
    void templateEditReloadsItsPagesOnly() {
        warm(PAGES);

        asEditor().body(Map.of("siteId", "demo", "name", "landing", "status", "ACTIVE", "content",
                "<!DOCTYPE html><title>[[PageTitle]]</title><div class=\"v2\">[[PageContent]]</div>"))
                .put("/admin/templates/landing").then().statusCode(200);

        assertTrue(page("/contact").contains("class=\"v2\""));
        PAGES.forEach(Editor::page);
        assertEquals(Set.of("rendered:contact:en"), renderedReloads(), "only contact uses the landing template");
    }

    @Test
    void pageTitleEditReloadsThePageAndEveryPageShowingItInTheMenu() {
        warm(List.of("/", "/about", "/contact", "/blog"));

        asEditor().body(Map.of("siteId", "demo", "alias", "/about", "title", "Who we are", "templateId", "main",
                "status", "ACTIVE", "content", "<h1>{page.title}</h1>")).put("/admin/pages/about").then()
                .statusCode(200);

        assertTrue(page("/about").contains("<h1>Who we are</h1>"));
        assertTrue(page("/").contains(">Who we are</a>"), "the menu shows the new title");
        page("/contact");
        page("/blog");
        assertEquals(Set.of("rendered:about:en", "rendered:home:en"), renderedReloads(),
                "contact (landing template) has no menu, and the blog is another site");
    }

    @Test
    void deletedBlockDisappearsFromEveryPageThatUsedIt() {
        assertTrue(page("/contact").contains("Spring offer"));

        asEditor().delete("/admin/blocks/promo").then().statusCode(204);

        assertFalse(page("/contact").contains("Spring offer"));
    }

    @Test
    void pagesOnADeletedTemplateAreNoLongerServed() {
        assertTrue(page("/contact").contains("Spring offer"));

        asEditor().delete("/admin/templates/landing").then().statusCode(204);

        given().get("/contact").then().statusCode(404).body(containsString("Page not found"));
        assertTrue(page("/about").contains("We are Ana"), "pages on other templates are served as before");
    }

    @Test
    void draftsInactivePagesAndDraftTemplatesAreNotServed() {
        for (String path : List.of("/draft", "/retired", "/lab", "/nowhere")) {
            given().get(path).then().statusCode(404).body(containsString("Page not found"));
        }
        given().header("Authorization", Editor.TOKEN).get("/preview/draft").then().statusCode(200)
                .body(containsString("Not ready yet"));
    }

    @Test
    void routingFollowsTheGoStore() {
        given().get("/blog").then().statusCode(200).body(containsString("The blog"));
        given().get("/user/42").then().statusCode(200).body(containsString("A member's profile"));
        given().get("/user/forty-two").then().statusCode(404);
        given().header("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8").get("/").then()
                .header("Content-Language", "fr").body(containsString("Bienvenue"));
        given().get("/?lang=de").then().header("Content-Language", "de").body(containsString("Willkommen"));
        given().header("Host", "unknown.example").get("/").then().statusCode(404);
    }

    @Test
    void goStorePlaceholdersRender() {
        given().get("/contact").then().statusCode(200)
                .body(containsString("<title>Contact</title>"))
                .body(containsString("<header><a href=\"/\">CMS Cache demo</a></header>"))
                .body(containsString("Spring offer"))
                .body(containsString("<main><p>Write to us at hello@example.com.</p></main>"))
                .body(containsString("Thanks for visiting"));
    }

    @Test
    void missingTranslationRendersEmpty() {
        asEditor().delete("/admin/translations/demo/welcome/fr").then().statusCode(204);
        given().get("/?lang=fr").then().statusCode(200).body(containsString("<h1></h1>"));
    }

    @Test
    void etagAnswers304AndSurrogateKeyListsThePagesTags() {
        var response = given().get("/about").then().statusCode(200).extract();
        String etag = response.header("ETag");
        Set<String> tags = Set.of(response.header("Surrogate-Key").split(" "));
        assertTrue(tags.containsAll(Set.of("page:about", "block:team", "block:header", "template:main",
                "translation:demo:about-intro:en", "menu:main")), tags::toString);

        given().header("If-None-Match", etag).get("/about").then().statusCode(304).body(emptyString());

        saveBlock("team", "<p>Edited team.</p>");
        given().header("If-None-Match", etag).get("/about").then().statusCode(200)
                .body(containsString("Edited team."));
    }

    @Test
    void authenticatedRequestsAreNeitherServedFromNorStoredInTheCache() {
        warm(List.of("/about"));

        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/about").then().statusCode(200)
                .header("Cache-Control", "private, no-store").header("ETag", nullValue());
        given().cookie("JSESSIONID", "s1").get("/about").then().statusCode(200)
                .header("Cache-Control", "private, no-store");
        assertEquals(2, loads().get("rendered:about:en"), "each was rendered for its user");

        forgetLoads();
        given().get("/about").then().statusCode(200).header("ETag", not(nullValue()));
        assertEquals(Map.of(), loads(), "the shared copy was neither replaced nor evicted");
    }
}
