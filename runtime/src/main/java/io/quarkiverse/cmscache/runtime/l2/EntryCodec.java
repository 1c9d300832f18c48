package io.quarkiverse.cmscache.runtime.l2;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.entry.Entry;

/**
 * Writes entries to the three fields of their Redis hash and reads them back. The one serializer of the extension.
 * <p>
 * Values are JSON, except strings declared as such (rendered HTML, fragments), which are stored as their UTF-8 bytes
 * behind a marker byte that no JSON text starts with: decoding 50 KiB of HTML as a JSON string costs about as much as
 * fetching it. Entries written as JSON by earlier versions are still read. JSON is written and read by a copy of the
 * application's {@code ObjectMapper} (so its modules apply) with
 * default typing turned off, so no class name from Redis ever chooses what gets instantiated; no Java serialization
 * is used. The copy is strict, so that a value written by an older shape of a class is reported as corrupt instead of
 * being read with missing or ignored fields: unknown properties, missing creator properties and {@code null} for
 * primitives fail, and every property is written (inclusion {@code ALWAYS}).
 * <p>
 * Thread-safe.
 */
public final class EntryCodec {

    /** Version of the field layout; a value with another version is a miss. */
    static final String FORMAT = "1";

    /** First byte of a value stored as plain UTF-8 text: a control character, which no JSON text starts with. */
    private static final byte TEXT = 0x01;

    private final ObjectMapper mapper;
    private final ConcurrentHashMap<Type, ValueType> types = new ConcurrentHashMap<>();

    public EntryCodec(ObjectMapper applicationMapper) {
        this.mapper = applicationMapper.copy();
        mapper.deactivateDefaultTyping();
        mapper.setDefaultPropertyInclusion(JsonInclude.Include.ALWAYS);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }

    /**
     * @return the strict mapper values are written with, also used for the arguments of stored recipes
     */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * @return how to read and write values of the declared type
     */
    public ValueType valueType(Type type) {
        return types.computeIfAbsent(type, t -> {
            JavaType javaType = mapper.getTypeFactory().constructType(t);
            return new ValueType(t, javaType, javaType.toCanonical().replace(" ", ""), mapper.readerFor(javaType),
                    mapper.writerFor(javaType));
        });
    }

    /**
     * @param value the value
     * @param type the declared type, or {@code null} to write the value as its runtime class
     * @return the value as JSON
     * @throws JsonProcessingException if the value cannot be written as JSON
     */
    public byte[] writeValue(Object value, ValueType type) throws JsonProcessingException {
        if (value instanceof String text && (type == null || type.javaType().getRawClass() == String.class)) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            byte[] stored = new byte[utf8.length + 1];
            stored[0] = TEXT;
            System.arraycopy(utf8, 0, stored, 1, utf8.length);
            return stored;
        }
        if (type == null) {
            return mapper.writeValueAsBytes(value);
        }
        return type.writer().writeValueAsBytes(value);
    }

    /**
     * @return a stored value as text for people to read: the text itself, or its JSON
     */
    public static String displayText(byte[] value) {
        if (value.length > 0 && value[0] == TEXT) {
            return new String(value, 1, value.length - 1, StandardCharsets.UTF_8);
        }
        return new String(value, StandardCharsets.UTF_8);
    }

    /**
     * @return the {@code m} field of an entry: format, basis, creation time (epoch ms), load time (µs) and, when
     *         known, the value type it was loaded as
     */
    public static String meta(Entry entry) {
        String meta = FORMAT + " " + entry.basis() + " " + entry.createdAt() + " " + entry.loadNanos() / 1000;
        return entry.type() == null ? meta : meta + " " + entry.type().storedName();
    }

    /**
     * @return the {@code t} field of an entry: every tag, separated and framed by spaces, so that a script can find
     *         {@code " <tag> "} in it
     */
    public static String tagsField(Entry entry) {
        StringBuilder field = new StringBuilder(" ");
        for (String tag : entry.tags()) {
            field.append(tag).append(' ');
        }
        return field.toString();
    }

    /**
     * Reads an entry from its three fields.
     *
     * @param epoch the local epoch at which the fetch that read it began, for each of its tags
     * @return the entry, or {@code null} if it was loaded as another type than {@code type} (the same key read with
     *         two types: a miss, not a corrupt entry)
     * @throws CorruptEntryException if a field is missing or malformed, or the JSON does not fit the type
     */
    public Entry read(String key, String region, byte[] meta, byte[] tags, byte[] value, ValueType type, long epoch)
            throws CorruptEntryException {
        if (meta == null || tags == null || value == null) {
            throw new CorruptEntryException("entry " + key + " lacks a field", null);
        }
        String[] m = new String(meta, StandardCharsets.US_ASCII).split(" ");
        if (m.length < 3 || m.length > 5 || !FORMAT.equals(m[0])) {
            throw new CorruptEntryException("entry " + key + " has an unknown format '" + m[0] + "'", null);
        }
        long basis;
        long createdAt;
        long loadNanos;
        try {
            basis = Long.parseLong(m[1]);
            createdAt = Long.parseLong(m[2]);
            loadNanos = m.length >= 4 ? Long.parseLong(m[3]) * 1000 : 0;
        } catch (NumberFormatException e) {
            throw new CorruptEntryException("entry " + key + " has malformed metadata", e);
        }
        if (m.length == 5 && !m[4].equals(type.storedName())) {
            return null;
        }
        String tagText = new String(tags, StandardCharsets.US_ASCII).trim();
        String[] tagArray = tagText.isEmpty() ? new String[0] : tagText.split(" ");
        Object object;
        if (value.length > 0 && value[0] == TEXT) {
            if (!type.javaType().getRawClass().isAssignableFrom(String.class)) {
                throw new CorruptEntryException("entry " + key + " holds text, not " + type.javaType(), null);
            }
            return new Entry(key, region, new String(value, 1, value.length - 1, StandardCharsets.UTF_8), tagArray,
                    basis, createdAt, value.length, loadNanos, Entry.epochs(tagArray.length, epoch), type);
        }
        try {
            object = type.reader().readValue(value);
        } catch (IOException | RuntimeException e) {
            throw new CorruptEntryException("entry " + key + " does not deserialize as " + type.javaType() + ": "
                    + e.getMessage(), e);
        }
        return new Entry(key, region, object, tagArray, basis, createdAt, value.length, loadNanos,
                Entry.epochs(tagArray.length, epoch), type);
    }
}
