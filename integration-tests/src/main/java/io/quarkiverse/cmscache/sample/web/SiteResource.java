package io.quarkiverse.cmscache.sample.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkiverse.cmscache.CmsCachedResponse;
import io.quarkiverse.cmscache.sample.site.Pages;
import io.quarkiverse.cmscache.sample.site.Renderer;
import io.quarkiverse.cmscache.sample.site.Sites;
import io.quarkiverse.cmscache.sample.site.Views.SiteView;

/**
 * The public site: every path is a page of the site the request's host and path prefix name. Responses carry an
 * {@code ETag} (and {@code 304}s), {@code Cache-Control} and the page's tags in {@code Surrogate-Key}.
 */
@Path("/")
public class SiteResource {

    @Inject
    Sites sites;

    @Inject
    Pages pages;

    @Inject
    Renderer renderer;

    @GET
    @Path("{path: .*}")
    @Produces(MediaType.TEXT_HTML)
    @CmsCachedResponse
    public Response page(@PathParam("path") String path, @QueryParam("lang") String lang,
            @HeaderParam(HttpHeaders.HOST) String host, @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String accept) {
        Sites.Match match = sites.match(host, "/" + path);
        if (match == null) {
            return Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_PLAIN)
                    .entity("No site is served at " + host).build();
        }
        SiteView site = match.site();
        String language = Languages.choose(site, lang, accept);
        String pageId = pages.route(site.id(), match.path());
        String html = pageId == null ? null : renderer.render(site.id(), pageId, language);
        if (html == null) {
            return notFound(site, language);
        }
        return Response.ok(html).header(HttpHeaders.CONTENT_LANGUAGE, language)
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT_LANGUAGE).build();
    }

    /**
     * Drafts, inactive pages and pages on an inactive template are never served: the site's not-found page is.
     */
    private Response notFound(SiteView site, String language) {
        String notFoundId = site.notFoundAlias() == null ? null : pages.route(site.id(), site.notFoundAlias());
        String html = notFoundId == null ? null : renderer.render(site.id(), notFoundId, language);
        return Response.status(Response.Status.NOT_FOUND)
                .entity(html == null ? "<!DOCTYPE html><h1>Not found</h1>" : html).build();
    }
}
