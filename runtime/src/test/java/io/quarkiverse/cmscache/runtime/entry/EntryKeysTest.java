package io.quarkiverse.cmscache.runtime.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Keys are built from arbitrary values: no two different part lists may give the same key, and no key may contain a
 * character that acts as a pattern, a hash tag or a separator of the Redis value and message formats.
 */
class EntryKeysTest {

    @Test
    void plainIdentifiersStayReadable() {
        assertEquals("block:header", EntryKeys.key("block", "header"));
        assertEquals("rendered:home:en", EntryKeys.key("rendered", new Object[] { "home", "en" }));
        assertEquals("rendered:42:EN_GB", EntryKeys.key("rendered", new Object[] { 42, Lang.EN_GB }));
        assertEquals("menu", EntryKeys.key("menu", new Object[0]));
    }

    @Test
    void separatorsInsideAPartCannotFakeAPartBoundary() {
        assertNotEquals(EntryKeys.key("page", "a:b"), EntryKeys.key("page", new Object[] { "a", "b" }));
        assertEquals("page:a%3Ab", EntryKeys.key("page", "a:b"));
    }

    @Test
    void nullAndTheTextNullAndEmptyAreDistinct() {
        Set<String> keys = Set.of(EntryKeys.key("p", (Object) null), EntryKeys.key("p", "null"),
                EntryKeys.key("p", ""), EntryKeys.key("p", "%null"), EntryKeys.key("p", new Object[0]));
        assertEquals(5, keys.size(), keys::toString);
    }

    @Test
    void hostileValuesGiveDistinctKeysOfSafeCharacters() {
        List<String> values = List.of("*", "?", "[a]", "{slot}", "a b", "a\nb", "a\rb", "é", "e\u0301", "日本",
                "a%3Ab", "a:b", "\u0000", "\\", "\"", "'", "~", "a|b", "a b ");
        Set<String> keys = new HashSet<>();
        for (String value : values) {
            String key = EntryKeys.key("block", value);
            assertTrue(key.chars().allMatch(c -> c > 0x20 && c < 0x7F && "{}*?[]\\\"' |".indexOf(c) < 0),
                    () -> "unsafe character in " + key);
            keys.add(key);
        }
        assertEquals(values.size(), keys.size(), "every value has a key of its own");
    }

    @Test
    void applicationTagsAreCheckedWithAClearMessage() {
        assertEquals("menu:main", EntryKeys.checkTag("menu:main"));
        assertEquals("@block", EntryKeys.checkTag("@block"));
        IllegalArgumentException space = assertThrows(IllegalArgumentException.class,
                () -> EntryKeys.checkTag("menu main"));
        assertTrue(space.getMessage().contains("'menu main'") && space.getMessage().contains("U+0020"),
                space.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EntryKeys.checkTag("block:*"));
        assertThrows(IllegalArgumentException.class, () -> EntryKeys.checkTag("{x}"));
        assertThrows(IllegalArgumentException.class, () -> EntryKeys.checkTag(""));
        assertThrows(IllegalArgumentException.class, () -> EntryKeys.checkTag("@bad region"));
        assertThrows(IllegalArgumentException.class, () -> EntryKeys.checkTag("caf\u00e9"));
    }

    @Test
    void regionNamesAreChecked() {
        assertEquals("rendered-html", EntryKeys.checkRegion("rendered-html"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryKeys.checkRegion("a:b"));
        assertTrue(e.getMessage().contains("'a:b'"));
    }

    enum Lang {
        EN_GB;

        @Override
        public String toString() {
            return "English";
        }
    }
}
