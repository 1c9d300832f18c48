package io.quarkiverse.cmscache.runtime.invalidation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.runtime.l2.EvictionPolicy;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.quarkiverse.cmscache.runtime.l2.ServerInfo;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * Receives other instances' invalidations and keeps this instance's L1 consistent when messages go missing.
 * <p>
 * Each invalidation is published by the same Redis script that assigns its sequence number and logs it, so
 * messages arrive in sequence order and the log holds exactly what was published. This feed:
 * <ul>
 * <li>applies each message to L1 through the {@link Invalidator};</li>
 * <li>on every tick (half the gap timeout) reads the current sequence number, so that even a lost <em>last</em>
 * message shows up as a gap, and retries invalidations Redis has not confirmed;</li>
 * <li>reconciles a gap that stays open longer than the gap timeout, and after every (re)subscription: it replays the
 * missing invalidations from the log, or drops the whole L1 when the log no longer reaches back far enough;</li>
 * <li>notes the invalidations still pending in some slot group (being applied, or drained because the tag had too
 * many entries to delete in one script), whose older entries it treats as misses, and hands them to the sweep to
 * carry on;</li>
 * <li>checks, after every (re)subscription, that Redis did not go back in time ({@link #check});</li>
 * <li>on every tick, sends a {@code PING} on the subscription connection: one not answered within the Redis timeout
 * means the connection died silently (no FIN), so it is closed and replaced; one answered means Redis is reachable,
 * so an open circuit breaker is closed at once.</li>
 * </ul>
 * A lost message therefore leaves a stale L1 entry for at most about 1.5 gap timeouts while Redis is reachable.
 */
public final class InvalidationFeed {

    private static final Logger LOG = Logger.getLogger(InvalidationFeed.class);

    /** Starts the message {@code recover.lua} publishes when it starts a new generation. */
    private static final String REWIND = "rewind ";

    private static final String SUBSCRIPTION_DOWN = "the invalidation subscription is down: Redis may have restarted "
            + "or failed over, and is checked once it is back";

    private final RedisL2 l2;
    private final Vertx vertx;
    private final Invalidator invalidator;
    private final TagVersions versions;
    private final Duration gapTimeout;
    private final Duration pingTimeout;
    private final int logSize;
    private final Consumer<List<RedisL2.Pending>> pendingWork;
    /** The namespace's layout, when it is not this instance's; {@code null} when it is. */
    private volatile String foreignLayout;
    private final AtomicBoolean reconciling = new AtomicBoolean();
    private final AtomicBoolean checking = new AtomicBoolean();
    private final CompletableFuture<Void> firstCheck = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile RedisConnection connection;
    /** The event loop context the subscription's answers are handled on. */
    private volatile Context connectionContext;
    /** When the subscription last delivered anything: a message or an answer ({@link System#nanoTime()}). */
    private volatile long lastHeard;
    private volatile long timer = -1;
    private volatile boolean subscribedOnce;
    private volatile long reconnectDelayMs = 100;
    private volatile EvictionPolicy evictionPolicy = EvictionPolicy.UNKNOWN;
    private volatile String runId;

    /**
     * @param gapTimeout how long a missing message may stay missing
     * @param pingTimeout how long the subscription connection may take to answer a {@code PING}
     * @param logSize how many invalidations the Redis log keeps
     * @param pendingWork given the pending invalidations whenever the sequence is read, to carry them on
     */
    public InvalidationFeed(RedisL2 l2, Vertx vertx, Invalidator invalidator, TagVersions versions,
            Duration gapTimeout, Duration pingTimeout, int logSize, Consumer<List<RedisL2.Pending>> pendingWork) {
        this.pendingWork = pendingWork;
        this.pingTimeout = pingTimeout;
        this.l2 = l2;
        this.vertx = vertx;
        this.invalidator = invalidator;
        this.versions = versions;
        this.gapTimeout = gapTimeout;
        this.logSize = logSize;
    }

    /**
     * Takes the current sequence number as the starting point, subscribes and starts the ticks. Does not fail when
     * Redis is unreachable: the feed keeps trying and reconciles once it gets through.
     */
    public void start(Duration timeout) {
        try {
            RedisL2.Sequence seq = l2.sequence().await().atMost(timeout.multipliedBy(2));
            versions.reset(seq.sequence(), System.nanoTime());
            l2.raiseFloor(seq.floor());
            notePending(seq);
        } catch (RuntimeException e) {
            LOG.warnf("CMS cache could not read the invalidation sequence from Redis at start-up (%s); "
                    + "it will reconcile once Redis is reachable", e.getMessage());
        }
        subscribe();
        // Half the gap timeout, for the gaps; at most a second, for the subscription's liveness.
        long period = Math.max(50, Math.min(1_000, gapTimeout.toMillis() / 2));
        timer = vertx.setPeriodic(period, id -> tick());
        try {
            // Entries are trusted once the subscription is up and checked: wait for it, briefly, so that an
            // application starting next to a healthy Redis uses it from its first request.
            firstCheck.get(timeout.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debugf("CMS cache starts before its subscription is checked; Redis entries are used once it is");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return whether the subscription is up
     */
    public boolean isSubscribed() {
        return connection != null;
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        l2.client().connect().subscribe().with(conn -> {
            if (closed) {
                conn.closeAndForget();
                return;
            }
            conn.handler(this::onPush);
            conn.exceptionHandler(e -> LOG.debugf("CMS cache invalidation channel error: %s", e.getMessage()));
            conn.endHandler(() -> onEnd(conn));
            // Named, so that operators (and tests) can tell the cache's subscription apart in CLIENT LIST.
            conn.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(connectionName()))
                    .chain(() -> conn.send(Request.cmd(Command.SUBSCRIBE).arg(l2.keys().channel())))
                    .subscribe().with(ok -> {
                        // An answer of this connection: handled on its event loop, where its PINGs' answers are too.
                        Context current = Vertx.currentContext();
                        connectionContext = current != null ? current : vertx.getOrCreateContext();
                        lastHeard = System.nanoTime();
                        connection = conn;
                        reconnectDelayMs = 100;
                        if (subscribedOnce) {
                            LOG.infof("CMS cache resubscribed to %s; checking Redis's history and reconciling missed "
                                    + "invalidations", l2.keys().channel());
                        }
                        subscribedOnce = true;
                        // Redis is back for sure: use it again now, not once the breaker's delay has passed.
                        l2.redisAnswered();
                        check(conn);
                    }, failure -> {
                        conn.closeAndForget();
                        retry(failure);
                    });
        }, this::retry);
    }

    /**
     * Decides whether Redis's entries can be trusted, after every (re)subscription -- Redis may have restarted or
     * failed over meanwhile -- and on every tick while they are not:
     * <ol>
     * <li>Redis's eviction policy must not be able to drop the cache's metadata (an {@code allkeys-*} policy with a
     * memory limit): otherwise entries stay untrusted, and L2 unused, until the policy changes;</li>
     * <li>Redis must not have gone back in time: a floor above the one this instance knows means another instance
     * found so and started a new generation, which this instance adopts; a sequence behind the highest number this
     * instance has seen, or a log whose message for the last invalidation this instance applied differs from the one
     * it applied (the number was handed out again), means this instance finds so now, and starts one
     * ({@link RedisL2#recover});</li>
     * <li>the invalidations missed meanwhile are reconciled;</li>
     * <li>on another server process than last time (a restart or a failover), the invalidations no replica had
     * confirmed are sent again ({@link Invalidator#replayUnreplicated}).</li>
     * </ol>
     * Only then are entries trusted again.
     */
    private void check(RedisConnection conn) {
        if (closed || connection != conn || !checking.compareAndSet(false, true)) {
            return;
        }
        l2.serverInfo().onFailure().recoverWithItem(ServerInfo.UNKNOWN).chain(info -> {
            EvictionPolicy policy = info.eviction();
            noteEvictionPolicy(policy);
            l2.replicas(info.replicas());
            // Another server process than last time: Redis restarted or failed over.
            boolean newServer = !info.runId().isEmpty() && runId != null && !runId.equals(info.runId());
            if (!info.runId().isEmpty()) {
                runId = info.runId();
            }
            if (policy.mayEvictMetadata()) {
                l2.distrust("Redis may evict the cache's metadata (maxmemory-policy " + policy.policy() + ")");
                return Uni.createFrom().voidItem();
            }
            // What this instance had seen before the reads were sent: Redis had all of it by then, unless it went
            // back in time. (Compared with what it has seen when the answers arrive, its own invalidations made in
            // between would look missing from Redis.)
            Seen seen = new Seen(versions.highestSeen(), versions.lastMessage());
            return l2.log(logSize).chain(log -> l2.sequence().invoke(this::noteLayout)
                    .chain(seq -> checkHistory(log, seq, seen)).chain(current -> checkGroups(current, seen))
                    .invoke(current -> reconcile(log, current)))
                    .chain(() -> newServer ? invalidator.replayUnreplicated() : Uni.createFrom().voidItem())
                    .invoke(() -> {
                        if (connection == conn && foreignLayout == null) {
                            l2.trust();
                        }
                    });
        }).onTermination().invoke(() -> checking.set(false)).subscribe().with(ok -> firstCheck.complete(null),
                failure -> LOG.debugf("CMS cache could not check Redis yet: %s", failure.getMessage()));
    }

    /**
     * @return the current sequence number, after adopting or starting a new generation if Redis went back in time
     */
    private Uni<Long> checkHistory(List<String> log, RedisL2.Sequence seq, Seen seen) {
        if (invalidator.adoptFloor(seq.floor(), seq.sequence())) {
            return Uni.createFrom().item(seq.sequence());
        }
        long highest = seen.highest();
        String contradiction = null;
        if (seq.sequence() < highest) {
            contradiction = "its invalidation sequence is at #" + seq.sequence() + ", behind #" + highest
                    + " seen here";
        } else {
            contradiction = contradictedBy(log, seen);
        }
        if (contradiction == null) {
            return Uni.createFrom().item(seq.sequence());
        }
        return invalidator.startNewGeneration(highest, "Redis went back in time (" + contradiction + ")");
    }

    /**
     * A slot group can go back in time on its own (on a cluster, its master failed over to a replica that lagged)
     * while the control slot did not: the group lost invalidations it had applied. Entries it deleted may be back, so
     * nothing loaded before now can be trusted: a new generation.
     *
     * @return the current sequence number, after starting a new generation if a group went back in time
     */
    private Uni<Long> checkGroups(long current, Seen seen) {
        return l2.groupsBehind().chain(behind -> behind.isEmpty() ? Uni.createFrom().item(current)
                : invalidator.startNewGeneration(Math.max(seen.highest(), current),
                        "Redis went back in time (" + String.join("; ", behind) + ")"));
    }

    /**
     * @return why the log contradicts the last invalidation applied here, or {@code null} if it does not (or no
     *         longer reaches back to it)
     */
    private String contradictedBy(List<String> log, Seen seen) {
        if (seen.last() == null || log.isEmpty()) {
            return null;
        }
        String last = seen.last().text();
        long lastSeq = seen.last().seq();
        long oldest = Long.MAX_VALUE;
        for (String line : log) {
            InvalidationMessage message = InvalidationMessage.parse(line);
            if (message == null) {
                continue;
            }
            if (message.seq() == lastSeq) {
                return line.equals(last) ? null
                        : "its log holds another invalidation #" + lastSeq + " than the one applied here";
            }
            oldest = Math.min(oldest, message.seq());
        }
        return oldest < lastSeq ? "its log lacks invalidation #" + lastSeq + ", applied here" : null;
    }

    /**
     * What this instance had seen of Redis's history when a check sent its reads.
     *
     * @param highest the highest sequence number seen
     * @param last the last invalidation applied, {@code null} if none
     */
    private record Seen(long highest, TagVersions.LastMessage last) {
    }

    /**
     * Instances that look for an entry in different slot groups would miss each other's entries, and their
     * invalidations would miss groups: an instance whose {@code l2.slot-groups} differs from the namespace's does not
     * use Redis's entries.
     */
    private void noteLayout(RedisL2.Sequence seq) {
        if (seq.layout().equals(l2.layout())) {
            foreignLayout = null;
            return;
        }
        if (!seq.layout().equals(foreignLayout)) {
            LOG.errorf("CMS cache does not use Redis as its second level: the namespace %s was started with %s, and "
                    + "this instance runs with %s (quarkus.cms-cache.l2.slot-groups). Every instance sharing a "
                    + "key-prefix and key-version must use the same value: change quarkus.cms-cache.key-version along "
                    + "with it", l2.keys().control(), seq.layout(), l2.layout());
        }
        foreignLayout = seq.layout();
        l2.distrust("the namespace was started with " + seq.layout() + ", this instance runs with " + l2.layout()
                + " (quarkus.cms-cache.l2.slot-groups)");
    }

    private void noteEvictionPolicy(EvictionPolicy policy) {
        EvictionPolicy before = evictionPolicy;
        evictionPolicy = policy;
        if (policy.equals(before)) {
            return;
        }
        if (policy.mayEvictMetadata()) {
            LOG.warnf("CMS cache does not use Redis as its second level: Redis runs with maxmemory-policy %s and "
                    + "maxmemory %d bytes, so it may evict the cache's tag sets and tag versions, and an invalidation "
                    + "could then miss entries. Set maxmemory-policy to a volatile-* policy (for example volatile-lru) "
                    + "or noeviction; until then entries are cached in each instance's L1 only, and invalidations still "
                    + "reach every instance (see 'Production Redis' in the CMS cache docs)",
                    policy.policy(), policy.maxMemory());
        } else if (before.mayEvictMetadata()) {
            LOG.infof("CMS cache: Redis now runs with maxmemory-policy %s; using it as the second level again",
                    policy.policy());
        }
    }

    /**
     * @return how the Redis server frees memory, as last read (on every subscription)
     */
    public EvictionPolicy evictionPolicy() {
        return evictionPolicy;
    }

    /**
     * @return the client name of the subscription connection: {@code cms-cache-<instance id>}
     */
    public String connectionName() {
        return "cms-cache-" + invalidator.instanceId();
    }

    private void onEnd(RedisConnection conn) {
        // Only the current subscription is replaced: one given up on already (by the liveness check) was replaced.
        if (connection != conn) {
            return;
        }
        connection = null;
        l2.distrust(SUBSCRIPTION_DOWN);
        if (!closed) {
            LOG.warnf("CMS cache lost its subscription to %s; resubscribing", l2.keys().channel());
            retry(null);
        }
    }

    /**
     * Asks the subscription connection for a {@code PING}: the only way to tell a connection whose network path died
     * silently from a quiet channel. The connection is given up on if, {@code pingTimeout} after the {@code PING},
     * it has delivered nothing since -- as judged on its own event loop, once that loop has handled what arrived: an
     * answer that waits for a busy loop (a slow application, a long garbage collection) is an answer.
     */
    private void checkSubscription() {
        RedisConnection conn = connection;
        Context context = connectionContext;
        if (conn == null || context == null) {
            return;
        }
        long sent = System.nanoTime();
        conn.send(Request.cmd(Command.PING)).subscribe().with(pong -> {
            lastHeard = System.nanoTime();
            if (connection == conn) {
                l2.redisAnswered();
            }
        }, failure -> giveUp(conn, "failed its PING (" + failure.getMessage() + ")"));
        vertx.setTimer(Math.max(1, pingTimeout.toMillis()), id -> context.runOnContext(
                // One more turn of the loop, so that it has read what arrived while it was busy.
                v -> vertx.setTimer(1, turn -> {
                    if (lastHeard - sent < 0) {
                        giveUp(conn, "did not answer a PING within " + pingTimeout.toMillis() + " ms");
                    }
                })));
    }

    private void giveUp(RedisConnection conn, String why) {
        if (connection != conn || closed) {
            return;
        }
        connection = null;
        l2.distrust(SUBSCRIPTION_DOWN);
        LOG.warnf("CMS cache's subscription to %s %s; replacing it", l2.keys().channel(), why);
        conn.closeAndForget();
        retry(null);
    }

    /**
     * @return the event loop context the subscription's messages and answers are handled on, {@code null} before the
     *         first subscription
     */
    public Context subscriptionContext() {
        return connectionContext;
    }

    private void retry(Throwable failure) {
        if (closed) {
            return;
        }
        if (failure != null) {
            LOG.debugf("CMS cache could not subscribe to the invalidation channel: %s", failure.getMessage());
            // Redis is not reachable now: start-up need not wait for a check that cannot happen yet.
            firstCheck.complete(null);
        }
        long delay = reconnectDelayMs;
        // At most half a second apart, so that Redis entries are used again soon after Redis is back.
        reconnectDelayMs = Math.min(500, reconnectDelayMs * 2);
        vertx.setTimer(delay, id -> subscribe());
    }

    private void onPush(Response push) {
        lastHeard = System.nanoTime();
        // The connection's own event loop: where its pushes, and the answers to its PINGs, are handled.
        Context current = Vertx.currentContext();
        if (current != null) {
            connectionContext = current;
        }
        // A late answer to a liveness PING (a simple string) can arrive here too: only pushed arrays are messages.
        if (push == null || (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI)
                || push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        if ("message".equalsIgnoreCase(kind)) {
            apply(push.get(2).toString());
        }
    }

    private void apply(String message) {
        if (message.startsWith(REWIND)) {
            // Another instance started a new generation: adopt it now rather than on the next tick.
            checkSequence();
            return;
        }
        InvalidationMessage parsed = InvalidationMessage.parse(message);
        if (parsed == null) {
            LOG.warnf("CMS cache ignored a malformed invalidation message: %s", message);
            return;
        }
        invalidator.applyRemote(parsed, message);
    }

    private void tick() {
        if (closed) {
            return;
        }
        checkSubscription();
        invalidator.replayUnconfirmed().subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache could not replay invalidations yet: %s", failure.getMessage()));
        RedisConnection conn = connection;
        if (conn != null && l2.distrusted() != null) {
            check(conn);
        }
        checkSequence();
    }

    /**
     * Reads the sequence and floor: adopts a new generation, starts one if Redis's sequence went behind what this
     * instance has seen, and reconciles a gap that stayed open longer than the gap timeout.
     */
    private void checkSequence() {
        // Seen before the read is sent: see check.
        long highest = versions.highestSeen();
        l2.sequence().subscribe().with(seq -> {
            if (invalidator.adoptFloor(seq.floor(), seq.sequence())) {
                return;
            }
            if (seq.sequence() < highest) {
                invalidator.startNewGeneration(highest, "Redis went back in time (its invalidation sequence is at #"
                        + seq.sequence() + ", behind #" + highest + " seen here)").subscribe().with(current -> {
                        }, failure -> LOG.debugf("CMS cache could not start a new generation yet: %s",
                                failure.getMessage()));
                return;
            }
            notePending(seq);
            long now = System.nanoTime();
            versions.observe(seq.sequence(), now);
            long openedAt = versions.gapOpenedAt();
            if (openedAt != 0 && now - openedAt >= gapTimeout.toNanos()) {
                reconcile();
            }
        }, failure -> LOG.tracef("CMS cache tick could not read the sequence: %s", failure.getMessage()));
    }

    private void notePending(RedisL2.Sequence seq) {
        versions.refreshPending(seq.pending(), seq.sequence(), seq.pending().size() < RedisL2.MAX_PENDING_LISTED);
        if (!seq.pending().isEmpty()) {
            pendingWork.accept(seq.pending());
        }
    }

    /**
     * Replays the invalidations this instance missed, from the Redis log, or drops its L1 if the log does not reach
     * back far enough.
     *
     * @return a Uni completing when done (for tests); the work runs whether or not it is subscribed
     */
    public Uni<Void> reconcile() {
        if (!reconciling.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> work = l2.log(logSize).chain(log -> l2.sequence().map(current -> {
            reconcile(log, current.sequence());
            return (Void) null;
        })).onTermination().invoke(() -> reconciling.set(false)).memoize().indefinitely();
        work.subscribe().with(ok -> {
        }, failure -> LOG.debugf("CMS cache could not reconcile yet: %s", failure.getMessage()));
        return work;
    }

    private void reconcile(List<String> log, long current) {
        long applied = versions.basis();
        if (current <= applied) {
            return;
        }
        List<InvalidationMessage> messages = new ArrayList<>(log.size());
        for (String line : log) {
            InvalidationMessage message = InvalidationMessage.parse(line);
            if (message != null) {
                messages.add(message);
            }
        }
        messages.sort(Comparator.comparingLong(InvalidationMessage::seq));
        long oldest = messages.isEmpty() ? Long.MAX_VALUE : messages.get(0).seq();
        if (oldest > applied + 1) {
            int dropped = invalidator.dropAllLocally();
            versions.reset(current, System.nanoTime());
            LOG.warnf("CMS cache missed invalidations #%d to #%d and the Redis log no longer holds all of them: "
                    + "dropped this instance's L1 (%d entries)", applied + 1, current, dropped);
            return;
        }
        int replayed = 0;
        for (InvalidationMessage message : messages) {
            if (message.seq() > applied && !versions.isApplied(message.seq())) {
                invalidator.applyRemote(message, null);
                replayed++;
            }
        }
        if (replayed > 0) {
            LOG.infof("CMS cache replayed %d missed invalidations from the Redis log", replayed);
        }
    }

    public void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        RedisConnection conn = connection;
        connection = null;
        if (conn != null) {
            conn.closeAndForget();
        }
    }
}
