package io.quarkiverse.cmscache.sample.web;

import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.RegionStats;
import io.quarkiverse.cmscache.sample.site.Loads;

/**
 * What the cache holds and what it spared the database, for trying the sample out: region statistics, the entries
 * depending on a tag, and how often each cached method really ran. Off unless {@code cms-sample.insight.enabled}.
 */
@Path("/insight")
@Produces(MediaType.APPLICATION_JSON)
public class InsightResource {

    @ConfigProperty(name = "cms-sample.insight.enabled")
    boolean enabled;

    @Inject
    CmsCache cache;

    @Inject
    Loads loads;

    @GET
    @Path("stats")
    public Map<String, RegionStats> stats() {
        check();
        return cache.stats();
    }

    @GET
    @Path("dependents")
    public Set<String> dependents(@QueryParam("tag") String tag) {
        check();
        return cache.dependents(tag);
    }

    @GET
    @Path("loads")
    public Map<String, Integer> loads() {
        check();
        return loads.snapshot();
    }

    @DELETE
    @Path("loads")
    public void resetLoads() {
        check();
        loads.reset();
    }

    private void check() {
        if (!enabled) {
            throw new NotFoundException();
        }
    }
}
