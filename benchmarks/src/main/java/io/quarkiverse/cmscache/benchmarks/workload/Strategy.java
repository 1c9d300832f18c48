package io.quarkiverse.cmscache.benchmarks.workload;

/**
 * A way of caching the site, replayed against the same trace as the others. Implementations are thread-safe.
 */
interface Strategy extends AutoCloseable {

    /** Set by a read that rendered the page rather than finding it cached. */
    ThreadLocal<boolean[]> RENDERED = ThreadLocal.withInitial(() -> new boolean[1]);

    String name();

    /**
     * Reads a page on instance A or B; marks {@link #RENDERED} when it had to render it.
     */
    RenderedPage read(boolean onA, int page, int language);

    /**
     * Called on instance A after an edit of {@code item} was committed, as the editor's save call would.
     */
    void edited(int item);

    /**
     * @return whether the strategy keeps anything, so that reading every page beforehand warms it
     */
    default boolean caches() {
        return true;
    }

    /**
     * @return what the strategy's caches counted, if it has any
     */
    default java.util.Map<String, Object> stats() {
        return java.util.Map.of();
    }

    @Override
    default void close() {
    }

    static void rendered() {
        RENDERED.get()[0] = true;
    }
}
