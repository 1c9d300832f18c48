package io.quarkiverse.cmscache.runtime.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * What the cache knows of the current HTTP request: whether it bypasses the cache, and, for
 * {@link io.quarkiverse.cmscache.CmsCachedResponse} methods, the entries it read directly. Kept in the request's
 * duplicated Vert.x context, which Quarkus carries to the worker thread of a blocking endpoint.
 * <p>
 * Reads look it up only once an HTTP integration is active ({@link #activate()}), so an application without HTTP
 * pays nothing. Thread-safe: a request may read from several threads.
 */
public final class CacheRequest {

    private static final String LOCAL = CacheRequest.class.getName();
    private static volatile boolean active;

    private volatile boolean bypass;
    private volatile boolean collecting;
    private final List<Entry> served = new ArrayList<>(2);

    /**
     * Called by the HTTP integrations at start-up.
     */
    public static void activate() {
        active = true;
    }

    /**
     * @return the state of the current request, or {@code null} outside a request (or when none was created)
     */
    public static CacheRequest current() {
        if (!active) {
            return null;
        }
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return null;
        }
        return ContextLocals.get(LOCAL, null);
    }

    /**
     * @return the state of the current request, created if needed, or {@code null} outside a request
     */
    public static CacheRequest currentOrCreate() {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return null;
        }
        CacheRequest request = ContextLocals.get(LOCAL, null);
        if (request == null) {
            request = new CacheRequest();
            ContextLocals.put(LOCAL, request);
        }
        return request;
    }

    /**
     * Makes the current request bypass the cache.
     *
     * @return whether there was a request
     */
    public static boolean markBypass() {
        activate();
        CacheRequest request = currentOrCreate();
        if (request == null) {
            return false;
        }
        request.bypass = true;
        return true;
    }

    public boolean bypass() {
        return bypass;
    }

    /**
     * Starts recording the entries this request reads directly.
     */
    public void collect() {
        collecting = true;
    }

    /**
     * Records an entry the request read directly (not from inside another entry's computation).
     */
    public void served(Entry entry) {
        if (collecting) {
            synchronized (served) {
                served.add(entry);
            }
        }
    }

    /**
     * @return the entries read directly, in order
     */
    public List<Entry> served() {
        synchronized (served) {
            return List.copyOf(served);
        }
    }

    /**
     * @return a weak entity tag identifying these versions of the entries read
     */
    public static String etag(List<Entry> entries) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Entry entry : entries) {
                digest.update(entry.key().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Long.toString(entry.createdAt()).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) 0);
                digest.update(Long.toString(entry.basis()).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) '\n');
            }
            return "W/\"" + HexFormat.of().formatHex(digest.digest(), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the tags of the entries, in order, without duplicates
     */
    public static Set<String> tags(List<Entry> entries) {
        Set<String> tags = new LinkedHashSet<>();
        for (Entry entry : entries) {
            tags.addAll(List.of(entry.tags()));
        }
        return tags;
    }
}
