package io.quarkiverse.cmscache.runtime.l2;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import jakarta.enterprise.util.TypeLiteral;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The cache's commands to Redis, each bounded by {@code quarkus.cms-cache.l2.timeout} and passed through a circuit
 * breaker (SmallRye Fault Tolerance) that stops calling Redis while most commands fail, and probes it again after a
 * delay. At most {@code quarkus.cms-cache.l2.max-in-flight} commands are in the client at once ({@link InFlightLimit}). Every
 * method returns a lazy {@code Uni} that fails on a Redis error, a timeout or an open breaker; callers
 * decide what a failure means (a miss, a skipped write, an invalidation to replay).
 * <p>
 * Thread-safe; holds no state besides the client, the breaker and the commands in flight.
 */
public final class RedisL2 {

    private static final Logger LOG = Logger.getLogger(RedisL2.class);

    private static final TypeLiteral<Uni<Response>> UNI_RESPONSE = new TypeLiteral<>() {
    };

    private static final TypeLiteral<Uni<List<Response>>> UNI_RESPONSES = new TypeLiteral<>() {
    };

    private final Redis redis;
    private final RedisKeyspace keys;
    private final CommandDeadlines deadlines;
    private final Vertx vertx;
    private final long deadlineCheck;
    private final Guard breaker;
    private final String breakerName;
    private final InFlightLimit inFlight;
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    /** Why entries are not trusted now, or {@code null} when they are. */
    private volatile String distrust = "the invalidation subscription has not been checked yet";
    private volatile long floor;
    /** Every invalidation up to this number was applied in every slot group, as far as this instance read. */
    private volatile long complete;
    private volatile int replicas;
    private final Duration replicaAckTimeout;
    /** Whether every slot group is on one server: an invalidation's group scripts then go in one pipeline. */
    private final boolean oneServer;
    private final Script write = Script.load("write");
    private final Script invalidate = Script.load("invalidate");
    private final Script sequence = Script.load("sequence");
    private final Script dependents = Script.load("dependents");
    private final Script release = Script.load("release");
    private final Script hot = Script.load("hot");
    private final Script sweep = Script.load("sweep");
    private final Script recover = Script.load("recover");
    private final Script apply = Script.load("apply");

    /**
     * @param redis the client
     * @param keys the names of this namespace
     * @param timeout how long one command may take
     * @param vertx where the commands' deadlines are checked
     * @param breaker when to stop calling Redis, and for how long
     * @param commands how many commands may be in the client at once, and how many may wait
     * @param executor where a command that waited for its place is sent from
     * @param instanceId this instance, to name its circuit breaker
     */
    public RedisL2(Redis redis, RedisKeyspace keys, Duration timeout, Vertx vertx, EngineSettings.Breaker breaker,
            EngineSettings.Commands commands, Executor executor, String instanceId) {
        this.redis = redis;
        this.keys = keys;
        this.deadlines = new CommandDeadlines(timeout);
        this.vertx = vertx;
        this.deadlineCheck = vertx.setPeriodic(deadlines.checkPeriodMillis(), id -> deadlines.failOverdue());
        this.inFlight = new InFlightLimit(commands.maxInFlight(), commands.maxWaiting(), executor);
        this.replicaAckTimeout = commands.replicaAckTimeout();
        this.oneServer = commands.oneServer();
        this.breakerName = "cms-cache-redis-" + keys.control() + "-" + instanceId;
        this.breaker = Guard.create().withDescription("CMS cache Redis " + keys.control())
                .withCircuitBreaker()
                .name(breakerName)
                .requestVolumeThreshold(breaker.requestVolumeThreshold())
                .failureRatio(breaker.failureRatio())
                .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                // A script Redis does not know yet is sent again in full, and a command refused because too many
                // wait says nothing about Redis: neither is a sign of trouble.
                .when(failure -> !Script.isNoScript(failure) && !(failure instanceof L2BusyException)
                        && !(failure instanceof L2UntrustedException))
                .onStateChange(this::stateChanged)
                .done()
                .build();
    }

    private void stateChanged(CircuitBreakerState newState) {
        state = newState;
        if (newState == CircuitBreakerState.OPEN) {
            LOG.warnf("CMS cache stops calling Redis (%s) for a while: too many commands failed", keys.control());
        } else if (newState == CircuitBreakerState.CLOSED) {
            LOG.infof("CMS cache calls Redis (%s) again", keys.control());
        }
    }

    /**
     * Stops checking the commands' deadlines, once the cache is closed (commands still in flight fail then, as if past
     * theirs).
     */
    public void close() {
        vertx.cancelTimer(deadlineCheck);
        deadlines.failAll();
    }

