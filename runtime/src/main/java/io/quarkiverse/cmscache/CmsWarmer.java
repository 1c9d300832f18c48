package io.quarkiverse.cmscache;

/**
 * Fills the cache at start-up (and on {@code quarkus.cms-cache.warming.every}): implement it as a CDI bean that reads
 * what should be cached through the cache -- the global blocks, the active templates, the top pages:
 *
 * <pre>
 * &#64;ApplicationScoped
 * class GlobalBlocks implements CmsWarmer {
 *     &#64;Inject
 *     Blocks blocks;
 *
 *     &#64;Override
 *     public void warm() {
 *         Block.&lt;Block&gt; list("global", true).forEach(block -&gt; blocks.html(block.id));
 *     }
 * }
 * </pre>
 *
 * Warmers run after the most-read entries of the previous runs have been loaded, several at a time
 * ({@code warming.concurrency}), on worker threads in a request context, within the time budget
 * ({@code warming.budget}). A warmer that throws is logged and skipped; it never stops start-up. By default the
 * application is ready before warming ends ({@code warming.block-readiness}).
 */
public interface CmsWarmer {

    /**
     * Reads what should be cached. Runs on a worker thread; may block.
     *
     * @throws Exception anything: it is logged, and warming goes on
     */
    void warm() throws Exception;

    /**
     * @return the name in logs
     */
    default String name() {
        return getClass().getSimpleName();
    }
}
