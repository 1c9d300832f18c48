package io.quarkiverse.cmscache.sample.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkiverse.cmscache.CmsRequest;
import io.quarkiverse.cmscache.sample.site.Pages;
import io.quarkiverse.cmscache.sample.site.Renderer;
import io.quarkiverse.cmscache.sample.site.Sites;
import io.quarkiverse.cmscache.sample.site.Views.PageView;

/**
 * Editors preview any page, drafts included. A preview must never be served to visitors, so it bypasses the cache.
 */
@Path("/preview")
@EditorsOnly
public class PreviewResource {

    @Inject
    Sites sites;

    @Inject
    Pages pages;

    @Inject
    Renderer renderer;

    @GET
    @Path("{pageId}")
    @Produces(MediaType.TEXT_HTML)
    public String preview(@PathParam("pageId") String pageId, @QueryParam("lang") @DefaultValue("en") String lang) {
        // Editors' requests carry credentials and bypass the cache already; say so anyway, it is what matters here.
        CmsRequest.bypassCache();
        PageView page = pages.page(pageId);
        String html = page == null ? null : renderer.preview(sites.byId(page.siteId()), pageId, lang);
        if (html == null) {
            throw new NotFoundException("No page " + pageId);
        }
        return html;
    }
}
