package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.Set;
import java.util.function.Consumer;

/**
 * Defers invalidations requested inside a transaction until it commits. Implemented for JTA by
 * {@link JtaAfterCommit} when the application has {@code quarkus-narayana-jta}; without it, nothing is deferred.
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
    };

    /**
     * Declares that the current transaction, if any, is changing what the tags stand for (before the change is
     * made), so that nothing computed in it from those tags is shared or stored.
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
}
