package io.quarkiverse.cmscache.benchmarks.workload;

/**
 * No cache: every read renders the page from the origin.
 */
final class Uncached implements Strategy {

    private final Site site;
    private final Origin origin;

    Uncached(Site site, Origin origin) {
        this.site = site;
        this.origin = origin;
    }

    @Override
    public String name() {
        return "no cache";
    }

    @Override
    public RenderedPage read(boolean onA, int page, int language) {
        Strategy.rendered();
        return RenderedPage.render(site, origin, page, language, origin::load);
    }

    @Override
    public void edited(int item) {
    }

    @Override
    public boolean caches() {
        return false;
    }
}