    /**
     * Redis answered outside the breaker (the invalidation subscription reconnected, or its liveness probe was
     * answered): closes the breaker at once, so that reads and writes use Redis again now rather than after the
     * breaker's delay.
     */
    public void redisAnswered() {
        if (state != CircuitBreakerState.CLOSED) {
            CircuitBreakerMaintenance.get().reset(breakerName);
            // The reset does not go through the state-change callback.
            stateChanged(CircuitBreakerState.CLOSED);
        }
    }

    /**
     * Trusts Redis's entries again, once the invalidation feed has checked that Redis did not go back in time (and that
     * it does not evict the cache's metadata).
     */
    public void trust() {
        distrust = null;
    }

    /**
     * Stops reading, writing and leasing entries until {@link #trust()}: Redis may have restarted or failed over, with
     * older data, or may evict the cache's metadata. Invalidations are still sent.
     *
     * @param reason why, for the exception entry commands fail with meanwhile
     */
    public void distrust(String reason) {
        distrust = reason;
    }

    /**
     * @return why entries are not trusted now, or {@code null} when they are
     */
    public String distrusted() {
        return distrust;
    }

    /**
     * @return the floor this instance knows: entries loaded on a basis below it are from before Redis last went back
     *         in time, and are misses
     */
    public long floor() {
        return floor;
    }

    /**
     * Raises the floor this instance knows (never lowers it).
     *
     * @return whether it rose
     */
    public synchronized boolean raiseFloor(long newFloor) {
        if (newFloor <= floor) {
            return false;
        }
        floor = newFloor;
        return true;
    }

    /**
     * Notes how many replicas the Redis master has (read on every check of the subscription): with one or more,
     * invalidations wait for one of them to confirm ({@code quarkus.cms-cache.l2.replica-ack-timeout}).
     */
    public void replicas(int count) {
        replicas = count;
    }

    /**
     * @return how many replicas the Redis master had when last checked
     */
    public int replicas() {
        return replicas;
    }

    /**
     * @return the state of the circuit breaker in front of Redis
     */
    public CircuitBreakerState breakerState() {
        return state;
    }

    /**
     * @return the cache's commands the Redis client holds now
     */
    public int commandsInFlight() {
        return inFlight.inFlight();
    }

    /**
     * @return the cache's commands waiting for a place in the Redis client now
     */
    public int commandsWaiting() {
        return inFlight.waiting();
    }

    /**
     * @return how many commands failed at once since start-up because too many were waiting
     */
    public long commandsRejected() {
        return inFlight.rejected();
    }

    public RedisKeyspace keys() {
        return keys;
    }

    public Redis client() {
        return redis;
    }

    /**
     * The outcome of {@link #invalidate}.
     *
     * @param sequence the invalidation's sequence number
     * @param deleted how many entries it deleted from Redis
     * @param message the message as published and logged
     * @param floor the namespace's floor (raised by this invalidation if Redis had gone back in time)
     * @param draining the tags whose sets were too large, in some group, to check at once: their entries are deleted
     *        by {@link #continuePending} steps, and are misses meanwhile
     * @param replicated whether a replica confirmed it within the timeout, or Redis has no replica
     */
    public record Invalidated(long sequence, long deleted, String message, long floor, List<String> draining,
            boolean replicated) {
    }

    /**
     * The invalidation sequence as Redis holds it.
     *
     * @param sequence the number of the last invalidation
     * @param floor the namespace's floor, 0 if it never went back in time
     * @param pending the oldest invalidations not yet applied in every slot group (at most
     *        {@link #MAX_PENDING_LISTED}), in sequence order
     * @param layout the namespace's layout as the first instance recorded it ({@link #layout()} if it is this one's)
     */
    public record Sequence(long sequence, long floor, List<Pending> pending, String layout) {
    }

    /**
     * An invalidation of a tag not yet applied in every slot group.
     *
     * @param sequence its sequence number
     * @param tag the tag
     */
    public record Pending(long sequence, String tag) {

        static Pending parse(String text) {
            int colon = text.indexOf(':');
            return new Pending(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
        }

        String member() {
            return sequence + ":" + tag;
        }
    }

    /**
     * How many tags' invalidations may be pending in the control slot: an invalidation that finds this many (a slot
     * group has not answered for that long) starts a new generation instead, whose floor covers them all.
     */
    public static final int MAX_PENDING = 10_000;

    /** How many pending invalidations one read of the sequence lists at most. */
    public static final int MAX_PENDING_LISTED = 100;

    /** How many members of a drain one step takes, in each group. */
    public static final int DRAIN_STEP = 500;

    /**
     * The size above which a group's tag set is not checked by the invalidation itself but becomes a drain, emptied in
     * the background while the tag is pending: the invalidation of a tag with more than about 4,000 dependents (over 16
     * groups) then returns without checking them. Below that, the groups' scripts check up to 250 members each; on one
     * server they go in one pipeline, so Redis may run up to 16 x 250 checks back to back.
     */
    public static final int DRAIN_ABOVE = 250;

