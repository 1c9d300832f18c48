package io.quarkiverse.cmscache.test;

import static io.quarkiverse.cmscache.test.RedisSentinelSetup.command;
import static io.quarkiverse.cmscache.test.RedisSentinelSetup.info;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.quarkiverse.cmscache.test.RedisSentinelSetup.RedisError;

/**
 * A Redis Cluster of a test's own, started as real processes: six {@code redis-server} nodes (three masters, each with
 * one replica) on free ports of 127.0.0.1, each in a directory of its own; the shared Redis on 6379 is never touched.
 * Nodes keep nothing on disk ({@code --save "" --appendonly no}), as a cache's Redis usually runs.
 * <p>
 * Why a harness: the Quarkus Redis client in cluster mode keeps a slot map, follows {@code MOVED} and {@code ASK}
 * redirections and holds one pooled connection per node for each command; the cache keeps a whole namespace in one
 * hash slot and runs Lua scripts on it. What that combination does under a burst, a failover or a resharding only
 * shows against a real cluster: the operations below ({@link #takeover}, {@link #killMaster}, {@link #migrateSlot},
 * {@link #stopReplicasOf}, {@link #cutReplicaLinks}...) are the moves such tests are made of.
 * <p>
 * Starting one takes a few seconds (the cluster bus has to agree, the replicas have to sync), so one cluster serves a
 * whole test class. QuarkusUnitTest loads a test class twice (JUnit's class loader and the application's), so a
 * cluster is identified by a name and found again through a system property, as {@link LocalRedisServer} and
 * {@link RedisSentinelSetup} do; everything both loaders must agree on (process ids, which replicas are stopped) is
 * kept in files or system properties, never in fields. Roles change under failover and slots move under resharding,
 * so the harness never remembers them: every question about the topology is asked of the nodes. A shutdown hook
 * kills every process the cluster started, stopped or not.
 * <p>
 * Commands are sent with {@link RedisSentinelSetup#command}: one connection each, a 3 s timeout (a stopped node never
 * answers), replies as {@code String}, {@code Long}, {@code List} or {@code null}.
 */
public final class RedisClusterSetup {

    /** Slots of a Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final String PROPERTY = "cms-cache.test.redis-cluster.";
    private static final int MASTERS = 3;
    private static final int NODES = 6;
    /** Cluster bus port = data port + this; both must be free. */
    private static final int BUS_OFFSET = 10000;
    /**
     * Data ports are taken from here, so that the bus ports (+10000, up to 32767) stay below Linux's ephemeral range
     * (32768 and up): no outgoing connection of another program can be holding one by chance.
     */
    private static final int LOWEST_PORT = 20000;
    private static final int PORTS = 32768 - BUS_OFFSET - LOWEST_PORT;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int MIGRATE_BATCH = 100;

    private final String name;
    private final Path dir;
    /** Every node's port: the masters the cluster was created with first, then the replicas. Fixed for its life. */
    private final List<Integer> ports;

    private RedisClusterSetup(String name, Path dir, List<Integer> ports) {
        this.name = name;
        this.dir = dir;
        this.ports = List.copyOf(ports);
    }

    /**
     * Finds the cluster of that name, or starts one and waits until it is ready: {@code cluster_state:ok} on every
     * node, every node agreeing on who owns which slot and seeing all six nodes healthy, and every replica in sync with
     * its master. A test may then write at once and rely on the replicas.
     *
     * @return the cluster of that name, started on first use (once per test class, whatever the class loader)
     */
    public static synchronized RedisClusterSetup named(String name) {
        String known = System.getProperty(PROPERTY + name);
        if (known != null) {
            String[] parts = known.split("\\|", 2);
            return new RedisClusterSetup(name, Path.of(parts[0]), ports(parts[1]));
        }
        Path dir = temporaryDirectory();
        // Registered before anything starts, so that a failure half-way leaves no process behind either.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> killAll(dir), "redis-cluster-setup-" + name));
        RedisClusterSetup starting = new RedisClusterSetup(name, dir, List.of());
        List<Integer> started = new ArrayList<>();
        while (started.size() < NODES) {
            started.add(starting.startNode(started));
        }
        starting.create(started);
        RedisClusterSetup setup = new RedisClusterSetup(name, dir, starting.creationOrder(started));
        setup.awaitReady();
        System.setProperty(PROPERTY + name, dir + "|" + join(setup.ports));
        return setup;
    }

