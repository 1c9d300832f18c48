package io.quarkiverse.cmscache.test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsCachedResponse;
import io.quarkiverse.cmscache.CmsInvalidationListener;
import io.quarkiverse.cmscache.CmsRequest;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.test.QuarkusUnitTest;

/**
 * HTTP: {@code @CmsCachedResponse} gives cached pages a validator, {@code 304}s, a caching policy and their tags;
 * requests with credentials and previews bypass the cache; a listener hears of every local invalidation.
 */
public class HttpTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, Pages.class,
                    PageResource.class, Purges.class));

    @Inject
    Pages pages;

    @Inject
    CmsCache cache;

    @Inject
    Purges purges;

    @Inject
    OtherInstance instances;

    @Test
    void cachedPageCarriesValidatorPolicyAndTags() {
        var first = given().get("/pages/home").then().statusCode(200).body(equalTo("<home>[header]</home>"))
                .header("Cache-Control", "no-cache").extract();
        String etag = first.header("ETag");
        assertTrue(etag.startsWith("W/\""), etag);
        Set<String> tags = Set.of(first.header("Surrogate-Key").split(" "));
        assertTrue(tags.containsAll(Set.of("page:home", "block:header", "@page", "@block")), tags::toString);

        given().get("/pages/home").then().statusCode(200).header("ETag", etag);
        given().header("If-None-Match", etag).get("/pages/home").then().statusCode(304).body(emptyString());
        given().header("If-None-Match", "W/\"other\", " + etag.substring(2)).get("/pages/home").then().statusCode(304);

        cache.invalidate("block", "header");

        String changed = given().header("If-None-Match", etag).get("/pages/home").then().statusCode(200)
                .extract().header("ETag");
        assertNotEquals(etag, changed, "the page was rebuilt, so its validator changed");
    }

    @Test
    void requestsWithCredentialsBypassTheCache() {
        given().get("/pages/team").then().statusCode(200);
        int loads = pages.loads();

        given().header("Authorization", "Bearer editor").get("/pages/team").then().statusCode(200)
                .header("Cache-Control", "private, no-store").header("ETag", nullValue())
                .header("Surrogate-Key", nullValue());
        given().cookie("JSESSIONID", "abc").get("/pages/team").then().statusCode(200)
                .header("Cache-Control", "private, no-store");
        assertEquals(loads + 2, pages.loads(), "both were rendered for their user");

        given().get("/pages/team").then().statusCode(200).header("ETag", not(nullValue()));
        assertEquals(loads + 2, pages.loads(), "and nothing they rendered replaced the shared copy");
    }

    @Test
    void previewBypassesTheCacheAndStoresNothing() {
        int loads = pages.loads();
        given().get("/preview/draft").then().statusCode(200).body(containsString("<draft>"))
                .header("Cache-Control", "private, no-store");
        given().get("/preview/draft").then().statusCode(200);
        assertEquals(loads + 2, pages.loads());
        assertEquals(null, ((CmsCacheEngine) cache).l2().read("page:draft").await().indefinitely(),
                "nothing reached Redis");
    }

    @Test
    void listenerHearsOfLocalInvalidationsOnly() {
        purges.clear();
        cache.invalidateTags("product:1", "product:2");
        CmsCacheEngine other = instances.start();
        try {
            other.invalidateTags("product:3");
        } finally {
            other.close();
        }
        assertEquals(List.of(Set.of("product:1", "product:2")), purges.heard());
    }

    @ApplicationScoped
    public static class Pages {
        final AtomicInteger loads = new AtomicInteger();

        @Inject
        CmsCache cache;

        @CmsCached(region = "page")
        public String render(String id) {
            loads.incrementAndGet();
            return "<" + id + ">" + cache.get("block", "header", String.class, () -> "[header]") + "</" + id + ">";
        }

        int loads() {
            return loads.get();
        }
    }

    @Path("/")
    public static class PageResource {
        @Inject
        Pages pages;

        @GET
        @Path("pages/{id}")
        @Produces(MediaType.TEXT_HTML)
        @CmsCachedResponse
        public String page(@PathParam("id") String id) {
            return pages.render(id);
        }

        @GET
        @Path("preview/{id}")
        @Produces(MediaType.TEXT_HTML)
        @CmsCachedResponse
        public String preview(@PathParam("id") String id) {
            CmsRequest.bypassCache();
            return pages.render(id);
        }
    }

    @ApplicationScoped
    public static class Purges implements CmsInvalidationListener {
        final List<Set<String>> heard = new CopyOnWriteArrayList<>();

        @Override
        public void invalidated(Set<String> tags) {
            heard.add(Set.copyOf(tags));
        }

        List<Set<String>> heard() {
            return List.copyOf(heard);
        }

        void clear() {
            heard.clear();
        }
    }
}
