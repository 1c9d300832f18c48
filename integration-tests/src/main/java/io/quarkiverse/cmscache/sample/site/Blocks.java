package io.quarkiverse.cmscache.sample.site;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.sample.content.Block;
import io.quarkiverse.cmscache.sample.content.Status;
import io.quarkus.arc.Unremovable;

/**
 * Blocks. A page that renders a block depends on it without saying so: editing the block re-renders exactly the
 * pages that showed it.
 */
@ApplicationScoped
@Unremovable // looked up by the cms: template functions, never injected
public class Blocks {

    @Inject
    Loads loads;

    /**
     * @return the block's HTML, or {@code null} if there is no active block with that id (a deleted or draft block
     *         renders as nothing); cached as {@code block:<id>}
     */
    @CmsCached(region = "block")
    public String html(@CmsKey String id) {
        loads.record("block:" + id);
        Block block = Block.findById(id);
        return block == null || block.status != Status.ACTIVE ? null : block.content;
    }
}
