package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.agroal.api.AgroalDataSource;
import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.invalidation.JtaAfterCommit;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.core.Vertx;

/**
 * Invalidation inside a JTA transaction on a real PostgreSQL database: it takes effect after commit, never on
 * rollback, and what the transaction computes from data it changed is not cached.
 */
public class TransactionTest {

    static final String TABLE = "cms_block_" + UUID.randomUUID().toString().substring(0, 8);

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:5432/test")
            .overrideConfigKey("quarkus.datasource.username", "postgres")
            .overrideConfigKey("quarkus.datasource.password", "")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Latches.class, BlockStore.class));

    @Inject
    BlockStore blocks;

    @Inject
    CmsCache cache;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    JtaAfterCommit afterCommit;

    @Inject
    TransactionManager transactions;

    @Inject
    Vertx vertx;

    ExecutorService pool;

    @BeforeEach
    void createTable() throws SQLException {
        pool = Executors.newCachedThreadPool();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id VARCHAR(64) PRIMARY KEY, html TEXT)");
            s.execute("DELETE FROM " + TABLE);
            s.execute("INSERT INTO " + TABLE + " VALUES ('header', 'header v1'), ('footer', 'footer v1')");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        pool.shutdownNow();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void invalidationWaitsForTheCommit() throws Exception {
        cache.clear("block");
        assertEquals("header v1", blocks.html("header"));
        CountDownLatch updated = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);

        Future<?> save = pool.submit(() -> blocks.save("header", "header v2", () -> {
            updated.countDown();
            Latches.await(commit);
        }));
        Latches.await(updated);

        // The row is changed but not committed: other readers keep the cached, committed value.
        assertEquals("header v1", blocks.html("header"));
        assertNotNull(engine().region("block").l1().get("block:header"), "not invalidated before commit");
        commit.countDown();
        save.get(10, TimeUnit.SECONDS);

        assertNull(engine().region("block").l1().get("block:header"), "invalidated once the method returned");
        assertEquals("header v2", blocks.html("header"));
    }

    @Test
    void rollbackInvalidatesNothing() {
        assertEquals("footer v1", blocks.html("footer"));
        long invalidationsBefore = cache.stats("block").invalidations();
        int loadsBefore = blocks.loads();

        assertThrows(IllegalStateException.class, () -> blocks.saveThenFail("footer", "footer v2"));

        assertEquals("footer v1", blocks.html("footer"));
        assertEquals(loadsBefore, blocks.loads(), "still served from the cache");
        assertEquals(invalidationsBefore, cache.stats("block").invalidations());
    }

    @Test
    void rollbackWithoutExceptionInvalidatesNothing() {
        assertEquals("footer v1", blocks.html("footer"));
        int loadsBefore = blocks.loads();

        blocks.saveButRollBack("footer", "footer v3");

        assertEquals("footer v1", blocks.html("footer"));
        assertEquals(loadsBefore, blocks.loads());
    }

    @Test
    void valueComputedInTheTransactionFromChangedDataIsNotCached() {
        cache.clear("block");
        assertEquals("header v1", blocks.html("header"));

        assertThrows(IllegalStateException.class, () -> blocks.saveRenderThenFail("header", "header uncommitted"));

        assertEquals("header uncommitted", blocks.lastRenderedInTransaction(),
                "inside the transaction the change was visible, not the cached value");
        assertEquals("header v1", blocks.html("header"), "and it was neither cached nor invalidated anything");
        byte[][] stored = engine().l2().read("block:header").await().indefinitely();
        assertEquals("header v1", EntryCodec.displayText(stored[2]), "Redis still holds the committed value");
    }

    @Test
    void programmaticInvalidationInATransactionWaitsForTheCommitToo() {
        assertEquals("footer v1", blocks.html("footer"));
        int loadsBefore = blocks.loads();

        assertThrows(IllegalStateException.class, () -> blocks.invalidateThenFail("footer"));
        blocks.html("footer");
        assertEquals(loadsBefore, blocks.loads(), "rolled back: nothing invalidated");

        blocks.invalidateAndCommit("footer");
        blocks.html("footer");
        assertEquals(loadsBefore + 1, blocks.loads());
    }

    @Test
    void invalidationCommittedOnAnIoThreadTakesEffect() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + TABLE + " VALUES ('aside', 'aside v1')");
        }
        assertEquals("aside v1", blocks.html("aside"));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE " + TABLE + " SET html = 'aside v2' WHERE id = 'aside'");
        }

        // A transaction that commits on an event loop, as one completing a reactive pipeline may: the deferred
        // invalidation runs there, where it may not wait for Redis.
        CompletableFuture<Void> committed = new CompletableFuture<>();
        vertx.runOnContext(nothing -> {
            try {
                transactions.begin();
                cache.invalidate("block", "aside");
                transactions.commit();
                committed.complete(null);
            } catch (Throwable t) {
                committed.completeExceptionally(t);
            }
        });
        committed.get(10, TimeUnit.SECONDS);

        assertNull(engine().region("block").l1().get("block:aside"), "evicted from L1 when the commit returned");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            byte[][] stored = engine().l2().read("block:aside").await().indefinitely();
            return stored == null || !"aside v1".equals(EntryCodec.displayText(stored[2]));
        });
        assertEquals("aside v2", blocks.html("aside"));
    }

    @Test
    void renderedBeforeTheInvalidatingCallIsNotSeenOutsideTheTransaction() throws Exception {
        // The order many applications use: change the row, render with it, invalidate last. What the transaction
        // rendered must not reach other readers before it commits, nor be kept after it.
        cache.clear("block");
        assertEquals("header v1", blocks.html("header"));
        cache.clear("block");
        String[] seenOutside = new String[1];

        pool.submit(() -> blocks.updateRenderThenInvalidate("header", "header v2", () -> {
            try {
                seenOutside[0] = pool.submit(() -> blocks.html("header")).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).get(10, TimeUnit.SECONDS);

        assertEquals("header v2", blocks.lastRenderedInTransaction(), "the transaction saw its own change");
        assertEquals("header v1", seenOutside[0], "another reader saw the committed row, not the uncommitted render");
        int loadsBefore = blocks.loads();
        assertEquals("header v2", blocks.html("header"));
        assertEquals(loadsBefore + 1, blocks.loads(), "what was cached before the commit was invalidated by it");
    }

    @Test
    void renderedInATransactionThatRollsBackBeforeInvalidatingLeavesNothing() {
        cache.clear("block");

        assertThrows(IllegalStateException.class, () -> blocks.updateRenderThenRollBack("footer", "footer draft"));

        assertEquals("footer draft", blocks.lastRenderedInTransaction());
        assertNull(engine().region("block").l1().get("block:footer"), "nothing of the transaction is in L1");
        assertNull(engine().l2().read("block:footer").await().indefinitely(), "nor in Redis");
        assertEquals("footer v1", blocks.html("footer"));
    }

    @Test
    void whatATransactionReadsWithoutChangingItIsStoredOnceItCommits() {
        cache.clear("block");
        int loadsBefore = blocks.loads();

        assertEquals("header v1", blocks.readInTransaction("header"));

        assertEquals("header v1", engine().region("block").l1().get("block:header").value());
        byte[][] stored = engine().l2().read("block:header").await().indefinitely();
        assertEquals("header v1", EntryCodec.displayText(stored[2]));
        assertEquals("header v1", blocks.html("header"));
        assertEquals(loadsBefore + 1, blocks.loads(), "stored after the commit, then served from the cache");
    }

    @Test
    void aTransactionThatRefusesTheSynchronizationIsNotCountedForever() throws Exception {
        int before = openDirtyTransactions();

        blocks.markForRollbackThenInvalidate("footer");

        assertEquals(before, openDirtyTransactions(),
                "a transaction that never completes for the cache must not keep every later read checking it");
        assertEquals("footer v1", blocks.html("footer"));
    }

    /**
     * Transactions with dirty tags the cache counts: while any is counted, every read looks up the transaction.
     * Read from the field, as nothing else shows it.
     */
    int openDirtyTransactions() throws Exception {
        java.lang.reflect.Field field = JtaAfterCommit.class.getDeclaredField("openDirty");
        field.setAccessible(true);
        return ((java.util.concurrent.atomic.AtomicInteger) field.get(afterCommit)).get();
    }

    CmsCacheEngine engine() {
        return (CmsCacheEngine) cache;
    }

    @ApplicationScoped
    static class BlockStore {
        final AtomicInteger loads = new AtomicInteger();
        volatile String lastRendered;

        @Inject
        AgroalDataSource dataSource;

        @Inject
        TransactionManager transactions;

        @Inject
        CmsCache cache;

        @CmsCached(region = "block")
        String html(@CmsKey String id) {
            loads.incrementAndGet();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT html FROM " + TABLE + " WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? r.getString(1) : null;
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Transactional
        @CmsInvalidate(region = "block", keys = "id")
        void save(String id, String html, Runnable beforeCommit) {
            update(id, html);
            beforeCommit.run();
        }

        @Transactional
        @CmsInvalidate(region = "block", keys = "id")
        void saveThenFail(String id, String html) {
            update(id, html);
            throw new IllegalStateException("validation failed after the update");
        }

        @Transactional
        @CmsInvalidate(region = "block", keys = "id")
        void saveButRollBack(String id, String html) {
            update(id, html);
            try {
                transactions.setRollbackOnly();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Transactional
        @CmsInvalidate(region = "block", keys = "id")
        void saveRenderThenFail(String id, String html) {
            update(id, html);
            lastRendered = html(id);
            throw new IllegalStateException("rolled back after rendering");
        }

        @Transactional
        void invalidateThenFail(String id) {
            cache.invalidate("block", id);
            throw new IllegalStateException("rolled back after invalidating");
        }

        @Transactional
        void updateRenderThenInvalidate(String id, String html, Runnable whileOpen) {
            update(id, html);
            lastRendered = html(id);
            whileOpen.run();
            cache.invalidate("block", id);
        }

        @Transactional
        void updateRenderThenRollBack(String id, String html) {
            update(id, html);
            lastRendered = html(id);
            throw new IllegalStateException("rolled back after rendering, before invalidating");
        }

        @Transactional
        String readInTransaction(String id) {
            return html(id);
        }

        @Transactional
        void markForRollbackThenInvalidate(String id) {
            try {
                transactions.setRollbackOnly();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            cache.invalidate("block", id);
        }

        @Transactional
        void invalidateAndCommit(String id) {
            cache.invalidate("block", id);
        }

        String lastRenderedInTransaction() {
            return lastRendered;
        }

        int loads() {
            return loads.get();
        }

        private void update(String id, String html) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("UPDATE " + TABLE + " SET html = ? WHERE id = ?")) {
                s.setString(1, html);
                s.setString(2, id);
                s.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
