package io.quarkiverse.cmscache;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

/**
 * After the annotated method returns normally, invalidates the tag {@code <region>:<key>}: the entry with that key
 * and every entry that depends on it, in L1 on every instance and in Redis. Nothing else is evicted.
 * <p>
 * The key is built exactly as for {@link CmsCached @CmsCached}: from the parameters named in {@link #keys()}, else
 * from the parameters annotated {@link CmsKey @CmsKey}, else from all parameters. The annotation is repeatable, so
 * one method can invalidate entries of several regions, each from its own parameters:
 *
 * <pre>
 * &#64;CmsInvalidate(region = "block", keys = "blockId")
 * &#64;CmsInvalidate(region = "page", keys = "pageId")
 * void move(String blockId, String pageId) { ... }
 * </pre>
 *
 * <b>When it takes effect.</b> When the method returns (for a {@code Uni}, when its item is emitted and before it
 * reaches the subscriber), this instance no longer serves the old entries and Redis no longer holds them; other
 * instances drop them from their L1 within milliseconds. Inside a JTA transaction the invalidation is deferred until
 * the transaction commits (and dropped on rollback), so no instance can re-cache the old content in between. A method
 * that throws invalidates nothing.
 * <p>
 * Naming a parameter that does not exist in {@link #keys()}, or using the annotation on a private method, is a
 * build error.
 */
@InterceptorBinding
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Repeatable(CmsInvalidate.List.class)
public @interface CmsInvalidate {

    /**
     * The region of the entry to invalidate.
     */
    @Nonbinding
    String region();

    /**
     * The names of the parameters that form the key, in key order. Empty (the default) means the parameters
     * annotated {@link CmsKey @CmsKey}, or all parameters when none is. Parameter names require compiling with
     * {@code -parameters}, as Quarkus projects do by default.
     */
    @Nonbinding
    String[] keys() default {};

    /**
     * Holds repeated {@link CmsInvalidate} annotations.
     */
    @Target({ ElementType.TYPE, ElementType.METHOD })
    @Retention(RetentionPolicy.RUNTIME)
    @interface List {
        CmsInvalidate[] value();
    }
}
