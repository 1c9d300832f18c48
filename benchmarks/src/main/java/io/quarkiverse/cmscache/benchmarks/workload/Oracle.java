package io.quarkiverse.cmscache.benchmarks.workload;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkiverse.cmscache.benchmarks.workload.Origin.Content;

/**
 * The best any cache could do: one unbounded cache shared by both instances, with no network in between, that on an
 * edit evicts exactly the item and the pages that use it, at once. A page or item is stored only if nothing it was
 * made of changed while it was being made.
 */
final class Oracle implements Strategy {

    private final Site site;
    private final Origin origin;
    private final Map<Integer, Content> items = new ConcurrentHashMap<>();
    private final Map<Long, RenderedPage> pages = new ConcurrentHashMap<>();
    private final Map<Integer, Set<Long>> pagesUsing = new ConcurrentHashMap<>();

    Oracle(Site site, Origin origin) {
        this.site = site;
        this.origin = origin;
    }

    @Override
    public String name() {
        return "oracle";
    }

    @Override
    public RenderedPage read(boolean onA, int page, int language) {
        long key = (long) page * Site.LANGUAGES + language;
        RenderedPage cached = pages.get(key);
        if (cached != null) {
            return cached;
        }
        Strategy.rendered();
        RenderedPage rendered = RenderedPage.render(site, origin, page, language, this::item);
        synchronized (this) {
            if (current(rendered)) {
                pages.put(key, rendered);
                for (int item : rendered.items()) {
                    pagesUsing.computeIfAbsent(item, i -> ConcurrentHashMap.newKeySet()).add(key);
                }
            }
        }
        return rendered;
    }

    private Content item(int item) {
        Content cached = items.get(item);
        if (cached != null) {
            return cached;
        }
        Content loaded = origin.load(item);
        synchronized (this) {
            if (origin.version(item) == loaded.version()) {
                items.put(item, loaded);
            }
        }
        return loaded;
    }

    private boolean current(RenderedPage page) {
        for (int i = 0; i < page.items().length; i++) {
            if (origin.version(page.items()[i]) != page.versions()[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void edited(int item) {
        items.remove(item);
        Set<Long> using = pagesUsing.remove(item);
        if (using != null) {
            using.forEach(pages::remove);
        }
    }
}