    // ---- addresses and topology

    /**
     * @return the value for {@code quarkus.redis.hosts} with {@code quarkus.redis.client-type=cluster}: every node, as
     *         {@code redis://127.0.0.1:PORT}, the masters the cluster was created with first. The client asks the
     *         first one that answers for the slot map, so the first is a node whose pool the cache's commands use:
     *         that is the pool the vertx-redis-client deadlock needs. 127.0.0.1 rather than localhost: the nodes
     *         announce themselves by IP, and the client names its pools after the addresses, so the configured
     *         address and the announced one must be the same string for them to share a pool, as in production.
     */
    public String hosts() {
        return ports.stream().map(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /**
     * @return every node's port, whatever its role now or whether it still runs
     */
    public List<Integer> ports() {
        return ports;
    }

    /**
     * @return the ports of the nodes that own slots now, by their first slot, as the cluster reports it
     *         ({@code CLUSTER SLOTS} of a reachable node): changes with {@link #takeover} and {@link #migrateSlot}
     */
    public List<Integer> masterPorts() {
        return new ArrayList<>(new LinkedHashSet<>(slotOwners(anyNode()).values()));
    }

    /**
     * @return the ports of the nodes a reachable node lists as replicas and not failed, stopped ones included (the
     *         cluster takes a stopped replica for failed only after {@code cluster-node-timeout}, 2 s)
     */
    public List<Integer> replicaPorts() {
        return nodes(anyNode()).stream().filter(node -> node.has("slave") && !node.failed()).map(Node::port).sorted()
                .toList();
    }

    /**
     * @return the ports of the replicas of that master, as a reachable node lists them
     */
    public List<Integer> replicasOf(int masterPort) {
        List<Node> nodes = nodes(anyNode());
        String masterId = nodes.stream().filter(node -> node.port() == masterPort).map(Node::id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node on port " + masterPort));
        return nodes.stream().filter(node -> node.has("slave") && masterId.equals(node.master()) && !node.failed())
                .map(Node::port).sorted().toList();
    }

    /**
     * @return the port of the master that owns the slot now, as a reachable node reports it
     */
    public int masterOf(int slot) {
        Integer owner = slotOwners(anyNode()).get(slot);
        if (owner == null) {
            throw new IllegalStateException("slot " + slot + " is not served; see " + dir);
        }
        return owner;
    }

    /**
     * @return the hash slot of the key, as Redis computes it ({@code CLUSTER KEYSLOT}): the cache's keys all carry the
     *         hash tag of their namespace, so every key of a namespace gives the same slot
     */
    public int slotOf(String key) {
        return Math.toIntExact((Long) command(anyNode(), "CLUSTER", "KEYSLOT", key));
    }

    /**
     * Counts the keys matching the pattern on each master ({@code DBSIZE} for {@code *}, otherwise {@code SCAN}): how
     * a test sees where the cache's data actually lies, for example that a namespace lives on one shard, or that a
     * resharding moved it.
     *
     * @return key counts by master port, for every master in {@link #masterPorts()} order
     */
    public Map<Integer, Long> keysPerMaster(String pattern) {
        Map<Integer, Long> counts = new LinkedHashMap<>();
        for (int master : masterPorts()) {
            counts.put(master, "*".equals(pattern) ? (Long) command(master, "DBSIZE") : scanCount(master, pattern));
        }
        return counts;
    }

    private static long scanCount(int port, String pattern) {
        long count = 0;
        String cursor = "0";
        do {
            List<?> reply = (List<?>) command(port, "SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
            cursor = (String) reply.get(0);
            count += ((List<?>) reply.get(1)).size();
        } while (!"0".equals(cursor));
        return count;
    }

    /**
     * Waits until every running replica that is not stopped has its link to its master up and has applied everything
     * its master had accepted when this was called (its replication offset has reached the master's). Why: a test
     * that loses writes on purpose ({@link #stopReplicasOf}, {@link #cutReplicaLinks}, {@link #killMaster}) must know
     * which writes the replica already has; what the test wrote before this call, it has.
     */
    public void awaitReplicasInSync() {
        List<Integer> reachable = reachable();
        List<Node> nodes = nodes(anyNode());
        for (Node replica : nodes.stream().filter(node -> node.has("slave") && reachable.contains(node.port()))
                .toList()) {
            int master = nodes.stream().filter(node -> node.id().equals(replica.master())).map(Node::port).findFirst()
                    .orElseThrow(() -> new IllegalStateException("replica " + replica.port() + " follows no node"));
            long accepted = Long.parseLong(info(master, "replication").get("master_repl_offset"));
            awaitUntil(SETTLE, () -> {
                try {
                    Map<String, String> replication = info(replica.port(), "replication");
                    return "slave".equals(replication.get("role"))
                            && String.valueOf(master).equals(replication.get("master_port"))
                            && "up".equals(replication.get("master_link_status"))
                            && Long.parseLong(replication.get("slave_repl_offset")) >= accepted;
                } catch (RuntimeException e) {
                    return false;
                }
            }, () -> "replica on " + replica.port() + " did not reach offset " + accepted + " of " + master + "; see "
                    + dir);
        }
    }

    // ---- failures

    /**
     * Suspends every replica of that master with SIGSTOP: it neither answers nor applies the replication stream, which
     * the kernel buffers, so stopped replicas alone lose nothing (see {@link #cutReplicaLinks}). The cluster marks them
     * failed after {@code cluster-node-timeout} (2 s). Stopped nodes are remembered, so that the harness does not wait
     * 3 s for an answer from them, and {@link #continueReplicas()} knows whom to resume.
     *
     * @return the ports of the stopped replicas
     */
    public List<Integer> stopReplicasOf(int masterPort) {
        List<Integer> replicas = replicasOf(masterPort);
        if (replicas.isEmpty()) {
            throw new IllegalStateException("master on " + masterPort + " has no replica to stop");
        }
        Set<Integer> stopped = new LinkedHashSet<>(stopped());
        for (int replica : replicas) {
            signal("STOP", recordedPid(replica));
            stopped.add(replica);
        }
        System.setProperty(PROPERTY + name + ".stopped", join(List.copyOf(stopped)));
        return replicas;
    }

    /**
     * Resumes every node stopped by {@link #stopReplicasOf} (SIGCONT), by the process id recorded when it was started,
     * since a stopped server cannot be asked. Does not wait for them to catch up: after a cut link and a lost master,
     * there is nothing to catch up with until one is promoted.
     */
    public void continueReplicas() {
        for (int port : stopped()) {
            signal("CONT", recordedPid(port));
        }
        System.clearProperty(PROPERTY + name + ".stopped");
    }

    /**
     * Closes the master's replication connections ({@code CLIENT KILL TYPE replica}), so that what is written next is
     * not even buffered for its replicas: together with {@link #stopReplicasOf} (which freezes the replicas' own
     * reconnection too), the way to make a failover lose writes on purpose.
     *
     * @return how many connections were closed
     */
    public long cutReplicaLinks(int masterPort) {
        return (Long) command(masterPort, "CLIENT", "KILL", "TYPE", "replica");
    }

    /**
     * Kills a master with SIGKILL, as a crash would, and waits until its port is closed. Its replicas promote one of
     * themselves after {@code cluster-node-timeout} unless a test does it first with {@link #takeover}, or they are
     * stopped.
     */
    public void killMaster(int port) {
        if (!isMaster(port)) {
            throw new IllegalStateException("node on " + port + " is not a master");
        }
        signal("KILL", recordedPid(port));
        awaitUntil(Duration.ofSeconds(10), () -> !isListening(port), () -> "node on " + port + " still listens");
    }

    /**
     * Promotes a replica without asking its master or the other masters ({@code CLUSTER FAILOVER TAKEOVER}): what an
     * operator does when the master is gone and waiting for the cluster's own failover is not wanted, and what a test
     * does to choose the moment and the node. Writes the replica had not received are lost. Waits until the node
     * answers {@code ROLE} as a master, and every reachable node reports {@code cluster_state:ok} and names it as the
     * owner of its slots, so that whichever node a client asks for the slot map gives the new one. If the cluster's
     * own failover promoted that replica first (its master has been unreachable for {@code cluster-node-timeout}),
     * only waits.
     */
    public void takeover(int replicaPort) {
        if (!isMaster(replicaPort)) {
            command(replicaPort, "CLUSTER", "FAILOVER", "TAKEOVER");
        }
        awaitUntil(SETTLE, () -> isMaster(replicaPort) && agreedSlotOwners().map(owners -> owners.containsValue(
                replicaPort)).orElse(false),
                () -> "node on " + replicaPort + " did not take over; nodes report " + describe());
    }

    // ---- resharding

    /**
     * Moves a slot from one master to another the way {@code redis-cli --cluster reshard} does, step by step, so that
     * a test can reshard under load and the client sees every state a real resharding goes through ({@code ASK}
     * while keys are on both sides, {@code TRYAGAIN} for a multi-key command whose keys are split, then {@code MOVED}):
     * <ol>
     * <li>{@code CLUSTER SETSLOT <slot> IMPORTING <from-id>} on the target, then {@code MIGRATING <to-id>} on the
     * source (in this order, so that a client redirected by the source is never refused by the target);</li>
     * <li>{@code CLUSTER GETKEYSINSLOT} and {@code MIGRATE ... KEYS} in batches of 100 until the source holds none
     * (without {@code REPLACE}: a key the target already holds would be a bug worth seeing);</li>
     * <li>{@code CLUSTER SETSLOT <slot> NODE <to-id>} on the target, the source, then every other master;</li>
     * <li>a wait until every reachable node names the target as the slot's owner.</li>
     * </ol>
     * Keys are handled as UTF-8 text, which the cache's keys are.
     *
     * @return how many keys were moved
     */
    public long migrateSlot(int slot, int fromPort, int toPort) {
        if (masterOf(slot) != fromPort) {
            throw new IllegalStateException("slot " + slot + " is served by " + masterOf(slot) + ", not " + fromPort);
        }
        String fromId = (String) command(fromPort, "CLUSTER", "MYID");
        String toId = (String) command(toPort, "CLUSTER", "MYID");
        String slotArg = String.valueOf(slot);
        command(toPort, "CLUSTER", "SETSLOT", slotArg, "IMPORTING", fromId);
        command(fromPort, "CLUSTER", "SETSLOT", slotArg, "MIGRATING", toId);
        long moved = 0;
        while (true) {
            List<?> keys = (List<?>) command(fromPort, "CLUSTER", "GETKEYSINSLOT", slotArg,
                    String.valueOf(MIGRATE_BATCH));
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", String.valueOf(toPort), "", "0",
                    "5000", "KEYS"));
            keys.forEach(key -> migrate.add((String) key));
            command(fromPort, migrate.toArray(String[]::new));
            moved += keys.size();
        }
        command(toPort, "CLUSTER", "SETSLOT", slotArg, "NODE", toId);
        command(fromPort, "CLUSTER", "SETSLOT", slotArg, "NODE", toId);
        for (int master : masterPorts()) {
            if (master != fromPort && master != toPort) {
                command(master, "CLUSTER", "SETSLOT", slotArg, "NODE", toId);
            }
        }
        awaitUntil(SETTLE, () -> agreedSlotOwners().map(owners -> owners.get(slot) == toPort).orElse(false),
                () -> "slot " + slot + " not agreed to be on " + toPort + "; nodes report " + describe());
        return moved;
    }

    /**
     * Kills every node now (the shutdown hook would at JVM exit) and forgets the cluster, so that a later
     * {@link #named} starts a new one. For {@code @AfterAll}: test classes share a JVM, and six idle servers per
     * finished class add up.
     */
    public void stop() {
        killAll(dir);
        System.clearProperty(PROPERTY + name);
        System.clearProperty(PROPERTY + name + ".stopped");
    }

    // ---- creation

    /**
     * Starts one cluster-enabled node on a port that is free with its bus port.
     *
     * @return its port
     */
    private int startNode(List<Integer> taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = LOWEST_PORT + ThreadLocalRandom.current().nextInt(PORTS);
            if (taken.contains(port) || !isFree(port) || !isFree(port + BUS_OFFSET)) {
                continue;
            }
            Path nodeDir = directory("node-" + port);
            List<String> command = List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no", "--dir", nodeDir.toString(),
                    // A full sync starts at once instead of waiting 5 s (Redis 7's default) for more replicas to join.
                    "--repl-diskless-sync-delay", "0");
            if (tryStart(port, nodeDir, command)) {
                return port;
            }
        }
        throw new IllegalStateException("could not start a cluster node on a free port pair; see " + dir);
    }

