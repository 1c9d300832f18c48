package io.quarkiverse.cmscache.runtime.entry;

import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.quarkiverse.cmscache.CmsCache;

/**
 * The one place where entry keys and tags are built and checked.
 * <p>
 * A key is {@code <region>} followed by {@code :<part>} for each key part. No two part values with different texts
 * encode to the same part, and no part contains a character that acts as a separator, a pattern or a hash tag:
 * <ul>
 * <li>A scalar (any other object: its {@link Enum#name() name} for an enum constant, else its {@code toString()}) is
 * percent-encoded: every character other than ASCII letters, digits and {@code - . _ ~} becomes {@code %XX} for each
 * of its UTF-8 bytes. So {@code :} inside a part cannot fake a part boundary, {@code * ? [ ]} cannot act as patterns,
 * {@code { }} cannot pick a Redis Cluster hash slot, and spaces, newlines or non-ASCII text cannot break the Redis
 * value format or the pub/sub message format. {@code null} is the part {@code %null}, which no encoded string can
 * equal.</li>
 * <li>A {@link Collection} or an array is encoded element by element, each element as a part:
 * {@code (<e1>,<e2>...)}, so {@code List.of("a", "b")} is {@code (a,b)} and {@code List.of("a, b")} is
 * {@code (a%2C%20b)}. Collections nest: {@code ((a,b),c)}. The empty collection is {@code ()}; an element whose
 * encoding is empty (the empty string) is written {@code %}, so that {@code List.of("")} is {@code (%)}. A
 * {@link Set}'s elements are sorted by their encoding, so that equal sets give equal keys on every instance whatever
 * their iteration order.</li>
 * <li>A {@link Map} is encoded as its entries {@code <key>=<value>}, each side a part, sorted by their encoding:
 * {@code (lang=en,tags=(x,y))}.</li>
 * </ul>
 * {@code ( ) , =} and a {@code %} not followed by two hex digits or {@code null} are never produced by encoding a
 * scalar, which is what makes the structure unambiguous. As with scalars, values are compared by their text: the
 * list {@code [1]} and the list {@code ["1"]}, or a set and a list of the same elements in sorted order, give the same
 * part.
 * <p>
 * A tag is any key, a region tag {@code @<region>}, or a tag chosen by the application (see {@link #checkTag}).
 */
public final class EntryKeys {

    /** Starts every region tag; application tags may not start with it. */
    public static final char REGION_TAG_MARK = '@';

    static final String NULL_PART = "%null";
    // Percent-encoded in scalars, so free to frame collections and maps.
    private static final String COLLECTION_START = "(";
    private static final String COLLECTION_END = ")";
    private static final String ELEMENT_SEPARATOR = ",";
    private static final String MAP_ENTRY = "=";
    private static final String EMPTY_ELEMENT = "%";
    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_TAG_LENGTH = 1024;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private EntryKeys() {
    }

