package io.quarkiverse.cmscache.runtime.http;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.runtime.config.CmsCacheConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Makes every HTTP request that carries credentials -- an {@code Authorization} header or one of the cookies of
 * {@code quarkus.cms-cache.http.private-cookies} -- bypass the cache, so that content rendered for a user never enters
 * a level shared with other users. Registered by the extension when the application has an HTTP server.
 */
public class PrivateRequestFilter {

    /** Early, before any resource runs; after Quarkus's own infrastructure filters. */
    static final int PRIORITY = 1000;

    @Inject
    CmsCacheConfig config;

    void register(@Observes Filters filters) {
        CacheRequest.activate();
        if (!config.http().bypassPrivateRequests()) {
            return;
        }
        List<String> cookies = List.copyOf(config.http().privateCookies());
        filters.register(context -> {
            if (isPrivate(context.request(), cookies)) {
                CacheRequest.markBypass();
            }
            context.next();
        }, PRIORITY);
    }

    static boolean isPrivate(HttpServerRequest request, List<String> cookies) {
        if (request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            return true;
        }
        if (request.getHeader(HttpHeaders.COOKIE) == null) {
            return false;
        }
        for (String cookie : cookies) {
            if (request.getCookie(cookie) != null) {
                return true;
            }
        }
        return false;
    }
}
