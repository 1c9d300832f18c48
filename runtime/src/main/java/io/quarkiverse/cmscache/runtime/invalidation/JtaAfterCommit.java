package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.jboss.logging.Logger;

/**
 * {@link AfterCommit} for JTA: pending tags live in a transaction-scoped resource, run by an interposed
 * {@link Synchronization} after completion, only when the status is {@code STATUS_COMMITTED}. Narayana runs it on
 * the committing thread, so when a {@code @Transactional} method returns, its invalidations have taken effect.
 * <p>
 * Registered as a bean by the extension only when the application has JTA. Thread-safe.
 */
public class JtaAfterCommit implements AfterCommit {

    private static final Logger LOG = Logger.getLogger(JtaAfterCommit.class);
    private static final Object RESOURCE = JtaAfterCommit.class;

    private final TransactionSynchronizationRegistry registry;
    /** Transactions with dirty tags now; while 0, {@link #dirtyTags} does not touch the registry. */
    private final AtomicInteger openDirty = new AtomicInteger();

    @Inject
    public JtaAfterCommit(TransactionSynchronizationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean markDirty(Object owner, Set<String> tags) {
        Pending pending = pending(true);
        if (pending == null) {
            return false;
        }
        pending.of(owner).dirty.addAll(tags);
        return true;
    }

    @Override
    public boolean defer(Object owner, Set<String> tags, Consumer<Set<String>> invalidation) {
        Pending pending = pending(true);
        if (pending == null) {
            return false;
        }
        Pending.Owned owned = pending.of(owner);
        owned.dirty.addAll(tags);
        owned.invalidation = invalidation;
        owned.toInvalidate.addAll(tags);
        return true;
    }

    @Override
    public Set<String> dirtyTags(Object owner) {
        if (openDirty.get() == 0) {
            return Set.of();
        }
        Pending pending = pending(false);
        if (pending == null) {
            return Set.of();
        }
        Pending.Owned owned = pending.owners.get(owner);
        return owned == null ? Set.of() : owned.dirty;
    }

    private Pending pending(boolean create) {
        if (registry.getTransactionKey() == null) {
            return null;
        }
        int status = registry.getTransactionStatus();
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            // Completing already: synchronizations can no longer be registered, so the caller acts now.
            return null;
        }
        Pending pending = (Pending) registry.getResource(RESOURCE);
        if (pending == null && create) {
            pending = new Pending();
            try {
                registry.registerInterposedSynchronization(pending);
            } catch (IllegalStateException e) {
                // A transaction marked for rollback may refuse synchronizations: it will never commit, so nothing
                // is to be invalidated, but its dirty tags still keep what it computes out of the cache.
                LOG.debugf("Transaction refused a synchronization (%s); its CMS cache invalidations are dropped",
                        e.getMessage());
            }
            registry.putResource(RESOURCE, pending);
            // Counted even without a synchronization: the cost is a registry lookup on reads, never a stale entry.
            openDirty.incrementAndGet();
        }
        return pending;
    }

    private final class Pending implements Synchronization {

        final Map<Object, Owned> owners = new ConcurrentHashMap<>(2);

        Owned of(Object owner) {
            return owners.computeIfAbsent(owner, o -> new Owned());
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            openDirty.decrementAndGet();
            if (status != Status.STATUS_COMMITTED) {
                LOG.debugf("Transaction ended with status %d: dropping its CMS cache invalidations", status);
                return;
            }
            for (Owned owned : owners.values()) {
                if (owned.invalidation != null && !owned.toInvalidate.isEmpty()) {
                    try {
                        owned.invalidation.accept(owned.toInvalidate);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "CMS cache invalidation of %s after commit failed", owned.toInvalidate);
                    }
                }
            }
        }

        final class Owned {
            final Set<String> dirty = ConcurrentHashMap.newKeySet();
            final Set<String> toInvalidate = ConcurrentHashMap.newKeySet();
            volatile Consumer<Set<String>> invalidation;
        }
    }
}
