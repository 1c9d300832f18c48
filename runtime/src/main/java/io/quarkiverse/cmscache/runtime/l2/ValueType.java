package io.quarkiverse.cmscache.runtime.l2;

import java.lang.reflect.Type;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * How values of one declared type are written to and read from JSON: the method's generic return type (the item
 * type for {@code Uni<T>}) or the type given to {@code CmsCache}. Built once per type by {@link EntryCodec}, so that
 * two equal types share one instance and entries compare their types by identity.
 *
 * @param declared the declared type it was first built for (an equal type may be another object)
 * @param javaType the Jackson type
 * @param storedName the name stored with an entry in Redis: Jackson's canonical form of the type, without spaces
 * @param reader reads JSON into the type
 * @param writer writes values as the declared type (not as their runtime class)
 */
public record ValueType(Type declared, JavaType javaType, String storedName, ObjectReader reader,
        ObjectWriter writer) {
}
