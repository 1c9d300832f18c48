package io.quarkiverse.cmscache.sample.web;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkiverse.cmscache.sample.content.Block;
import io.quarkiverse.cmscache.sample.content.Page;
import io.quarkiverse.cmscache.sample.content.Template;
import io.quarkiverse.cmscache.sample.content.Translation;
import io.quarkiverse.cmscache.sample.seed.SeedData;

/**
 * The editors' JSON API: create, update and delete blocks, pages, templates and translations.
 */
@Path("/admin")
@EditorsOnly
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    @Inject
    ContentEditor editor;

    @Inject
    SeedData seed;

    @PUT
    @Path("blocks/{id}")
    public Block saveBlock(@PathParam("id") String id, ContentEditor.BlockInput input) {
        return editor.saveBlock(id, input);
    }

    @DELETE
    @Path("blocks/{id}")
    public void deleteBlock(@PathParam("id") String id) {
        found(editor.deleteBlock(id), "block " + id);
    }

    @PUT
    @Path("pages/{id}")
    public Page savePage(@PathParam("id") String id, ContentEditor.PageInput input) {
        return editor.savePage(id, input);
    }

    @DELETE
    @Path("pages/{id}")
    public void deletePage(@PathParam("id") String id) {
        found(editor.deletePage(id), "page " + id);
    }

    @PUT
    @Path("templates/{id}")
    public Template saveTemplate(@PathParam("id") String id, ContentEditor.TemplateInput input) {
        return editor.saveTemplate(id, input);
    }

    @DELETE
    @Path("templates/{id}")
    public void deleteTemplate(@PathParam("id") String id) {
        found(editor.deleteTemplate(id), "template " + id);
    }

    @PUT
    @Path("translations/{siteId}/{handle}/{lang}")
    public Translation saveTranslation(@PathParam("siteId") String siteId, @PathParam("handle") String handle,
            @PathParam("lang") String lang, ContentEditor.TranslationInput input) {
        return editor.saveTranslation(siteId, handle, lang, input);
    }

    @DELETE
    @Path("translations/{siteId}/{handle}/{lang}")
    public void deleteTranslation(@PathParam("siteId") String siteId, @PathParam("handle") String handle,
            @PathParam("lang") String lang) {
        found(editor.deleteTranslation(siteId, handle, lang), "translation " + handle + " in " + lang);
    }

    /**
     * Puts the seed content back, and drops everything cached, on every instance.
     */
    @POST
    @Path("reset")
    public void reset() {
        seed.reset();
    }

    private static void found(boolean found, String what) {
        if (!found) {
            throw new NotFoundException("No " + what);
        }
    }

    @ServerExceptionMapper
    public Response invalid(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage())).build();
    }
}
