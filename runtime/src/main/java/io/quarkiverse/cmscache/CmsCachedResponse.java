package io.quarkiverse.cmscache;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.ws.rs.NameBinding;

/**
 * Adds HTTP caching headers to the responses of a JAX-RS resource method (or of every method of a resource class)
 * that serves cached content, for browsers and CDNs:
 * <ul>
 * <li>{@code ETag}, a weak validator of the cached entries the request read (an entry recomputed gets a new one), and
 * {@code 304 Not Modified} when the request's {@code If-None-Match} matches it;</li>
 * <li>{@code Cache-Control} from {@code quarkus.cms-cache.http.cache-control};</li>
 * <li>a surrogate-key header ({@code Surrogate-Key} by default, {@code quarkus.cms-cache.http.surrogate-key-header})
 * listing the tags of those entries, so that a CDN can purge by tag: register a {@link CmsInvalidationListener} to be
 * told which tags to purge.</li>
 * </ul>
 * The headers describe the entries read <em>directly</em> by the request (most often the one rendered page, which
 * carries the tags of everything it was built from). Only {@code 200} responses get them. A request that bypasses the
 * cache ({@link CmsRequest}) gets {@code Cache-Control: private, no-store} and no validator or tags.
 */
@NameBinding
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
public @interface CmsCachedResponse {
}
