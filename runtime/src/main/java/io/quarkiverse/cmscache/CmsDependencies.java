package io.quarkiverse.cmscache;

import io.quarkiverse.cmscache.runtime.tags.Computation;

/**
 * Declares dependencies of the entry being computed on data that is not read through the cache.
 *
 * <pre>
 * &#64;CmsCached(region = "rendered")
 * String render(&#64;CmsKey String pageId) {
 *     CmsDependencies.add("menu:main"); // invalidating "menu:main" now evicts this page
 *     ...
 * }
 * </pre>
 *
 * Reads through {@link CmsCached @CmsCached} methods and {@link CmsCache} need no declaration: they are captured
 * automatically.
 */
public final class CmsDependencies {

    private CmsDependencies() {
    }

    /**
     * Adds tags to the entry being computed on this thread: inside a {@link CmsCached @CmsCached} method or a
     * {@link CmsCache} loader, including {@code Uni} callbacks assembled there (the computation follows them to other
     * threads through context propagation). Outside a computation this does nothing.
     * <p>
     * Declare a dependency before reading the data it stands for: an invalidation of the tag that happens after the
     * computation started prevents its result from being stored, whenever it was declared.
     *
     * @param tags the tags; see {@link CmsCache} for what a tag may contain
     * @throws IllegalArgumentException if a tag is empty or contains a character a tag may not contain
     */
    public static void add(String... tags) {
        Computation.addToCurrent(tags);
    }

    /**
     * @return whether a cached entry is being computed on this thread, so that {@link #add(String...)} has an effect
     */
    public static boolean isComputing() {
        return Computation.current() != null;
    }
}
