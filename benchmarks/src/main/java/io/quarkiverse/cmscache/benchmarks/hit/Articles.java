package io.quarkiverse.cmscache.benchmarks.hit;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkus.arc.Unremovable;
import io.quarkus.cache.CacheResult;

/**
 * The same method cached by this extension and by Quarkus Cache, so that (a) compares the two interceptors on equal
 * work. Looked up by the JMH states, hence unremovable.
 */
@Unremovable
@ApplicationScoped
public class Articles {

    @CmsCached(region = "article")
    public String cmsCachedTitle(@CmsKey int id) {
        return title(id);
    }

    @CacheResult(cacheName = "article")
    public String quarkusCachedTitle(int id) {
        return title(id);
    }

    static String title(int id) {
        return "Article " + id;
    }
}
