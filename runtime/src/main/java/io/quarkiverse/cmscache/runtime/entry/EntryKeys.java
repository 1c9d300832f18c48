package io.quarkiverse.cmscache.runtime.entry;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import io.quarkiverse.cmscache.CmsCache;

/**
 * The one place where entry keys and tags are built and checked.
 * <p>
 * A key is {@code <region>} followed by {@code :<part>} for each key part. Parts are percent-encoded: every character
 * other than ASCII letters, digits and {@code - . _ ~} becomes {@code %XX} for each of its UTF-8 bytes. So {@code :}
 * inside a part cannot fake a part boundary, {@code * ? [ ]} cannot act as patterns, {@code { }} cannot pick a Redis
 * Cluster hash slot, and spaces, newlines or non-ASCII text cannot break the Redis value format or the pub/sub
 * message format. {@code null} is the part {@code %null}, which no encoded string can equal.
 * <p>
 * A tag is any key, a region tag {@code @<region>}, or a tag chosen by the application (see {@link #checkTag}).
 */
public final class EntryKeys {

    /** Starts every region tag; application tags may not start with it. */
    public static final char REGION_TAG_MARK = '@';

    static final String NULL_PART = "%null";
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
        String text = part instanceof Enum<?> constant ? constant.name() : part.toString();
        for (int i = 0; i < text.length(); i++) {
            if (!isUnreserved(text.charAt(i))) {
                return percentEncode(text, i);
            }
        }
        return text;
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