    /**
     * @return this instance's layout of the namespace: the number of slot groups
     */
    public String layout() {
        return "groups=" + keys.groups().size();
    }

    /**
     * Reads the fields of an entry.
     *
     * @return {@code null} if there is no such entry, else the {@code m}, {@code t} and {@code v} fields (any of which
     *         may be {@code null} if the hash is not one of ours)
     */
    public Uni<byte[][]> read(String key) {
        return sendTrusted(Request.cmd(Command.HMGET).arg(keys.entry(key)).arg("m").arg("t").arg("v"))
                .map(response -> {
                    if (response == null || response.size() < 3 || response.get(0) == null) {
                        return null;
                    }
                    return new byte[][] { bytes(response.get(0)), bytes(response.get(1)), bytes(response.get(2)) };
                });
    }

    /**
     * Stores an entry unless one of its tags was invalidated after its basis.
     *
     * @param entry the entry
     * @param value its value as JSON
     * @param ttl how long it lives in Redis
     * @param tagBases for each of the entry's tags, the basis it is checked against; {@code null} to check every
     *        tag against the entry's basis
     * @return whether it was stored ({@code false}: refused as stale)
     */
    public Uni<Boolean> write(Entry entry, byte[] value, Duration ttl, long[] tagBases) {
        String[] tags = entry.tags();
        RedisKeyspace.Group group = keys.groupOf(entry.key());
        List<String> scriptKeys = new ArrayList<>(4 + 2 * tags.length);
        scriptKeys.add(group.entry(entry.key()));
        for (String tag : tags) {
            scriptKeys.add(group.tagVersion(tag));
        }
        for (String tag : tags) {
            scriptKeys.add(group.tagSet(tag));
        }
        scriptKeys.add(group.floor());
        scriptKeys.add(group.versionFloor());
        scriptKeys.add(group.tagSetIndex());
        List<Object> args = new ArrayList<>(5 + tags.length);
        args.addAll(List.of(entry.basis(), EntryCodec.meta(entry), EntryCodec.tagsField(entry), value, ttl.toMillis()));
        if (tagBases != null) {
            for (long tagBasis : tagBases) {
                args.add(tagBasis);
            }
        }
        return runTrusted(write, scriptKeys, args).map(response -> response.toInteger() == 1);
    }

    /**
     * Invalidates tags: takes the invalidation's number in the control slot (where it is logged, published and
     * recorded as pending), then applies it in every slot group at once, and completes once each group has confirmed:
     * the tag versions are set and the entries carrying the tags that were loaded before the invalidation are deleted,
     * except those of tag sets larger than {@link #DRAIN_ABOVE}, which are left to drain steps ({@link #continuePending}).
     * The tags whose every group is done are taken out of the pending set, without waiting.
     * <p>
     * If Redis's sequence is behind {@code highestSeen}, or its floor behind the one this instance knows, Redis went
     * back in time: the control script first starts a new generation (see {@link #recover}), so that the invalidation
     * never takes a number instances count as applied already.
     * <p>
     * A failure after the number was taken leaves the invalidation pending: any instance applies it again
     * ({@link #continuePending}), and this one sends it again.
     *
     * @param tags the tags
     * @param origin the id of the invalidating instance
     * @param highestSeen the highest sequence number this instance has seen
     * @param logSize how many invalidations the log keeps
     * @param details the details of the logged and published message, see {@code InvalidationMessage}
     */
    public Uni<Invalidated> invalidate(Collection<String> tags, String origin, long highestSeen, int logSize,
            String details) {
        List<Object> args = new ArrayList<>(6 + tags.size());
        args.add(origin);
        args.add(highestSeen);
        args.add((long) logSize);
        args.add(keys.channel());
        args.add(details);
        args.add(floor);
        args.add((long) MAX_PENDING);
        args.addAll(tags);
        List<String> controlKeys = List.of(keys.sequence(), keys.log(), keys.pending(), keys.floor());
        return runReplicated(invalidate, controlKeys, args).chain(numbered -> {
            Response response = numbered.response();
            long seq = response.get(0).toLong();
            long newFloor = response.get(2).toLong();
            List<String> tagList = List.copyOf(tags);
            return applyInEveryGroup(seq, newFloor, tagList).chain(applied -> {
                List<String> draining = new ArrayList<>();
                List<String> done = new ArrayList<>();
                for (int i = 0; i < tagList.size(); i++) {
                    if (applied.left()[i] > 0) {
                        draining.add(tagList.get(i));
                    } else {
                        done.add(new Pending(seq, tagList.get(i)).member());
                    }
                }
                // Only the control step waits for a replica: it carries the number, the log and the pending record. A
                // group that loses its application in a failover either still finds it pending (and any instance
                // applies it again), or is found behind by its mark (a new generation).
                Invalidated invalidated = new Invalidated(seq, applied.deleted(), response.get(1).toString(),
                        newFloor, draining, numbered.replicated());
                // Not waited for: while they are listed, instances treat the tags' older entries as misses, and one that
                // carries them on finds them applied. The caller saves a round trip.
                settlePending(done).subscribe().with(ok -> {
                }, failure -> LOG.debugf("CMS cache could not take applied invalidations out of the pending set: %s",
                        failure.getMessage()));
                return Uni.createFrom().item(invalidated);
            });
        });
    }

