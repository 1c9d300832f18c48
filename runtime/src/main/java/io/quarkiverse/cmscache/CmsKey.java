package io.quarkiverse.cmscache;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a parameter of a {@link CmsCached @CmsCached} or {@link CmsInvalidate @CmsInvalidate} method as a part of
 * the entry key. Parts are taken in parameter order. When no parameter is marked, every parameter is a key part.
 * <p>
 * A part's text is its {@code String} value, an enum constant's {@code name()}, or {@code toString()} for other
 * types; the build fails when a key parameter's type is a class of the application that does not override
 * {@code toString()}, because such a key would differ on every call. {@code null} is a distinct part of its own.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface CmsKey {
}
