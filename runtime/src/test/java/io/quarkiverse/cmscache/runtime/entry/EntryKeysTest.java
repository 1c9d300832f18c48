package io.quarkiverse.cmscache.runtime.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
    void scalarKeysAreUnchangedByTheEncodingOfCollections() {
        // Keys written before collections were encoded element by element stay the keys of the same values.
        assertEquals("block:header", EntryKeys.key("block", "header"));
        assertEquals("p:a%2C%20b", EntryKeys.key("p", "a, b"));
        assertEquals("p:%28a%29", EntryKeys.key("p", "(a)"));
        assertEquals("p:%3D", EntryKeys.key("p", "="));
        assertEquals("p:", EntryKeys.key("p", ""));
        assertEquals("p:%null", EntryKeys.key("p", (Object) null));
        assertEquals("p:%C3%A9", EntryKeys.key("p", "\u00e9"));
    }

    @Test
    void collectionsAreEncodedElementByElement() {
        assertNotEquals(EntryKeys.key("p", List.of("a, b")), EntryKeys.key("p", List.of("a", "b")));
        assertNotEquals(EntryKeys.key("p", List.of("a,b")), EntryKeys.key("p", List.of("a", "b")));
        assertNotEquals(EntryKeys.key("p", List.of("[a]")), EntryKeys.key("p", List.of("a")));
        assertEquals("p:(a,b)", EntryKeys.key("p", List.of("a", "b")));
        assertEquals("p:(a%2C%20b)", EntryKeys.key("p", List.of("a, b")));
    }

    @Test
    void nestedCollectionsKeepTheirStructure() {
        List<Object> values = List.of(List.of(List.of("a", "b"), "c"), List.of("a", List.of("b", "c")),
                List.of("a", "b", "c"), List.of(List.of("a"), List.of("b", "c")), List.of(List.of("a", "b", "c")),
                List.of(List.of(List.of("a")), "b", "c"));
        assertEachHasAKeyOfItsOwn(values);
        assertEquals("p:((a,b),c)", EntryKeys.key("p", values.get(0)));
    }

    @Test
    void emptyCollectionNullAndEmptyTextAreDistinct() {
        List<Object> values = new ArrayList<>(Arrays.asList(List.of(), null, "", "()", List.of(""), List.of("", ""),
                Arrays.asList((Object) null), "%null", List.of(List.of()), List.of(List.of(), List.of())));
        assertEachHasAKeyOfItsOwn(values);
    }

    @Test
    void arraysAreEncodedLikeLists() {
        assertEquals(EntryKeys.key("p", List.of("a", "b")), EntryKeys.key("p", (Object) new String[] { "a", "b" }));
        assertEquals(EntryKeys.key("p", List.of(1, 2)), EntryKeys.key("p", new int[] { 1, 2 }));
        assertEquals("p:(a,b)", EntryKeys.key("p", (Object) new String[] { "a", "b" }), "not [Ljava.lang.String;@...");
        assertNotEquals(EntryKeys.key("p", (Object) new String[] { "a, b" }),
                EntryKeys.key("p", (Object) new String[] { "a", "b" }));
        assertEquals("p:(x):y", EntryKeys.key("p", new Object[] { new String[] { "x" }, "y" }));
    }

    @Test
    void equalSetsAndMapsGiveEqualKeysWhateverTheirIterationOrder() {
        Set<String> ab = new LinkedHashSet<>(List.of("a", "b"));
        Set<String> ba = new LinkedHashSet<>(List.of("b", "a"));
        assertEquals(EntryKeys.key("p", ab), EntryKeys.key("p", ba));
        Map<String, Object> map = new TreeMap<>(Map.of("lang", "en", "tags", List.of("x", "y")));
        assertEquals(EntryKeys.key("p", map), EntryKeys.key("p", Map.of("tags", List.of("x", "y"), "lang", "en")));
        assertEquals("p:(lang=en,tags=(x,y))", EntryKeys.key("p", map));
        assertNotEquals(EntryKeys.key("p", Map.of("a", "b=c")), EntryKeys.key("p", Map.of("a=b", "c")));
    }

    @Test
    void keysOfCollectionsHaveOnlySafeCharacters() {
        String key = EntryKeys.key("p", List.of("*", List.of("{slot}", "a:b"), Map.of("[k]", "? v")));
        assertTrue(key.chars().allMatch(c -> c > 0x20 && c < 0x7F && "{}*?[]\\\"' |".indexOf(c) < 0),
                () -> "unsafe character in " + key);
        assertEquals(1, key.chars().filter(c -> c == ':').count(), key);
    }

    private static void assertEachHasAKeyOfItsOwn(List<Object> values) {
        Set<String> keys = new HashSet<>();
        for (Object value : values) {
            keys.add(EntryKeys.key("p", value));
        }
        assertEquals(values.size(), keys.size(), () -> "keys " + keys + " of " + values);
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
