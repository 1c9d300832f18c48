package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.ArrayList;
import java.util.List;
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
 * {@link AfterCommit} for JTA: what the cache holds for a transaction lives in a transaction-scoped resource, run by
 * an interposed {@link Synchronization} after completion, only when the status is {@code STATUS_COMMITTED}: first the
 * deferred invalidations, then the held-back stores. Narayana runs it on the committing thread, so when a
 * {@code @Transactional} method returns, its invalidations have taken effect.
 * <p>
 * A transaction that refuses the synchronization (one marked for rollback may) never commits: its invalidations and
 * stores are dropped at once, and its dirty tags keep its own reads off the entries carrying them only while another
 * transaction has dirty tags too (nothing it computes is stored anyway).
 * <p>
 * Registered as a bean by the extension only when the application has JTA. Thread-safe.
 */
public class JtaAfterCommit implements AfterCommit {

    private static final Logger LOG = Logger.getLogger(JtaAfterCommit.class);
    private static final Object RESOURCE = JtaAfterCommit.class;
    /** The most stores one transaction holds back; later ones are not stored (bounded memory). */
    static final int MAX_HELD_STORES = 1000;

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
        pending.dirty(owner).addAll(tags);
        return true;
    }

    @Override
    public boolean defer(Object owner, Set<String> tags, Consumer<Set<String>> invalidation) {
        Pending pending = pending(true);
        if (pending == null) {
            return false;
        }
        Pending.Owned owned = pending.of(owner);
        pending.dirty(owner).addAll(tags);
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

    @Override
    public Transaction current(Object owner) {
        Pending pending = pending(true);
        return pending == null ? null : pending.of(owner);
    }

    /**
     * @return how many transactions with dirty tags are open: while 0, reads never look up the transaction
     */
    public int openDirtyTransactions() {
        return openDirty.get();
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
                // A transaction marked for rollback may refuse synchronizations: it will never commit, so nothing is
                // to be invalidated or stored, and nothing would ever end what it counts.
                LOG.debugf("Transaction refused a synchronization (%s); its CMS cache invalidations and stores are "
                        + "dropped", e.getMessage());
                pending.doomed = true;
            }
            registry.putResource(RESOURCE, pending);
        }
        return pending;
    }

    private final class Pending implements Synchronization {

        final Map<Object, Owned> owners = new ConcurrentHashMap<>(2);
        final List<Runnable> stores = new ArrayList<>();
        volatile boolean doomed;
        /** Whether this transaction is counted in {@link #openDirty}; only one with a synchronization is. */
        private boolean counted;

        Owned of(Object owner) {
            return owners.computeIfAbsent(owner, o -> new Owned());
        }

        Set<String> dirty(Object owner) {
            synchronized (this) {
                if (!counted && !doomed) {
                    counted = true;
                    openDirty.incrementAndGet();
                }
            }
            return of(owner).dirty;
        }

        synchronized boolean hold(Runnable store) {
            if (doomed || stores.size() >= MAX_HELD_STORES) {
                return false;
            }
            stores.add(store);
            return true;
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            List<Runnable> held;
            synchronized (this) {
                if (counted) {
                    counted = false;
                    openDirty.decrementAndGet();
                }
                doomed = true;
                held = List.copyOf(stores);
                stores.clear();
            }
            if (status != Status.STATUS_COMMITTED) {
                LOG.debugf("Transaction ended with status %d: dropping its CMS cache invalidations and %d stores",
                        status, held.size());
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
            // After the invalidations: a store whose entry carries a tag this transaction invalidated is refused by
            // the usual check, as its load began before the invalidation.
            for (Runnable store : held) {
                try {
                    store.run();
                } catch (RuntimeException e) {
                    LOG.debugf("CMS cache store after commit failed: %s", e.getMessage());
                }
            }
        }

        final class Owned implements Transaction {
            final Set<String> dirty = ConcurrentHashMap.newKeySet();
            final Set<String> toInvalidate = ConcurrentHashMap.newKeySet();
            volatile Consumer<Set<String>> invalidation;

            @Override
            public boolean storeOnCommit(String[] tags, Runnable store) {
                return hold(() -> {
                    for (String tag : tags) {
                        if (dirty.contains(tag)) {
                            return;
                        }
                    }
                    store.run();
                });
            }
        }
    }
}
