package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.Set;
import java.util.function.Consumer;

/**
 * What the cache does for a transaction: invalidations requested inside it run after it commits, and nothing computed
 * inside it is stored before it commits (rule 8, transaction visibility). Implemented for JTA by
 * {@link JtaAfterCommit} when the application has {@code quarkus-narayana-jta}; without it, there is no transaction
 * and nothing is deferred.
 */
public interface AfterCommit {

    /** Used when the application has no transaction support. */
    AfterCommit NONE = new AfterCommit() {
        @Override
        public boolean markDirty(Object owner, Set<String> tags) {
            return false;
        }

        @Override
        public boolean defer(Object owner, Set<String> tags, Consumer<Set<String>> invalidation) {
            return false;
        }

        @Override
        public Set<String> dirtyTags(Object owner) {
            return Set.of();
        }

        @Override
        public Transaction current(Object owner) {
            return null;
        }
    };

    /**
     * Declares that the current transaction, if any, is changing what the tags stand for (before the change is
     * made), so that reads inside it do not answer from entries carrying them.
     *
     * @param owner the engine the tags belong to
     * @return whether a transaction is active
     */
    boolean markDirty(Object owner, Set<String> tags);

    /**
     * Defers an invalidation until the current transaction commits; it is dropped if the transaction rolls back.
     * The tags are also marked dirty.
     *
     * @param owner the engine the tags belong to
     * @param invalidation what to run after commit, on the committing thread
     * @return {@code false} if no transaction is active: the caller invalidates now
     */
    boolean defer(Object owner, Set<String> tags, Consumer<Set<String>> invalidation);

    /**
     * @param owner the engine the tags belong to
     * @return the tags marked dirty or pending in the current transaction; empty outside a transaction (cheap then)
     */
    Set<String> dirtyTags(Object owner);

    /**
     * @param owner the engine asking
     * @return the transaction active on this thread, or {@code null}; a handle that stays valid on other threads
     */
    Transaction current(Object owner);

    /**
     * An active transaction, as the cache sees it.
     */
    interface Transaction {

        /**
         * Holds back the store of something computed inside the transaction until it has committed and its deferred
         * invalidations have run; the store then checks, as every store does, that no tag of the entry was
         * invalidated since its load began. Dropped on rollback, and dropped at commit if the entry carries a tag the
         * transaction declared it changes.
         *
         * @param tags the tags of the entry
         * @param store stores the entry
         * @return {@code false} if the store is not held (the transaction cannot commit, or holds too many stores
         *         already): the caller drops it
         */
        boolean storeOnCommit(String[] tags, Runnable store);
    }
}
