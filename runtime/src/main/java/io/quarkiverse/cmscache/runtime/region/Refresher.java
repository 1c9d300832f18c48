package io.quarkiverse.cmscache.runtime.region;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.quarkiverse.cmscache.runtime.l2.ValueType;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs background refreshes: at most one per key in this instance (and, through a Redis lease, in the cluster).
 * Blocking recipes run on the worker pool, asynchronous ones on a fresh Vert.x duplicated context, both in a request
 * context. Thread-safe.
 */
public final class Refresher {

    private static final Logger LOG = Logger.getLogger(Refresher.class);

    private final Vertx vertx;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public Refresher(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * Reloads an entry in the background, unless it is being refreshed already or cannot be. The caller has checked
     * that the entry's refresh is not deferred.
     */
    void schedule(Region region, Entry current, ValueType type, Recipe recipe) {
        if (recipe == null || closed || !running.add(current.key())) {
            return;
        }
        try {
            if (recipe.async()) {
                Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
                context.runOnContext(ignored -> region.refreshAsync(current, type, recipe)
                        .subscribe().with(ok -> running.remove(current.key()), failure -> {
                            running.remove(current.key());
                            LOG.debugf("CMS cache refresh of %s failed: %s", current.key(), failure.getMessage());
                        }));
            } else {
                Infrastructure.getDefaultWorkerPool().execute(() -> {
                    try {
                        if (!closed) {
                            region.refresh(current, type, recipe);
                        }
                    } catch (RuntimeException | Error e) {
                        // Only when the application stops under a running refresh: its contexts are gone.
                        LOG.debugf("CMS cache refresh of %s stopped: %s", current.key(), e.getMessage());
                    } finally {
                        running.remove(current.key());
                    }
                });
            }
        } catch (RuntimeException e) {
            running.remove(current.key());
            LOG.debugf("CMS cache could not schedule the refresh of %s: %s", current.key(), e.getMessage());
        }
    }

    /**
     * @return the keys being refreshed now
     */
    public Set<String> running() {
        return Set.copyOf(running);
    }

    public void close() {
        closed = true;
    }
}
