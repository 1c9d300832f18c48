package io.quarkiverse.cmscache.runtime.http;

import java.util.List;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import io.quarkiverse.cmscache.CmsCachedResponse;
import io.quarkiverse.cmscache.runtime.config.CmsCacheConfig;
import io.quarkiverse.cmscache.runtime.entry.Entry;

/**
 * The JAX-RS side of {@link CmsCachedResponse}: records the entries a request reads, then writes the validator, the
 * caching policy and the tags into the response, answering {@code 304} when the client already has this version.
 * Registered by the extension, name-bound to {@link CmsCachedResponse}, when the application has Quarkus REST.
 */
@CmsCachedResponse
public class CachedResponseFilter implements ContainerRequestFilter, ContainerResponseFilter {

    /** Resolved on first use: Quarkus REST creates filters before the run-time configuration exists. */
    @Inject
    Instance<CmsCacheConfig> config;

    private volatile CmsCacheConfig.Http http;

    @Override
    public void filter(ContainerRequestContext request) {
        CacheRequest.activate();
        CacheRequest state = CacheRequest.currentOrCreate();
        if (state != null) {
            state.collect();
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        CacheRequest state = CacheRequest.current();
        if (state == null) {
            return;
        }
        if (state.bypass()) {
            response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "private, no-store");
            return;
        }
        List<Entry> served = state.served();
        if (response.getStatus() != Response.Status.OK.getStatusCode() || served.isEmpty()) {
            return;
        }
        String etag = CacheRequest.etag(served);
        response.getHeaders().putSingle(HttpHeaders.ETAG, etag);
        CmsCacheConfig.Http settings = http();
        response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, settings.cacheControl());
        response.getHeaders().putSingle(settings.surrogateKeyHeader(),
                String.join(" ", CacheRequest.tags(served)));
        if (matches(request.getHeaderString(HttpHeaders.IF_NONE_MATCH), etag)) {
            response.setStatus(Response.Status.NOT_MODIFIED.getStatusCode());
            response.setEntity(null);
        }
    }

    private CmsCacheConfig.Http http() {
        CmsCacheConfig.Http h = http;
        if (h == null) {
            h = config.get().http();
            http = h;
        }
        return h;
    }

    /**
     * @return whether an {@code If-None-Match} header names the entity tag (weak comparison, RFC 9110 13.1.2)
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || opaque(tag).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
