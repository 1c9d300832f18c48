package io.quarkiverse.cmscache.runtime.l2;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.util.TypeLiteral;

import org.jboss.logging.Logger;

import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.entry.Entry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
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
    private final Duration timeout;
    private final Guard breaker;
    private final String breakerName;
    private final InFlightLimit inFlight;
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    /** Why entries are not trusted now, or {@code null} when they are. */
    private volatile String distrust = "the invalidation subscription has not been checked yet";
    private volatile long floor;
    private volatile int replicas;
    private final Duration replicaAckTimeout;
    private final Script write = Script.load("write");
    private final Script invalidate = Script.load("invalidate");
    private final Script sequence = Script.load("sequence");
    private final Script dependents = Script.load("dependents");
    private final Script release = Script.load("release");
    private final Script hot = Script.load("hot");
    private final Script sweep = Script.load("sweep");
    private final Script recover = Script.load("recover");
    private final Script drain = Script.load("drain");

    /**
     * @param redis the client
     * @param keys the names of this namespace
     * @param timeout how long one command may take
     * @param breaker when to stop calling Redis, and for how long
     * @param commands how many commands may be in the client at once, and how many may wait
     * @param executor where a command that waited for its place is sent from
     * @param instanceId this instance, to name its circuit breaker
     */
    public RedisL2(Redis redis, RedisKeyspace keys, Duration timeout, EngineSettings.Breaker breaker,
            EngineSettings.Commands commands, Executor executor, String instanceId) {
        this.redis = redis;
        this.keys = keys;
        this.timeout = timeout;
        this.inFlight = new InFlightLimit(commands.maxInFlight(), commands.maxWaiting(), executor);
        this.replicaAckTimeout = commands.replicaAckTimeout();
        this.breakerName = "cms-cache-redis-" + keys.slot() + "-" + instanceId;
        this.breaker = Guard.create().withDescription("CMS cache Redis " + keys.slot())
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
            LOG.warnf("CMS cache stops calling Redis (%s) for a while: too many commands failed", keys.slot());
        } else if (newState == CircuitBreakerState.CLOSED) {
            LOG.infof("CMS cache calls Redis (%s) again", keys.slot());
        }
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
     * @param draining the tags whose sets were too large to check in the script: their entries are deleted by
     *        {@link #drain} steps, and are misses meanwhile
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
     * @param drains the oldest drains in progress (at most {@link #MAX_DRAINS_LISTED}), tag to the sequence number of
     *        its invalidation
     */
    public record Sequence(long sequence, long floor, Map<String, Long> drains) {
    }

    /** How many drains one read of the sequence lists at most. */
    public static final int MAX_DRAINS_LISTED = 100;

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
        List<String> scriptKeys = new ArrayList<>(1 + 2 * tags.length);
        scriptKeys.add(keys.entry(entry.key()));
        for (String tag : tags) {
            scriptKeys.add(keys.tagVersion(tag));
        }
        for (String tag : tags) {
            scriptKeys.add(keys.tagSet(tag));
        }
        scriptKeys.add(keys.sequence());
        scriptKeys.add(keys.floor());
        scriptKeys.add(keys.versionFloor());
        scriptKeys.add(keys.tagSetIndex());
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
     * Invalidates tags atomically: sequence number, tag versions, deletion of the entries carrying them, log and
     * publication.
     *
     * If Redis's sequence is behind {@code highestSeen}, or its floor behind the one this instance knows, Redis went
     * back in time: the script first starts a new generation (see {@link #recover}), so that the invalidation never
     * takes a number instances count as applied already.
     *
     * @param tags the tags
     * @param origin the id of the invalidating instance
     * @param highestSeen the highest sequence number this instance has seen
     * @param logSize how many invalidations the log keeps
     * @param details the details of the logged and published message, see {@code InvalidationMessage}
     */
    public Uni<Invalidated> invalidate(Collection<String> tags, String origin, long highestSeen, int logSize,
            String details) {
        List<String> scriptKeys = new ArrayList<>(2 + 2 * tags.size());
        scriptKeys.add(keys.sequence());
        scriptKeys.add(keys.log());
        for (String tag : tags) {
            scriptKeys.add(keys.tagVersion(tag));
            scriptKeys.add(keys.tagSet(tag));
        }
        scriptKeys.add(keys.versionIndex());
        scriptKeys.add(keys.drains());
        scriptKeys.add(keys.tagSetIndex());
        scriptKeys.add(keys.floor());
        List<Object> args = new ArrayList<>(6 + tags.size());
        args.add(origin);
        args.add(highestSeen);
        args.add((long) logSize);
        args.add(keys.channel());
        args.add(details);
        args.add(floor);
        args.addAll(tags);
        boolean waitForReplica = replicas > 0 && !replicaAckTimeout.isZero();
        Uni<List<Response>> sent = waitForReplica ? runThenWaitForReplica(invalidate, scriptKeys, args)
                : run(invalidate, scriptKeys, args).map(List::of);
        return sent.map(responses -> {
            Response response = responses.get(0);
            List<String> draining = new ArrayList<>();
            for (Response tag : response.get(4)) {
                draining.add(tag.toString());
            }
            boolean replicated = !waitForReplica || responses.get(1).toLong() >= 1;
            return new Invalidated(response.get(0).toLong(), response.get(1).toLong(), response.get(2).toString(),
                    response.get(3).toLong(), draining, replicated);
        });
    }

    /**
     * One step of a scan over this namespace's tag sets, through the index of the tags that have one.
     *
     * @param cursor where the scan is, {@code "0"} to start
     * @param count how many keys Redis looks at in this step
     * @return the next cursor ({@code "0"} when the scan is over) and the tag sets found
     */
    public Uni<Scanned> scanTagSets(String cursor, int count) {
        // SSCAN of an index in the namespace's slot rather than SCAN of the keyspace: on a cluster, a keyless SCAN goes
        // to any master, and on a large shared Redis, SCAN walks every other application's keys too.
        return send(Request.cmd(Command.SSCAN).arg(keys.tagSetIndex()).arg(cursor).arg("COUNT").arg(count))
                .map(response -> {
                    List<String> found = new ArrayList<>();
                    for (Response tag : response.get(1)) {
                        found.add(keys.tagSet(tag.toString()));
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
     * Deletes tag versions older than the retention (at most {@code maxVersions}), raising the version floor to the
     * highest of them (so that a load that began before one is not stored), and prunes the given tag sets of
     * members whose entry is gone or no longer carries the tag (at most {@code maxMemberChecks} members checked in
     * all, 20 at a time per set while at least half of them are dead).
     *
     * @return how many versions were deleted and how many set members removed
     */
    public Uni<long[]> sweep(List<String> tagSets, Duration versionRetention, int maxVersions, int maxMemberChecks) {
        List<String> scriptKeys = new ArrayList<>(3 + tagSets.size());
        scriptKeys.add(keys.versionIndex());
        scriptKeys.add(keys.versionFloor());
        scriptKeys.add(keys.tagSetIndex());
        scriptKeys.addAll(tagSets);
        return run(sweep, scriptKeys, List.of(versionRetention.toMillis(), (long) maxVersions, (long) maxMemberChecks,
                keys.versionPrefix())).map(response -> new long[] { response.get(0).toLong(), response.get(1).toLong() });
    }

    /**
     * @return the current invalidation sequence number and floor
     */
    public Uni<Sequence> sequence() {
        return run(sequence, List.of(keys.sequence(), keys.floor(), keys.drains()), List.of((long) MAX_DRAINS_LISTED))
                .map(response -> {
                    Map<String, Long> drains = new java.util.LinkedHashMap<>();
                    for (Response drain : response.get(2)) {
                        String text = drain.toString();
                        int colon = text.indexOf(':');
                        drains.put(text.substring(colon + 1), Long.parseLong(text.substring(0, colon)));
                    }
                    return new Sequence(response.get(0).toLong(), response.get(1).toLong(), drains);
                });
    }

    /**
     * One bounded step of the drain of a large invalidation: deletes those of up to {@code count} of its members whose
     * entry still carries the tag and was loaded before the invalidation.
     *
     * @return how many entries it deleted, and how many members are left
     */
    public Uni<long[]> drain(long seq, String tag, int count) {
        return run(drain, List.of(keys.drain(seq, tag), keys.drains()), List.of(seq, tag, (long) count))
                .map(response -> new long[] { response.get(0).toLong(), response.get(1).toLong() });
    }

    /**
     * Starts a new generation of the namespace, because Redis went back in time: its sequence is behind what this
     * instance has seen, or its log contradicts it. The floor and the sequence jump above every number handed out
     * before, the log is emptied, and every instance hears of it (a {@code rewind} message, and the floor it reads on
     * every tick). Does nothing if the floor rose since this instance last read it.
     *
     * @param highestSeen the highest sequence number this instance has seen
     * @return the sequence and floor after it
     */
    public Uni<Sequence> recover(long highestSeen) {
        return run(recover, List.of(keys.sequence(), keys.floor(), keys.log()),
                List.of(highestSeen, floor, keys.channel()))
                .map(response -> new Sequence(response.get(0).toLong(), response.get(1).toLong(), Map.of()));
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
        return run(dependents, List.of(keys.tagSet(tag)), List.of(tag)).map(response -> {
            List<String> result = new ArrayList<>(response.size());
            for (Response member : response) {
                result.add(keys.keyOfEntry(member.toString()));
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
     * As {@link #scanEntries}, over the entries registered under a tag ({@code SSCAN} of its set) rather than over
     * the whole database: for a region, its region tag. The set may still name entries that expired.
     */
    public Uni<Scan> scanTagged(String tag, String cursor, String keyPattern, int count) {
        return scan(Request.cmd(Command.SSCAN).arg(keys.tagSet(tag)).arg(cursor), keyPattern, count);
    }

    /**
     * @return whether Redis holds the entry
     */
    public Uni<Boolean> holds(String key) {
        return send(Request.cmd(Command.EXISTS).arg(keys.entry(key))).map(response -> response.toLong() > 0);
    }

    private Uni<Scan> scan(Request request, String keyPattern, int count) {
        return send(request.arg("MATCH").arg(globEscape(keys.entry("")) + keyPattern).arg("COUNT").arg(count))
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
        return breaker.get(() -> inFlight.submit(() -> redis.batch(requests))
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException(
                        "Redis did not answer within " + timeout.toMillis() + " ms (quarkus.cms-cache.l2.timeout)")),
                UNI_RESPONSES);
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
        return breaker.get(() -> inFlight.submit(() -> redis.send(request))
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException(
                        "Redis did not answer within " + timeout.toMillis() + " ms (quarkus.cms-cache.l2.timeout)")),
                UNI_RESPONSE);
    }

    private static byte[] bytes(Response response) {
        return response == null ? null : response.toBytes();
    }
}
