package io.quarkiverse.cmscache;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

/**
 * Caches the result of a CDI bean method in the two-level CMS cache (L1 in this instance, L2 in Redis).
 * <p>
 * The entry's key is {@code <region>:<part1>:<part2>...}, built from the values of the parameters annotated
 * {@link CmsKey @CmsKey}, or of all parameters when none is annotated. Each part is encoded so that no value
 * (containing {@code :}, {@code *}, spaces, non-ASCII...) can collide with another key or act as a pattern; see
 * {@link CmsCache#tag(String, Object...)}. The key is also the entry's <em>identity tag</em>: invalidating it evicts
 * the entry and every entry that depends on it.
 * <p>
 * <b>Identity.</b> An entry key names exactly one computation and one value type. So a region belongs to at most one
 * {@code @CmsCached} method per application: two methods naming the same region would answer for each other
 * ({@code html("header")} and {@code title("header")} both {@code block:header}), and that is a build error naming the
 * region and both methods. Give each method its own region, and list every region on the method that edits them, one
 * {@link CmsInvalidate @CmsInvalidate} per region (it is repeatable), so that an edit still evicts both:
 *
 * <pre>
 * &#64;CmsCached(region = "block-html")
 * String html(String id) { ... }
 *
 * &#64;CmsCached(region = "block-title")
 * String title(String id) { ... }
 *
 * &#64;CmsInvalidate(region = "block-html")
 * &#64;CmsInvalidate(region = "block-title")
 * void save(String id, Block block) { ... }
 * </pre>
 *
 * An override of an annotated method, and the bridge method the compiler adds for it, are the same method.
 * {@link CmsCache} may read and write a method's region; the caller is then responsible for computing the same value
 * the method would.
 * <p>
 * Supported return types are plain types and {@code Uni<T>} (the item is cached, not the {@code Uni}). Exceptions are
 * never cached. A {@code null} result is cached as a negative entry unless the region's {@code negative-caching} is
 * off. Values are stored in Redis as JSON of the method's generic return type, so records and collections round-trip;
 * treat a cached value as immutable, because every caller of this instance shares the same object.
 * <p>
 * <b>Dependencies.</b> While the method runs, every cached read it makes (another {@code @CmsCached} method or
 * {@link CmsCache} read, hit or miss, in L1 or L2, at any depth and across {@code Uni} chains) adds the inner entry's
 * identity tag and all of its tags to this entry. {@link CmsDependencies#add(String...)} adds tags for data not read
 * through the cache.
 * <p>
 * <b>Concurrency.</b> Concurrent misses of one key in one instance run the method once; the others wait for its
 * result. A result computed while a tag it depends on was invalidated is returned to its callers but never stored.
 * <p>
 * Using this annotation on a private or static method, on a method returning {@code void}, on a second method of a
 * region, or on a class other than the extension's interceptor is a build error.
 */
@InterceptorBinding
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
public @interface CmsCached {

    /**
     * The region the entries belong to, for example {@code block}, {@code page} or {@code rendered}. Regions have
     * their own L1 bounds, expiry and Redis TTL ({@code quarkus.cms-cache.regions."<region>".*}). A region name
     * consists of ASCII letters, digits, {@code .}, {@code _} and {@code -} and starts with a letter or a digit. No
     * other {@code @CmsCached} method of the application may name it.
     */
    @Nonbinding
    String region();
}
