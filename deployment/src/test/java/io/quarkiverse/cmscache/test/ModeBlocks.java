package io.quarkiverse.cmscache.test;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;

/**
 * The bean the mode tests cache through.
 */
@ApplicationScoped
public class ModeBlocks {
    final AtomicInteger loads = new AtomicInteger();

    @CmsCached(region = "block")
    String html(@CmsKey String id) {
        return id + " #" + loads.incrementAndGet();
    }

    @CmsInvalidate(region = "block")
    void save(String id) {
    }
}