    /**
     * {@code redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes}: assigns the slots to three masters,
     * makes the nodes meet and each remaining node a replica, and waits until their configurations agree.
     */
    private void create(List<Integer> nodes) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(port -> command.add("127.0.0.1:" + port));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        Path log = dir.resolve("create.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(SETTLE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create did not finish; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("redis-cli could not be run; is it installed?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the ports with the masters redis-cli chose first (by their first slot), then the replicas
     */
    private List<Integer> creationOrder(List<Integer> nodes) {
        awaitUntil(SETTLE, () -> slotOwnersOrNull(nodes.get(0)) != null, () -> "no slot map on " + nodes.get(0));
        List<Integer> order = new ArrayList<>(new LinkedHashSet<>(slotOwners(nodes.get(0)).values()));
        nodes.stream().filter(port -> !order.contains(port)).sorted().forEach(order::add);
        if (order.size() != NODES || new LinkedHashSet<>(slotOwners(nodes.get(0)).values()).size() != MASTERS) {
            throw new IllegalStateException("unexpected cluster layout " + order + "; see " + dir);
        }
        return order;
    }

    /**
     * Waits until every node reports {@code cluster_state:ok} and the same slot owners, sees the other five nodes
     * connected and none failed, and every replica is in sync with its master ({@link #awaitReplicasInSync()}).
     */
    private void awaitReady() {
        awaitUntil(SETTLE, () -> {
            Set<Map<Integer, String>> views = new HashSet<>();
            for (int port : ports) {
                try {
                    List<Node> nodes = nodes(port);
                    if (!"ok".equals(clusterInfo(port).get("cluster_state")) || nodes.size() != NODES
                            || nodes.stream().anyMatch(node -> node.failed() || node.has("handshake")
                                    || node.has("noaddr") || !node.has("myself") && !"connected".equals(node.link()))) {
                        return false;
                    }
                    views.add(roles(nodes));
                } catch (RuntimeException e) {
                    return false;
                }
            }
            // Every node knows who replicates whom: a replica is announced to the others by gossip, after
            // redis-cli has made it one, and until then they list it as a master without slots.
            return views.size() == 1 && views.iterator().next().values().stream()
                    .filter("master"::equals).count() == MASTERS && agreedSlotOwners().isPresent();
        }, () -> "cluster not ready; nodes report " + describe());
        awaitReplicasInSync();
    }

    /**
     * @return each node's role in that view: {@code master}, or the port of the master it replicates
     */
    private static Map<Integer, String> roles(List<Node> nodes) {
        Map<Integer, String> roles = new TreeMap<>();
        for (Node node : nodes) {
            roles.put(node.port(), node.has("master") ? "master"
                    : nodes.stream().filter(other -> other.id().equals(node.master())).map(other -> "" + other.port())
                            .findFirst().orElse("?"));
        }
        return roles;
    }

    // ---- asking the nodes

    /**
     * One line of {@code CLUSTER NODES}.
     */
    private record Node(String id, int port, Set<String> flags, String master, String link) {
        boolean has(String flag) {
            return flags.contains(flag);
        }

        boolean failed() {
            return has("fail") || has("fail?");
        }
    }

    /**
     * @return the nodes as the node on that port knows them
     */
    private static List<Node> nodes(int port) {
        List<Node> nodes = new ArrayList<>();
        for (String line : ((String) command(port, "CLUSTER", "NODES")).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.trim().split(" ");
            // <ip>:<port>@<bus port>[,<hostname>]
            String address = fields[1].split("[@,]")[0];
            int nodePort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            nodes.add(new Node(fields[0], nodePort, Set.of(fields[2].split(",")), fields[3], fields[7]));
        }
        return nodes;
    }

    /**
     * @return the owner of every served slot as the node on that port reports it ({@code CLUSTER SLOTS}): slot to
     *         master port, in slot order
     */
    private static Map<Integer, Integer> slotOwners(int port) {
        Map<Integer, Integer> owners = new TreeMap<>();
        for (Object range : (List<?>) command(port, "CLUSTER", "SLOTS")) {
            List<?> fields = (List<?>) range;
            int first = Math.toIntExact((Long) fields.get(0));
            int last = Math.toIntExact((Long) fields.get(1));
            int owner = Math.toIntExact((Long) ((List<?>) fields.get(2)).get(1));
            for (int slot = first; slot <= last; slot++) {
                owners.put(slot, owner);
            }
        }
        // A TreeMap by slot: values() lists the masters by their first slot.
        return owners;
    }

    private static Map<Integer, Integer> slotOwnersOrNull(int port) {
        try {
            Map<Integer, Integer> owners = slotOwners(port);
            return owners.size() == SLOTS ? owners : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * @return the slot owners, if every reachable node reports {@code cluster_state:ok} and the same owners for all
     *         slots
     */
    private Optional<Map<Integer, Integer>> agreedSlotOwners() {
        Map<Integer, Integer> agreed = null;
        for (int port : reachable()) {
            Map<Integer, Integer> owners = slotOwnersOrNull(port);
            try {
                if (owners == null || !"ok".equals(clusterInfo(port).get("cluster_state"))
                        || agreed != null && !agreed.equals(owners)) {
                    return Optional.empty();
                }
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            agreed = owners;
        }
        return Optional.ofNullable(agreed);
    }

    private static Map<String, String> clusterInfo(int port) {
        Map<String, String> fields = new LinkedHashMap<>();
        ((String) command(port, "CLUSTER", "INFO")).lines().filter(line -> line.contains(":"))
                .forEach(line -> fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1)));
        return fields;
    }

    /**
     * @return the nodes that run and are not stopped, which answer at once
     */
    private List<Integer> reachable() {
        List<Integer> stopped = stopped();
        return ports.stream().filter(port -> !stopped.contains(port) && answers(port)).toList();
    }

    /**
     * @return a node to ask about the cluster: the first that runs and is not stopped
     */
    private int anyNode() {
        List<Integer> stopped = stopped();
        return ports.stream().filter(port -> !stopped.contains(port) && answers(port)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster answers; see " + dir));
    }

    private List<Integer> stopped() {
        String stopped = System.getProperty(PROPERTY + name + ".stopped");
        return stopped == null || stopped.isEmpty() ? List.of() : ports(stopped);
    }

    private static boolean isMaster(int port) {
        try {
            return "master".equals(((List<?>) command(port, "ROLE")).get(0));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * @return what each node says of the cluster, for failure messages
     */
    private String describe() {
        List<Integer> stopped = stopped();
        Map<Integer, String> states = new LinkedHashMap<>();
        for (int port : ports) {
            if (stopped.contains(port)) {
                states.put(port, "stopped");
                continue;
            }
            try {
                states.put(port, clusterInfo(port).get("cluster_state") + " " + (isMaster(port) ? "master" : "replica")
                        + " owners " + new LinkedHashSet<>(slotOwners(port).values()));
            } catch (RuntimeException e) {
                states.put(port, e.getMessage());
            }
        }
        return states + "; see " + dir;
    }

    // ---- processes

    /**
     * @return whether the process started by this call is the one now answering on the port (another one holding the
     *         port or its bus port makes ours exit)
     */
    private boolean tryStart(int port, Path processDir, List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(processDir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server could not be started; is it installed?", e);
        }
        try {
            Files.writeString(dir.resolve(port + ".pid"), String.valueOf(process.pid()));
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                return false;
            }
            if (answers(port)) {
                try {
                    if (Long.parseLong(info(port, "server").get("process_id")) == process.pid()) {
                        return true;
                    }
                } catch (RuntimeException e) {
                    // Not ready, or not ours: look again.
                }
            }
            pause(Duration.ofMillis(20));
        }
        process.destroyForcibly();
        return false;
    }

    private long recordedPid(int port) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(port + ".pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("no process recorded for port " + port, e);
        }
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Kills (SIGKILL, which ends a stopped process too) every redis process recorded in the cluster's directory; a
     * recorded id now used by another program is left alone.
     */
    private static void killAll(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(path -> path.getFileName().toString().endsWith(".pid")).toList()) {
                long pid = Long.parseLong(Files.readString(file).trim());
                ProcessHandle.of(pid)
                        .filter(process -> process.info().command().map(command -> command.contains("redis"))
                                .orElse(true))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: nothing more can be done at shutdown.
        }
    }

    private static boolean answers(int port) {
        try {
            return "PONG".equals(command(port, "PING"));
        } catch (RedisError | UncheckedIOException e) {
            return false;
        }
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---- small things

    private static void awaitUntil(Duration timeout, Supplier<Boolean> condition, Supplier<String> failure) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.get()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(failure.get());
            }
            pause(Duration.ofMillis(50));
        }
    }

    /**
     * A poll interval: the harness has no Awaitility of its own (it is also loaded where the test's libraries may not
     * be), and what it waits for are other processes.
     */
    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("cms-cache-redis-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path directory(String child) {
        try {
            return Files.createDirectories(dir.resolve(child));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> ports(String list) {
        return Arrays.stream(list.split(",")).map(Integer::parseInt).toList();
    }

    private static String join(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "Redis cluster " + name + " on " + ports + " in " + dir;
    }
}