    /**
     * What applying an invalidation in every group did.
     *
     * @param deleted entries deleted
     * @param left for each tag, the drain members left in all groups
     * @param marks each group's mark before the call
     */
    private record Applied(long deleted, long[] left, long[] marks) {
    }

    /**
     * Applies an invalidation (or, with sequence number 0 and no tags, just the floor) in every slot group at once:
     * {@code apply.lua}, one drain step included.
     */
    private Uni<Applied> applyInEveryGroup(long seq, long namespaceFloor, List<String> tags) {
        return applyInEveryGroup(seq, namespaceFloor, tags, false);
    }

    /**
     * @param inTurn whether the groups' scripts go one after the other rather than at once: a drain step checks up to
     *        {@link #DRAIN_STEP} members in each group, and sixteen of those at once would keep Redis from answering
     *        anyone else for the sum of them (a region of 100,000 entries cleared blocked it for 170 to 330 ms)
     */
    private Uni<Applied> applyInEveryGroup(long seq, long namespaceFloor, List<String> tags, boolean inTurn) {
        List<List<String>> keysPerGroup = new ArrayList<>(keys.groups().size());
        List<List<Object>> argsPerGroup = new ArrayList<>(keys.groups().size());
        for (RedisKeyspace.Group group : keys.groups()) {
            List<String> scriptKeys = new ArrayList<>(3 + 3 * tags.size());
            scriptKeys.add(group.floor());
            scriptKeys.add(group.versionIndex());
            scriptKeys.add(group.tagSetIndex());
            scriptKeys.add(group.mark());
            for (String tag : tags) {
                scriptKeys.add(group.tagVersion(tag));
                scriptKeys.add(group.tagSet(tag));
                scriptKeys.add(group.drain(seq, tag));
            }
            List<Object> args = new ArrayList<>(3 + tags.size());
            args.add(seq);
            args.add(namespaceFloor);
            args.add((long) DRAIN_STEP);
            args.add(complete);
            args.add((long) DRAIN_ABOVE);
            args.addAll(tags);
            keysPerGroup.add(scriptKeys);
            argsPerGroup.add(args);
        }
        Uni<List<Response>> answers = inTurn ? runInEachGroupInTurn(apply, keysPerGroup, argsPerGroup)
                : runInEveryGroup(apply, keysPerGroup, argsPerGroup);
        return answers.map(responses -> {
            long deleted = 0;
            long[] left = new long[tags.size()];
            long[] marks = new long[responses.size()];
            for (int g = 0; g < marks.length; g++) {
                Response answer = responses.get(g);
                marks[g] = answer.get(2).toLong();
                deleted += answer.get(0).toLong();
                Response lefts = answer.get(1);
                for (int i = 0; i < left.length; i++) {
                    left[i] += lefts.get(i).toLong();
                }
            }
            return new Applied(deleted, left, marks);
        });
    }

    /**
     * Runs a script once per slot group, with each group's keys and arguments: in one pipeline on a single server, and
     * at once, each to its own master, on a cluster.
     *
     * @return the answers, in group order
     */
    private Uni<List<Response>> runInEveryGroup(Script script, List<List<String>> scriptKeys, List<List<Object>> args) {
        if (oneServer) {
            List<Request> all = new ArrayList<>(scriptKeys.size());
            for (int g = 0; g < scriptKeys.size(); g++) {
                all.add(script.evalsha(scriptKeys.get(g), args.get(g)));
            }
            return sendBatch(all).onFailure(Script::isNoScript).recoverWithUni(() -> {
                List<Request> whole = new ArrayList<>(scriptKeys.size());
                for (int g = 0; g < scriptKeys.size(); g++) {
                    whole.add(script.eval(scriptKeys.get(g), args.get(g)));
                }
                return sendBatch(whole);
            });
        }
        List<Uni<Response>> perGroup = new ArrayList<>(scriptKeys.size());
        for (int g = 0; g < scriptKeys.size(); g++) {
            perGroup.add(run(script, scriptKeys.get(g), args.get(g)));
        }
        return Uni.join().all(perGroup).andFailFast();
    }