    /**
     * @return the region name, if valid
     * @throws IllegalArgumentException naming the rule otherwise
     */
    public static String checkRegion(String region) {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("Invalid CMS cache region name '" + region
                    + "': use 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or a digit");
        }
        return region;
    }

    /**
     * @return whether the name is a valid region name
     */
    public static boolean isValidRegion(String region) {
        return region != null && REGION.matcher(region).matches();
    }

    /**
     * @return the region tag, carried by every entry of the region
     */
    public static String regionTag(String region) {
        return REGION_TAG_MARK + region;
    }

    /**
     * Builds a key from an argument of {@link CmsCache}: one part, or a {@link CmsCache.Key} of several.
     */
    public static String keyOf(String region, Object key) {
        if (key instanceof CmsCache.Key composite) {
            List<Object> parts = composite.parts();
            return key(region, parts.toArray());
        }
        return key(region, key);
    }

    /**
     * @return the key of a single-part entry
     */
    public static String key(String region, Object part) {
        String encoded = encodePart(part);
        return new StringBuilder(region.length() + 1 + encoded.length()).append(region).append(':').append(encoded)
                .toString();
    }

    /**
     * @return the key made of the region and the parts, in order
     */
    public static String key(String region, Object[] parts) {
        if (parts.length == 1) {
            return key(region, parts[0]);
        }
        StringBuilder key = new StringBuilder(region.length() + 16 * parts.length).append(region);
        for (Object part : parts) {
            key.append(':').append(encodePart(part));
        }
        return key.toString();
    }

    /**
     * @return the region of a key or identity tag
     */
    public static String regionOf(String key) {
        int colon = key.indexOf(':');
        return colon < 0 ? key : key.substring(0, colon);
    }

    static String encodePart(Object part) {
        if (part == null) {
            return NULL_PART;
        }
        if (part instanceof Collection<?> elements) {
            return encodeElements(elements, part instanceof Set);
        }
        if (part instanceof Map<?, ?> map) {
            List<String> entries = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                entries.add(encodeElement(entry.getKey()) + MAP_ENTRY + encodeElement(entry.getValue()));
            }
            return frame(entries, true);
        }
        if (part.getClass().isArray()) {
            List<Object> elements = new ArrayList<>(Array.getLength(part));
            for (int i = 0; i < Array.getLength(part); i++) {
                elements.add(Array.get(part, i));
            }
            return encodeElements(elements, false);
        }
        String text = part instanceof Enum<?> constant ? constant.name() : part.toString();
        for (int i = 0; i < text.length(); i++) {
            if (!isUnreserved(text.charAt(i))) {
                return percentEncode(text, i);
            }
        }
        return text;
    }

    private static String encodeElements(Collection<?> elements, boolean unordered) {
        List<String> encoded = new ArrayList<>(elements.size());
        for (Object element : elements) {
            encoded.add(encodeElement(element));
        }
        return frame(encoded, unordered);
    }

    /** Written {@code %} when empty, so that {@code [""]} does not become the empty collection {@code ()}. */
    private static String encodeElement(Object element) {
        String encoded = encodePart(element);
        return encoded.isEmpty() ? EMPTY_ELEMENT : encoded;
    }

    private static String frame(List<String> encoded, boolean unordered) {
        if (unordered) {
            encoded.sort(null);
        }
        return COLLECTION_START + String.join(ELEMENT_SEPARATOR, encoded) + COLLECTION_END;
    }

    private static String percentEncode(String text, int firstUnsafe) {
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, firstUnsafe);
        byte[] bytes = text.substring(firstUnsafe).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            char c = (char) (b & 0xFF);
            if (c < 0x80 && isUnreserved(c)) {
                out.append(c);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /**
     * Checks a tag given by the application. Tags are printable ASCII without spaces, so that they fit the Redis
     * value and pub/sub formats; without {@code { } * ? [ ] \ " '}, so that they never act as patterns or hash tags;
     * and they do not start with {@code @} unless they are the tag of a valid region.
     *
     * @return the tag
     * @throws IllegalArgumentException naming the tag and the offending character
     */
    public static String checkTag(String tag) {
        if (tag == null || tag.isEmpty()) {
            throw new IllegalArgumentException("A CMS cache tag must not be null or empty");
        }
        if (tag.length() > MAX_TAG_LENGTH) {
            throw new IllegalArgumentException("CMS cache tag is longer than " + MAX_TAG_LENGTH + " characters: '"
                    + tag.substring(0, 64) + "...'");
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c <= 0x20 || c >= 0x7F || "{}*?[]\\\"'".indexOf(c) >= 0) {
                throw new IllegalArgumentException("CMS cache tag '" + printable(tag) + "' contains the character "
                        + describe(c) + " at index " + i
                        + "; build tags from arbitrary values with CmsCache.tag(region, parts...)");
            }
        }
        if (tag.charAt(0) == REGION_TAG_MARK && !isValidRegion(tag.substring(1))) {
            throw new IllegalArgumentException("CMS cache tag '" + tag
                    + "' starts with '@', which is reserved for region tags, but '" + tag.substring(1)
                    + "' is not a valid region name");
        }
        return tag;
    }

    /**
     * Checks every tag of a collection; see {@link #checkTag(String)}.
     */
    public static void checkTags(Collection<String> tags) {
        for (String tag : tags) {
            checkTag(tag);
        }
    }

    private static String describe(char c) {
        return c >= 0x21 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static String printable(String tag) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tag.length() && i < 128; i++) {
            char c = tag.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }
}
