package io.quarkiverse.cmscache.benchmarks.workload;

import io.quarkiverse.cmscache.benchmarks.workload.Origin.Content;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;

/**
 * The site on two instances of this extension (two engines sharing one Redis, each with its own L1 and invalidation
 * subscription): pages in region {@code rendered}, the items they are made of in region {@code item}, so a page depends
 * on its items automatically. What differs between strategies is what an edit does.
 */
final class CachedSite implements Strategy {

    enum OnEdit {
        /** This extension: invalidate the edited item, which evicts exactly the pages that used it. */
        INVALIDATE_ITEM,
        /** Quarkus Cache's {@code @CacheInvalidate} on the item plus {@code @CacheInvalidateAll} on the pages. */
        INVALIDATE_ITEM_AND_ALL_PAGES,
        /** The Go CMS Store: nothing; entries live for their TTL (600 s: regions ttl-rendered and ttl-item). */
        NOTHING
    }

    private final String name;
    private final Site site;
    private final Origin origin;
    private final CmsCacheEngine a;
    private final CmsCacheEngine b;
    private final OnEdit onEdit;
    private final String pages;
    private final String items;

    CachedSite(String name, Site site, Origin origin, CmsCacheEngine a, CmsCacheEngine b, OnEdit onEdit) {
        this.name = name;
        this.site = site;
        this.origin = origin;
        this.a = a;
        this.b = b;
        this.onEdit = onEdit;
        String prefix = onEdit == OnEdit.NOTHING ? "ttl-" : "";
        this.pages = prefix + "rendered";
        this.items = prefix + "item";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RenderedPage read(boolean onA, int page, int language) {
        CmsCacheEngine instance = onA ? a : b;
        return instance.get(pages, page + "-" + language, RenderedPage.class, () -> {
            Strategy.rendered();
            return RenderedPage.render(site, origin, page, language,
                    item -> instance.get(items, Site.name(item), Content.class, () -> origin.load(item)));
        });
    }

    @Override
    public void edited(int item) {
        switch (onEdit) {
            case INVALIDATE_ITEM -> a.invalidate(items, Site.name(item));
            case INVALIDATE_ITEM_AND_ALL_PAGES -> {
                a.invalidate(items, Site.name(item));
                a.clear(pages);
            }
            case NOTHING -> {
            }
        }
    }

    @Override
    public java.util.Map<String, Object> stats() {
        java.util.Map<String, Object> stats = new java.util.LinkedHashMap<>();
        for (String region : java.util.List.of(pages, items)) {
            stats.put("A " + region, a.stats(region));
            stats.put("B " + region, b.stats(region));
        }
        return stats;
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