    /**
     * Runs a script once per slot group, one group after the other, so that Redis answers other commands between
     * them.
     *
     * @return the answers, in group order
     */
    private Uni<List<Response>> runInEachGroupInTurn(Script script, List<List<String>> scriptKeys,
            List<List<Object>> args) {
        List<Response> answers = new ArrayList<>(scriptKeys.size());
        Uni<Void> turns = Uni.createFrom().voidItem();
        for (int g = 0; g < scriptKeys.size(); g++) {
            int group = g;
            turns = turns.chain(() -> run(script, scriptKeys.get(group), args.get(group)).invoke(answers::add)
                    .replaceWithVoid());
        }
        return turns.map(done -> answers);
    }

    /** Takes invalidations that every group has applied out of the pending set. */
    private Uni<Void> settlePending(List<String> members) {
        if (members.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Request zrem = Request.cmd(Command.ZREM).arg(keys.pending());
        members.forEach(zrem::arg);
        return send(zrem).replaceWithVoid();
    }

    /**
     * Carries on a pending invalidation of a tag: applies it again in every group, one group after the other (which
     * does nothing where it was applied) with one bounded drain step each, and takes it out of the pending set once no
     * group has anything left.
     *
     * @return how many entries it deleted, and how many drain members are left in all groups
     */
    public Uni<long[]> continuePending(Pending pending) {
        return applyInEveryGroup(pending.sequence(), floor, List.of(pending.tag()), true).chain(applied -> {
            long[] result = { applied.deleted(), applied.left()[0] };
            return result[1] > 0 ? Uni.createFrom().item(result)
                    : settlePending(List.of(pending.member())).replaceWith(result);
        });
    }

    /**
     * One step of a scan over a slot group's tag sets, through the index of the tags that have one.
     *
     * @param group the group
     * @param cursor where the scan is, {@code "0"} to start
     * @param count how many keys Redis looks at in this step
     * @return the next cursor ({@code "0"} when the scan is over) and the tag sets found
     */
    public Uni<Scanned> scanTagSets(RedisKeyspace.Group group, String cursor, int count) {
        // SSCAN of an index in the group's slot rather than SCAN of the keyspace: on a cluster, a keyless SCAN goes
        // to any master, and on a large shared Redis, SCAN walks every other application's keys too.
        return send(Request.cmd(Command.SSCAN).arg(group.tagSetIndex()).arg(cursor).arg("COUNT").arg(count))
                .map(response -> {
                    List<String> found = new ArrayList<>();
                    for (Response tag : response.get(1)) {
                        found.add(group.tagSet(tag.toString()));
                    }
                    return new Scanned(response.get(0).toString(), found);
                });
    }

    /**
     * @param cursor the next cursor
     * @param keys the keys found in this step
     */
    public record Scanned(String cursor, List<String> keys) {
    }

    /**
     * In every slot group, deletes tag versions older than the retention (at most {@code maxVersions} per group),
     * raising each group's version floor to the highest of them (so that a load that began before one is not stored);
     * in the group {@code pruned}, also prunes the given tag sets of members whose entry is gone or no longer carries
     * the tag (at most {@code maxMemberChecks} members checked in all, 20 at a time per set while at least half of them
     * are dead). Versions go in every group at once because an invalidation writes its tags' versions into every group.
     *
     * @return how many versions and set members were removed, and whether some group may hold more versions to delete
     */
    public Uni<Swept> sweep(RedisKeyspace.Group pruned, List<String> tagSets, Duration versionRetention,
            int maxVersions, int maxMemberChecks) {
        List<List<String>> keysPerGroup = new ArrayList<>(keys.groups().size());
        List<List<Object>> argsPerGroup = new ArrayList<>(keys.groups().size());
        for (RedisKeyspace.Group group : keys.groups()) {
            boolean prunes = group.index() == pruned.index();
            List<String> scriptKeys = new ArrayList<>(3 + (prunes ? tagSets.size() : 0));
            scriptKeys.add(group.versionIndex());
            scriptKeys.add(group.versionFloor());
            scriptKeys.add(group.tagSetIndex());
            if (prunes) {
                scriptKeys.addAll(tagSets);
            }
            keysPerGroup.add(scriptKeys);
            argsPerGroup.add(List.of(versionRetention.toMillis(), (long) maxVersions, (long) (prunes ? maxMemberChecks : 0),
                    group.versionPrefix()));
        }
        return runInEveryGroup(sweep, keysPerGroup, argsPerGroup).map(responses -> {
            long versions = 0;
            long members = 0;
            boolean more = false;
            for (Response response : responses) {
                long deleted = response.get(0).toLong();
                versions += deleted;
                members += response.get(1).toLong();
                more |= deleted >= maxVersions;
            }
            return new Swept(versions, members, more);
        });
    }

    /**
     * @param versionsDeleted tag versions deleted in all groups
     * @param membersRemoved tag set members removed
     * @param versionsLeft whether some group deleted as many versions as it may at once, so may hold more past their
     *        retention
     */
    public record Swept(long versionsDeleted, long membersRemoved, boolean versionsLeft) {
    }

    /**
     * @return the current invalidation sequence number and floor, the oldest pending invalidations and the
     *         namespace's layout
     */
    public Uni<Sequence> sequence() {
        return run(sequence, List.of(keys.sequence(), keys.floor(), keys.pending(), keys.layout()),
                List.of((long) MAX_PENDING_LISTED, layout())).map(response -> {
                    List<Pending> pending = new ArrayList<>(response.get(2).size());
                    for (Response member : response.get(2)) {
                        pending.add(Pending.parse(member.toString()));
                    }
                    Response layout = response.get(3);
                    long seq = response.get(0).toLong();
                    long upTo = pending.isEmpty() ? seq : pending.get(0).sequence() - 1;
                    if (upTo > complete) {
                        complete = upTo;
                    }
                    return new Sequence(seq, response.get(1).toLong(), pending,
                            layout == null ? layout() : layout.toString());
                });
    }

    /**
     * Finds the slot groups that went back in time: those whose mark is below the number up to which this instance
     * read that every invalidation was applied everywhere (an invalidation a group applied, then lost in a restart
     * or a failover to a replica that lagged). Tells every group the floor on the way.
     *
     * @return the indexes of the groups behind, with their mark and what it should be at least, empty if none
     */
    public Uni<List<String>> groupsBehind() {
        long expected = complete;
        long known = floor;
        return applyInEveryGroup(0, known, List.of()).map(applied -> {
            List<String> behind = new ArrayList<>();
            for (int g = 0; g < applied.marks().length; g++) {
                // Below the floor nothing counts: a group that missed only invalidations the floor covers (it was
                // unreachable while the pending set overflowed) holds nothing that is not a miss already.
                if (Math.max(applied.marks()[g], known) < expected) {
                    behind.add("slot group " + keys.groups().get(g).name() + " has applied up to #"
                            + applied.marks()[g] + ", not #" + expected);
                }
            }
            return behind;
        });
    }

    /**
     * Starts a new generation of the namespace, because Redis went back in time: its sequence is behind what this
     * instance has seen, or its log contradicts it. The floor and the sequence jump above every number handed out
     * before, the log is emptied, every instance hears of it (a {@code rewind} message, and the floor it reads on
     * every tick), and every slot group is told the floor, so that it refuses writes loaded before it. Does nothing
     * but tell the groups if the floor rose since this instance last read it.
     *
     * @param highestSeen the highest sequence number this instance has seen
     * @return the sequence and floor after it
     */
    public Uni<Sequence> recover(long highestSeen) {
        return run(recover, List.of(keys.sequence(), keys.floor(), keys.log()),
                List.of(highestSeen, floor, keys.channel()))
                .chain(response -> applyInEveryGroup(0, response.get(1).toLong(), List.of())
                        .replaceWith(new Sequence(response.get(0).toLong(), response.get(1).toLong(), List.of(),
                                layout())));
    }

    /**
     * @return how Redis frees memory, how many replicas it has and which server process it is, from {@code INFO}
     */
    public Uni<ServerInfo> serverInfo() {
        return send(Request.cmd(Command.INFO)).map(response -> ServerInfo.parse(response == null ? null
                : response.toString()));
    }

    /**
     * @return the invalidation log, newest first, as published messages
     */
    public Uni<List<String>> log(int max) {
        return send(Request.cmd(Command.LRANGE).arg(keys.log()).arg(0).arg(max - 1)).map(response -> {
            List<String> messages = new ArrayList<>(response.size());
            for (Response message : response) {
                messages.add(message.toString());
            }
            return messages;
        });
    }

    /**
     * @return the keys of the entries in Redis that carry the tag
     */
    public Uni<List<String>> dependents(String tag) {
        List<List<String>> sets = keys.groups().stream().map(group -> List.of(group.tagSet(tag))).toList();
        List<List<Object>> args = keys.groups().stream().map(group -> List.<Object> of(tag)).toList();
        return runInEveryGroup(dependents, sets, args).map(responses -> {
            List<String> result = new ArrayList<>();
            for (Response response : responses) {
                for (Response member : response) {
                    result.add(keys.keyOfEntry(member.toString()));
                }
            }
            return result;
        });
    }

    /**
     * Takes a lease if nobody holds it.
     *
     * @param name the lease key ({@link RedisKeyspace#lease}, {@link RedisKeyspace#refreshLease})
     * @param owner who takes it
     * @param ttl when it frees itself
     * @return whether this owner now holds it
     */
    public Uni<Boolean> tryLease(String name, String owner, Duration ttl) {
        return sendTrusted(Request.cmd(Command.SET).arg(name).arg(owner).arg("NX").arg("PX").arg(ttl.toMillis()))
                .map(response -> response != null && "OK".equals(response.toString()));
    }

    /**
     * @return whether someone holds the lease
     */
    public Uni<Boolean> leaseHeld(String name) {
        return sendTrusted(Request.cmd(Command.EXISTS).arg(name)).map(response -> response.toLong() > 0);
    }

    /**
     * Gives a lease back, if the owner still holds it.
     */
    public Uni<Void> releaseLease(String name, String owner) {
        return run(release, List.of(name), List.of(owner)).replaceWithVoid();
    }

    /**
     * Adds sampled read counts and recipes to the hot set, letting older counts fade.
     *
     * @param counts entry key to count
     * @param recipes entry key to recipe JSON, for the keys that have one
     * @param keep how many entries the set keeps
     * @param halfLife how fast counts fade
     */
    public Uni<Void> addReads(Map<String, Long> counts, Map<String, String> recipes, int keep, Duration halfLife) {
        List<Object> args = new ArrayList<>(2 + 3 * counts.size());
        args.add((long) keep);
        args.add(halfLife.toMillis());
        counts.forEach((key, count) -> {
            args.add(key);
            args.add(count);
            args.add(recipes.getOrDefault(key, ""));
        });
        return run(hot, List.of(keys.hot(), keys.hotRecipes(), keys.hotDecayed()), args).replaceWithVoid();
    }

    /**
     * @return the recipes of the most-read entries, most read first (entries without a recipe are left out)
     */
    public Uni<List<String>> hottestRecipes(int count) {
        return send(Request.cmd(Command.ZREVRANGE).arg(keys.hot()).arg(0).arg(count - 1)).chain(top -> {
            if (top == null || top.size() == 0) {
                return Uni.createFrom().item(List.<String> of());
            }
            Request hmget = Request.cmd(Command.HMGET).arg(keys.hotRecipes());
            for (Response key : top) {
                hmget.arg(key.toString());
            }
            return send(hmget).map(recipes -> {
                List<String> result = new ArrayList<>(recipes.size());
                for (Response recipe : recipes) {
                    if (recipe != null) {
                        result.add(recipe.toString());
                    }
                }
                return result;
            });
        });
    }

    /**
     * One step of a {@code SCAN} over entry keys, for diagnostics (never {@code KEYS}, which blocks Redis).
     *
     * @param cursor where to continue, {@code "0"} to start
     * @param keyPattern a glob over entry keys ({@code rendered:home*}), special characters of literal parts escaped
     *        with {@link #globEscape}
     * @param count how many keys Redis looks at in this step
     * @return the next cursor ({@code "0"} when done) and the entry keys found in this step
     */
    public Uni<Scan> scanEntries(String cursor, String keyPattern, int count) {
        return scan(Request.cmd(Command.SCAN).arg(cursor), keyPattern, count);
    }

    /**
     * As {@link #scanEntries}, over the entries registered under a tag ({@code SSCAN} of its set in each slot group,
     * one group after the other) rather than over the whole database: for a region, its region tag. The sets may
     * still name entries that expired.
     *
     * @param cursor {@code "0"} to start, else {@code <group>:<cursor in its set>} as the previous step returned
     */
    public Uni<Scan> scanTagged(String tag, String cursor, String keyPattern, int count) {
        int colon = cursor.indexOf(':');
        int group = colon < 0 ? 0 : Integer.parseInt(cursor.substring(0, colon));
        String inGroup = colon < 0 ? cursor : cursor.substring(colon + 1);
        if (group < 0 || group >= keys.groups().size()) {
            return Uni.createFrom().item(new Scan("0", List.of()));
        }
        return scan(Request.cmd(Command.SSCAN).arg(keys.groups().get(group).tagSet(tag)).arg(inGroup), keyPattern,
                count).map(step -> {
                    if (!"0".equals(step.cursor())) {
                        return new Scan(group + ":" + step.cursor(), step.keys());
                    }
                    return new Scan(group + 1 < keys.groups().size() ? (group + 1) + ":0" : "0", step.keys());
                });
    }

    /**
     * @return whether Redis holds the entry
     */
    public Uni<Boolean> holds(String key) {
        return send(Request.cmd(Command.EXISTS).arg(keys.entry(key))).map(response -> response.toLong() > 0);
    }

    private Uni<Scan> scan(Request request, String keyPattern, int count) {
        return send(request.arg("MATCH").arg(keys.entryPattern(keyPattern)).arg("COUNT").arg(count))
                .map(response -> {
                    List<String> found = new ArrayList<>(response.get(1).size());
                    for (Response key : response.get(1)) {
                        found.add(keys.keyOfEntry(key.toString()));
                    }
                    return new Scan(response.get(0).toString(), found);
                });
    }

    /**
     * A step of {@link #scanEntries}.
     *
     * @param cursor the cursor to continue with, {@code "0"} when the scan is complete
     * @param keys the entry keys found
     */
    public record Scan(String cursor, List<String> keys) {
    }

    /**
     * @return the text with the characters special in Redis glob patterns escaped
     */
    public static String globEscape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("*?[]^\\".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Reads an entry's fields and time to live, for diagnostics.
     *
     * @return {@code null} if there is no such entry, else the {@code m}, {@code t} and {@code v} fields and the
     *         milliseconds the entry has left
     */
    public Uni<Stored> inspect(String key) {
        return read(key).chain(fields -> fields == null ? Uni.createFrom().nullItem()
                : sendTrusted(Request.cmd(Command.PTTL).arg(keys.entry(key)))
                        .map(ttl -> new Stored(fields[0], fields[1], fields[2], ttl.toLong())));
    }

    /**
     * An entry as stored in Redis.
     *
     * @param meta the {@code m} field
     * @param tags the {@code t} field
     * @param value the {@code v} field
     * @param ttlMillis the time it has left
     */
    public record Stored(byte[] meta, byte[] tags, byte[] value, long ttlMillis) {
    }

    /**
     * Deletes an entry (used for values that no longer deserialize).
     */
    public Uni<Void> delete(String key) {
        return sendTrusted(Request.cmd(Command.DEL).arg(keys.entry(key))).replaceWithVoid();
    }

    /**
     * {@link #send}, for a command about entries: fails at once with {@link L2UntrustedException} while entries are
     * not trusted.
     */
    private Uni<Response> sendTrusted(Request request) {
        String reason = distrust;
        return reason == null ? send(request) : Uni.createFrom().failure(new L2UntrustedException(reason));
    }

    private Uni<Response> runTrusted(Script script, List<String> scriptKeys, List<Object> args) {
        String reason = distrust;
        return reason == null ? run(script, scriptKeys, args)
                : Uni.createFrom().failure(new L2UntrustedException(reason));
    }

    /**
     * A script's answer, and whether a replica confirmed its writes.
     *
     * @param response the answer
     * @param replicated whether a replica confirmed it within {@code l2.replica-ack-timeout}, or Redis has no replica
     */
    private record Replicated(Response response, boolean replicated) {
    }

    /**
     * Runs a script whose writes must survive a failover: when Redis has replicas, with {@code WAIT} for one of them.
     */
    private Uni<Replicated> runReplicated(Script script, List<String> scriptKeys, List<Object> args) {
        if (replicas == 0 || replicaAckTimeout.isZero()) {
            return run(script, scriptKeys, args).map(response -> new Replicated(response, true));
        }
        return runThenWaitForReplica(script, scriptKeys, args)
                .map(responses -> new Replicated(responses.get(0), responses.get(1).toLong() >= 1));
    }

    /**
     * Runs a script and then {@code WAIT 1 <replica-ack-timeout>} on the same connection (a batch), so that the
     * {@code WAIT} confirms this script's writes.
     *
     * @return the script's answer and the number of replicas that confirmed
     */
    private Uni<List<Response>> runThenWaitForReplica(Script script, List<String> scriptKeys, List<Object> args) {
        Request ack = Request.cmd(Command.WAIT).arg(1).arg(replicaAckTimeout.toMillis());
        return sendBatch(List.of(script.evalsha(scriptKeys, args), ack))
                .onFailure(Script::isNoScript).recoverWithUni(() -> sendBatch(List.of(script.eval(scriptKeys, args),
                        Request.cmd(Command.WAIT).arg(1).arg(replicaAckTimeout.toMillis()))));
    }

    private Uni<List<Response>> sendBatch(List<Request> requests) {
        return breaker.get(() -> deadlines.bound(inFlight.submit(() -> redis.batch(requests))), UNI_RESPONSES);
    }

    private Uni<Response> run(Script script, List<String> scriptKeys, List<Object> args) {
        return send(script.evalsha(scriptKeys, args))
                .onFailure(Script::isNoScript).recoverWithUni(() -> send(script.eval(scriptKeys, args)));
    }

    /**
     * Sends a command through the circuit breaker and the bound on commands in flight, bounded by the timeout (which
     * includes waiting for a place). While the breaker is open, fails at once without calling Redis.
     */
    Uni<Response> send(Request request) {
        return breaker.get(() -> deadlines.bound(inFlight.submit(() -> redis.send(request))), UNI_RESPONSE);
    }

    private static byte[] bytes(Response response) {
        return response == null ? null : response.toBytes();
    }
}
