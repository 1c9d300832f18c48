package io.quarkiverse.cmscache.runtime.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.config.TestSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;

/**
 * The L1 side of "no stale repopulation", in both orders a fetch's fill and an invalidation can take: an entry
 * fetched before an invalidation of one of its tags never stays in L1 after the invalidation, whichever runs first,
 * and an entry fetched after it is kept. And the fill itself: an entry is never visible before its check has passed.
 */
class FillProtocolTest {

    final TagIndex index = new TagIndex();
    final TagVersions versions = new TagVersions(Duration.ofHours(1), Duration.ofSeconds(1));
    final Region region = new Region(
            TestSettings.region("block"),
            index, versions, null, new EntryCodec(new ObjectMapper()), AfterCommit.NONE, new Refresher(null), null,
            "test");

    /** An entry whose load began at the given local epoch. */
    Entry entry(long fetchStarted, String key, String... dependencies) {
        String[] tags = Entry.tags(key, "block", List.of(dependencies));
        return new Entry(key, "block", "value of " + key, tags, 0, System.currentTimeMillis(), 10, 0,
                Entry.epochs(tags.length, fetchStarted), null);
    }

    /** What the invalidation path does on an instance: record the tag, then evict what the index holds. */
    void invalidate(String tag) {
        versions.recordInvalidated(List.of(tag));
        index.forEach(tag, region::evict);
    }

    @Test
    void fillAfterTheInvalidationIsUndone() {
        long fetchStarted = versions.epoch();
        Entry fetched = entry(fetchStarted, "block:a", "menu:main");

        invalidate("menu:main");
        region.fill(fetched);

        assertNull(region.l1().get("block:a"));
        assertEquals(1, region.stats().staleWritesRejected());
    }

    @Test
    void fillBeforeTheInvalidationIsEvictedByIt() {
        long fetchStarted = versions.epoch();
        Entry fetched = entry(fetchStarted, "block:b", "menu:main");

        region.fill(fetched);
        assertNotNull(region.l1().get("block:b"));
        invalidate("menu:main");

        assertNull(region.l1().get("block:b"));
        assertEquals(1, region.stats().invalidations());
    }

    @Test
    void fetchStartedAfterTheInvalidationIsKept() {
        invalidate("menu:main");
        long fetchStarted = versions.epoch();

        region.fill(entry(fetchStarted, "block:c", "menu:main"));

        assertNotNull(region.l1().get("block:c"));
    }

    @Test
    void invalidationOfAnotherTagDoesNotTouchTheEntry() {
        long fetchStarted = versions.epoch();
        invalidate("menu:footer");

        region.fill(entry(fetchStarted, "block:d", "menu:main"));

        assertNotNull(region.l1().get("block:d"));
    }

    @Test
    void replacedEntryIsNotEvictedByATagOnlyTheOldOneCarried() {
        region.fill(entry(versions.epoch(), "block:e", "block:old-child"));
        region.fill(entry(versions.epoch(), "block:e", "block:new-child"));

        invalidate("block:old-child");

        assertNotNull(region.l1().get("block:e"), "the current entry no longer depends on block:old-child");
    }

    @Test
    void droppingTheWholeL1UndoesFillsOfFetchesStartedBefore() {
        long fetchStarted = versions.epoch();
        versions.recordDropAll();

        region.fill(entry(fetchStarted, "block:f"));

        assertNull(region.l1().get("block:f"));
    }

    @Test
    void anEntryIsNotVisibleWhileItIsChecked() {
        Entry fetched = entry(versions.epoch(), "block:g", "menu:main");
        List<Entry> visibleDuringCheck = new java.util.ArrayList<>();
        List<String> indexedDuringCheck = new java.util.ArrayList<>();

        boolean published = region.l1().fill(fetched, candidate -> {
            Entry visible = region.l1().get("block:g");
            if (visible != null) {
                visibleDuringCheck.add(visible);
            }
            index.forEach("menu:main", e -> indexedDuringCheck.add(e.key()));
            return false;
        });

        assertEquals(false, published);
        assertEquals(List.of(), visibleDuringCheck, "readers must not see an entry before its check passed");
        assertEquals(List.of("block:g"), indexedDuringCheck, "an invalidation looking meanwhile must find it");
        assertNull(region.l1().get("block:g"));
        List<String> indexedAfter = new java.util.ArrayList<>();
        index.forEach("menu:main", e -> indexedAfter.add(e.key()));
        assertEquals(List.of(), indexedAfter, "a refused entry leaves the index");
    }

    @Test
    void aPageMadeOfAnOutOfDateBlockIsNotFilled() {
        // The block was read while current, at epoch 0; the page was computed later, at epoch 1, from that block.
        long blockRead = versions.epoch();
        invalidate("menu:unrelated");
        long pageStarted = versions.epoch();
        invalidate("block:h");
        String[] tags = Entry.tags("block:page", "block", List.of("block:h"));
        long[] epochs = Entry.epochs(tags.length, pageStarted);
        epochs[2] = blockRead;

        region.fill(new Entry("block:page", "block", "page", tags, 0, System.currentTimeMillis(), 4, 0, epochs, null));

        assertNull(region.l1().get("block:page"), "the block it was made of was invalidated after it was read");
    }
}
