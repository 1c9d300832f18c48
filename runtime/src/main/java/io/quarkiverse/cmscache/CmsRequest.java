package io.quarkiverse.cmscache;

import io.quarkiverse.cmscache.runtime.http.CacheRequest;

/**
 * The cache's view of the current HTTP request.
 * <p>
 * A request whose response must not be shared -- an editor's preview of a draft, a page personalised for a user --
 * calls {@link #bypassCache()}: from then on, nothing is read from or written to either level during that request;
 * every cached method runs. Requests with credentials (an {@code Authorization} header, or one of the cookies of
 * {@code quarkus.cms-cache.http.private-cookies}) bypass the cache automatically, unless
 * {@code quarkus.cms-cache.http.bypass-private-requests=false}.
 * <p>
 * Outside an HTTP request (a scheduled job, a message handler) these methods do nothing and report {@code false}.
 */
public final class CmsRequest {

    private CmsRequest() {
    }

    /**
     * Makes the rest of the current HTTP request bypass the cache.
     *
     * @return whether there was an HTTP request to mark
     */
    public static boolean bypassCache() {
        return CacheRequest.markBypass();
    }

    /**
     * @return whether the current HTTP request bypasses the cache
     */
    public static boolean isBypassingCache() {
        CacheRequest request = CacheRequest.current();
        return request != null && request.bypass();
    }
}
