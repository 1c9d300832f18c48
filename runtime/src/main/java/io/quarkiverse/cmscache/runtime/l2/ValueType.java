package io.quarkiverse.cmscache.runtime.l2;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * How values of one declared type are written to and read from JSON: the method's generic return type (the item
 * type for {@code Uni<T>}) or the type given to {@code CmsCache}. Built once per type by {@link EntryCodec}.
 *
 * @param javaType the Jackson type
 * @param reader reads JSON into the type
 * @param writer writes values as the declared type (not as their runtime class)
 */
public record ValueType(JavaType javaType, ObjectReader reader, ObjectWriter writer) {
}
