package io.quarkiverse.cmscache.benchmarks.workload;

import java.util.function.IntFunction;

import io.quarkiverse.cmscache.benchmarks.workload.Origin.Content;

/**
 * A page as the site serves it, with the version of every item it was made of, which is how a read is checked for
 * staleness.
 */
record RenderedPage(int[] items, int[] versions, String html) {

    /**
     * Renders a page: its own content straight from the origin (a page row is read by its render only), everything
     * else through {@code shared}, which may cache it.
     */
    static RenderedPage render(Site site, Origin origin, int page, int language, IntFunction<Content> shared) {
        int[] used = site.itemsOf(page, language);
        int[] versions = new int[used.length];
        StringBuilder html = new StringBuilder(4096);
        for (int i = 0; i < used.length; i++) {
            Content content = i == 0 ? origin.load(used[i]) : shared.apply(used[i]);
            versions[i] = content.version();
            html.append("<div>").append(content.text()).append(content.version()).append("</div>");
        }
        return new RenderedPage(used, versions, html.toString());
    }
}
