package io.quarkiverse.cmscache.runtime.region;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * The loader of one non-blocking read: returns the {@code Uni} loading the value now, and knows how to load it
 * again later.
 */
public interface AsyncLoader extends Supplier<Uni<?>>, Reloadable {
}
