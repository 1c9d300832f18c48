package io.quarkiverse.cmscache.test;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkus.runtime.StartupEvent;

/**
 * The application {@link DevUIInspectorTest} runs in dev mode (outside the test class, which dev mode does not load):
 * three pages, two of them built with the header block.
 */
public final class InspectedSite {

    private InspectedSite() {
    }

    @ApplicationScoped
    public static class Blocks {

        @CmsCached(region = "block")
        public String html(@CmsKey String id) {
            return "[" + id + "]";
        }
    }

    @ApplicationScoped
    public static class Pages {

        @Inject
        Blocks blocks;

        @CmsCached(region = "page")
        public String render(@CmsKey String id) {
            String footer = id.equals("contact") ? blocks.html("footer") : "";
            return id.equals("contact") ? "<main>" + footer + "contact</main>"
                    : "<main>" + blocks.html("header") + blocks.html("footer") + id + "</main>";
        }
    }

    /** Fills the cache when the application starts: three pages, two built with the header. */
    @ApplicationScoped
    public static class Content {

        void fill(@Observes StartupEvent event, Pages pages) {
            pages.render("home");
            pages.render("about");
            pages.render("contact");
        }
    }

    @Path("/editor")
    public static class Editor {

        @POST
        @Path("/blocks/{id}")
        @CmsInvalidate(region = "block")
        public void saveBlock(@PathParam("id") @CmsKey String id) {
        }
    }
}
