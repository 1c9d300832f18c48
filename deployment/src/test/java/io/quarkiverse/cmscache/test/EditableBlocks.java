package io.quarkiverse.cmscache.test;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;

/**
 * Blocks cached in the region {@code block}, and the annotated method that saves (invalidates) one.
 */
@ApplicationScoped
public class EditableBlocks {

    @CmsCached(region = "block")
    public String html(@CmsKey String id) {
        return "block " + id;
    }

    @CmsInvalidate(region = "block")
    public void save(@CmsKey String id) {
    }
}
