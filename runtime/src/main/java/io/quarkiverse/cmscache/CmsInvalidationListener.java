package io.quarkiverse.cmscache;

import java.util.Set;

/**
 * Told about every invalidation that originates on this instance -- from {@link CmsInvalidate @CmsInvalidate},
 * {@link CmsCache}, content-change messages or a replay after a Redis outage -- once it has taken effect. Use it to
 * purge the same tags from a CDN (they are the values of the surrogate-key header, see {@link CmsCachedResponse}).
 * Invalidations received from other instances are not reported, so that each is reported once in a cluster.
 * <p>
 * Implement it as a CDI bean. It is called once Redis has answered (or failed to), after commit inside a
 * transaction: on the thread that received the answer, often a Vert.x event loop, and without the invalidating caller's
 * thread contexts (no transaction, no request context). It must not block: do slow work, such as calling a CDN,
 * asynchronously. An exception it throws is logged and does not affect the invalidation.
 */
public interface CmsInvalidationListener {

    /**
     * @param tags the invalidated tags
     */
    void invalidated(Set<String> tags);
}
