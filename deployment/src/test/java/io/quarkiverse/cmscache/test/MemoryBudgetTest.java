package io.quarkiverse.cmscache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l1.L1Region;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The global L1 budget ({@code l1.max-memory}): however large each region may be, together they hold no more than the
 * budget, shared in proportion to what they hold; and when one region empties, the other may grow back.
 */
public class MemoryBudgetTest {

    static final long BUDGET = 64 * 1024;

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.l1.max-memory", "64K")
            .overrideConfigKey("quarkus.cms-cache.regions.\"pages\".l1.maximum-weight", "1M")
            .overrideConfigKey("quarkus.cms-cache.regions.\"blocks\".l1.maximum-weight", "1M")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class));

    @Inject
    CmsCache cache;

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @Test
    void regionsTogetherStayWithinTheBudget() {
        String kilobyte = "x".repeat(1000);
        for (int i = 0; i < 150; i++) {
            cache.get("pages", "page-" + i, String.class, () -> kilobyte);
            cache.get("blocks", "block-" + i, String.class, () -> kilobyte);
        }
        L1Region pages = engine().region("pages").l1();
        L1Region blocks = engine().region("blocks").l1();
        settle(pages, blocks);
        assertTrue(pages.weight() + blocks.weight() <= BUDGET,
                () -> "pages " + pages.weight() + " + blocks " + blocks.weight() + " > " + BUDGET);
        assertTrue(pages.weight() > BUDGET / 4 && blocks.weight() > BUDGET / 4, "shared in proportion");

        cache.clear("blocks");
        for (int i = 0; i < 150; i++) {
            cache.get("pages", "page-" + i, String.class, () -> kilobyte);
            settle(pages, blocks);
        }
        assertEquals(0, blocks.weight());
        assertTrue(pages.weight() > BUDGET / 2, "the pages took the room the blocks left: " + pages.weight());
        assertTrue(pages.weight() <= BUDGET);
    }

    private void settle(L1Region... regions) {
        engine().rebalanceL1();
        for (L1Region region : regions) {
            region.cleanUp();
        }
    }
}
