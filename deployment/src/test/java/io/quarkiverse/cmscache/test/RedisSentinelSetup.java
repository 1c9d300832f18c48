package io.quarkiverse.cmscache.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A Redis Sentinel topology of a test's own, started as real processes: one master, one replica and three sentinels
 * (quorum 2), each on a free port of 127.0.0.1 in a directory of its own; the shared Redis on 6379 is never touched.
 * Data nodes keep nothing on disk ({@code --save "" --appendonly no}), as a cache's Redis usually runs.
 * <p>
 * Why a harness: the Quarkus Redis client in sentinel mode asks the sentinels where the master is, and a failover
 * (clean, or after a crash) changes the answer under a running application. Only real sentinels and real processes
 * show what the client and the cache do then; the operations below ({@link #failover()}, {@link #killMaster()},
 * {@link #stopReplica()}, {@link #cutReplicaLink()}...) are the moves failover tests are made of.
 * <p>
 * QuarkusUnitTest loads a test class twice (JUnit's class loader and the application's), so a topology is identified
 * by a name and found again through a system property, as {@link LocalRedisServer} does; everything else that both
 * loaders must agree on (process ids, which master the harness last confirmed) is kept in files or system properties,
 * never in fields. The ports are fixed for the topology's life: {@link #restoreTopology()} starts the replacement of a
 * dead node on the dead node's port. A shutdown hook kills every process the topology started, stopped or not.
 */
public final class RedisSentinelSetup {

    /** The name the sentinels monitor the master under, the default of {@code quarkus.redis.master-name}. */
    public static final String MASTER_NAME = "mymaster";

    private static final String PROPERTY = "cms-cache.test.redis-sentinel.";
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int IO_TIMEOUT_MS = 3_000;

    private final String name;
    private final Path dir;
    private final List<Integer> dataPorts;
    private final List<Integer> sentinelPorts;

    private RedisSentinelSetup(String name, Path dir, List<Integer> dataPorts, List<Integer> sentinelPorts) {
        this.name = name;
        this.dir = dir;
        this.dataPorts = List.copyOf(dataPorts);
        this.sentinelPorts = List.copyOf(sentinelPorts);
    }

    /**
     * Finds the topology of that name, or starts it and waits until it is ready: the replica in sync and every
     * sentinel aware of the replica and of the two other sentinels (otherwise a failover could not be agreed on).
     *
     * @return the topology of that name, started on first use (once per test class, whatever the class loader)
     */
    public static synchronized RedisSentinelSetup named(String name) {
        String known = System.getProperty(PROPERTY + name);
        if (known != null) {
            String[] parts = known.split("\\|", 3);
            return new RedisSentinelSetup(name, Path.of(parts[0]), ports(parts[1]), ports(parts[2]));
        }
        Path dir = temporaryDirectory();
        RedisSentinelSetup setup = new RedisSentinelSetup(name, dir, List.of(), List.of());
        // Registered before anything starts, so that a failure half-way leaves no process behind either.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> killAll(dir), "redis-sentinel-setup-" + name));
        int master = setup.startDataNode(null);
        int replica = setup.startDataNode(master);
        // In sync before the sentinels start: what they report of the replica's link is then right from their first
        // look at it, where the next look would be up to 10 s away (their INFO period for replicas).
        setup.awaitInSync(replica, master);
        List<Integer> sentinels = setup.startSentinels(master, replica);
        RedisSentinelSetup started = new RedisSentinelSetup(name, dir, List.of(master, replica), sentinels);
        started.rememberMaster(master);
        started.awaitReplicaReady(replica, master);
        System.setProperty(PROPERTY + name, dir + "|" + join(started.dataPorts) + "|" + join(sentinels));
        return started;
    }

    /**
     * @return the value for {@code quarkus.redis.hosts} in sentinel mode: the sentinels (not the data nodes), as a
     *         comma-separated list of {@code redis://127.0.0.1:PORT}; 127.0.0.1 rather than localhost, as every
     *         process listens on IPv4 loopback only
     */
    public String sentinelHosts() {
        return String.join(",", sentinelUris());
    }

    /**
     * @return each sentinel's URI
     */
    public List<String> sentinelUris() {
        return sentinelPorts.stream().map(port -> "redis://127.0.0.1:" + port).toList();
    }

    /**
     * @return the sentinels' ports, to ask them directly with {@link #command}
     */
    public List<Integer> sentinelPorts() {
        return sentinelPorts;
    }

    /**
     * @return the ports of the two data nodes, whatever their roles now
     */
    public List<Integer> dataPorts() {
        return dataPorts;
    }

    /**
     * @return the port of the master as the sentinels report it now ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}), asked
     *         of the first sentinel that answers: the very question the Quarkus client asks
     */
    public int masterPort() {
        IllegalStateException failure = new IllegalStateException("no sentinel answered");
        for (int sentinel : sentinelPorts) {
            try {
                return reportedMaster(sentinel);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        throw failure;
    }

    /**
     * @return the port of the data node that is not the master (the replica, or, after {@link #killMaster()} and
     *         before {@link #restoreTopology()}, where the dead master was)
     */
    public int replicaPort() {
        int master = masterPort();
        return dataPorts.stream().filter(port -> port != master).findFirst().orElseThrow();
    }

    /**
     * Suspends the replica with SIGSTOP: it neither answers nor applies the replication stream, which the kernel
     * buffers, so a stopped replica alone loses nothing (see {@link #cutReplicaLink()}).
     */
    public void stopReplica() {
        int replica = replicaPort();
        long pid = processId(replica);
        signal("STOP", pid);
    }

    /**
     * Resumes the replica after {@link #stopReplica()} (SIGCONT). Its process id is the one recorded when it was
     * started, since a stopped server cannot be asked.
     */
    public void continueReplica() {
        int replica = replicaPort();
        signal("CONT", recordedPid(replica));
    }

    /**
     * Closes the master's replication connections ({@code CLIENT KILL TYPE replica}), so that what is written next
     * is not even buffered for the replica: together with {@link #stopReplica()} (which freezes the replica's own
     * reconnection too), the way to make a failover lose writes on purpose.
     *
     * @return how many connections were closed
     */
    public long cutReplicaLink() {
        return (Long) command(masterPort(), "CLIENT", "KILL", "TYPE", "replica");
    }

    /**
     * Kills the current master with SIGKILL, as a crash would, and waits until its port is closed. The sentinels
     * notice it after {@code down-after-milliseconds} (1 s) and promote the replica; see {@link #awaitFailover}.
     *
     * @return the port of the killed master
     */
    public int killMaster() {
        int master = masterPort();
        long pid = processId(master);
        signal("KILL", pid);
        awaitUntil(Duration.ofSeconds(10), () -> !answers(master), () -> "master on " + master + " still answers");
        return master;
    }

    /**
     * Waits until the failover the test caused has happened: every sentinel reports the same master, not the one this
     * harness last confirmed, and that server answers {@code ROLE} as a master.
     *
     * @return the port of the new master
     */
    public int awaitFailover(Duration timeout) {
        int old = rememberedMaster();
        int[] promoted = new int[1];
        awaitUntil(timeout, () -> {
            Optional<Integer> agreed = agreedMaster();
            if (agreed.isEmpty() || agreed.get() == old || !isMaster(agreed.get())) {
                return false;
            }
            promoted[0] = agreed.get();
            return true;
        }, () -> "no failover away from " + old + " within " + timeout + "; sentinels report " + reportedMasters());
        rememberMaster(promoted[0]);
        return promoted[0];
    }

    /**
     * A clean, loss-free failover, as an operator does a planned one, and a wait until the topology is whole again.
     * <ol>
     * <li>The master is fenced ({@code min-replicas-to-write} above its replica count): a write is refused
     * ({@code -NOREPLICAS}, which its client sees) rather than accepted where it would be lost. Reads, pub/sub and the
     * sentinels' own traffic go on, so the sentinels do not see the master down and start a failover of their own
     * (which {@code CLIENT PAUSE WRITE} would cause: it blocks their hello messages too).</li>
     * <li>The replica catches up with everything the master accepted.</li>
     * <li>{@code SENTINEL FAILOVER}, and a wait until every sentinel names the replica and it answers as a master.</li>
     * <li>The old master is turned into a replica of the new one the way Sentinel itself does it (one transaction:
     * {@code REPLICAOF}, {@code CLIENT KILL TYPE normal}, {@code CLIENT KILL TYPE pubsub}), so that its clients
     * reconnect and ask the sentinels again. Sentinel would do the same step only about 10 s after the switch; doing
     * it now keeps a test short, and changes nothing else.</li>
     * <li>The fence is lifted, and the harness waits until the old master is an in-sync replica that every sentinel
     * sees.</li>
     * </ol>
     * Needs a running replica: after {@link #killMaster()}, {@link #restoreTopology()} first.
     *
     * @return the port of the new master
     */
    public int failover() {
        int old = masterPort();
        int replica = replicaPort();
        rememberMaster(old);
        awaitInSync(replica, old);
        command(old, "CONFIG", "SET", "min-replicas-to-write", "2");
        int promoted;
        try {
            long accepted = Long.parseLong(info(old, "replication").get("master_repl_offset"));
            awaitUntil(SETTLE, () -> replicatedOffset(replica) >= accepted,
                    () -> "replica on " + replica + " did not catch up with offset " + accepted);
            int sentinel = sentinelPorts.get(0);
            // Refused (NOGOODSLAVE) while this sentinel has not yet refreshed what it knows of the replica: try again.
            awaitUntil(SETTLE, () -> {
                try {
                    command(sentinel, "SENTINEL", "FAILOVER", MASTER_NAME);
                    return true;
                } catch (RedisError e) {
                    return e.getMessage().startsWith("INPROG");
                }
            }, () -> "sentinel on " + sentinel + " refused SENTINEL FAILOVER");
            promoted = awaitFailover(SETTLE);
            transaction(old, List.of(
                    List.of("REPLICAOF", "127.0.0.1", String.valueOf(promoted)),
                    List.of("CLIENT", "KILL", "TYPE", "normal"),
                    List.of("CLIENT", "KILL", "TYPE", "pubsub")));
        } finally {
            command(old, "CONFIG", "SET", "min-replicas-to-write", "0");
        }
        awaitReplicaReady(old, promoted);
        return promoted;
    }

    private static long replicatedOffset(int replica) {
        try {
            return Long.parseLong(info(replica, "replication").get("slave_repl_offset"));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * After {@link #killMaster()} and the failover: starts a fresh, empty replica of the new master on the dead
     * master's port, and waits until it is in sync and every sentinel sees it, so that the next test of the class
     * finds a master and a replica again. Does nothing when both data nodes are up.
     *
     * @return the port of the replica
     */
    public int restoreTopology() {
        int master = masterPort();
        rememberMaster(master);
        int replica = dataPorts.stream().filter(port -> port != master).findFirst().orElseThrow();
        if (!answers(replica)) {
            // It may be a stopped one rather than a dead one: end it for good before taking its port.
            ProcessHandle.of(recordedPid(replica)).ifPresent(ProcessHandle::destroyForcibly);
            awaitUntil(Duration.ofSeconds(10), () -> !isListening(replica), () -> "port " + replica + " still open");
            if (!tryStartDataNode(replica, master)) {
                throw new IllegalStateException("could not start a replica on " + replica + "; see " + dir);
            }
        }
        awaitReplicaReady(replica, master);
        return replica;
    }

    /**
     * Kills every process of the topology now (the shutdown hook would at JVM exit) and forgets it, so that a later
     * {@link #named} starts a new one. For {@code @AfterAll}: test classes share a JVM, and five idle servers per
     * finished class add up.
     */
    public void stop() {
        killAll(dir);
        System.clearProperty(PROPERTY + name);
        System.clearProperty(PROPERTY + name + ".master");
    }

    /**
     * Sends one command to the server (data node or sentinel) on that port, over a connection of its own, and returns
     * the reply: a {@code String} for a status or bulk string, a {@code Long} for an integer, a {@code List<Object>}
     * for an array (nested as needed), {@code null} for a null bulk string or array.
     *
     * @throws RedisError when the server replies with an error
     * @throws UncheckedIOException when it cannot be reached or does not answer within 3 s (a stopped process)
     */
    public static Object command(int port, String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), IO_TIMEOUT_MS);
            socket.setSoTimeout(IO_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(request(args));
            out.flush();
            return readReply(socket.getInputStream(), port);
        } catch (IOException e) {
            throw new UncheckedIOException("redis on port " + port + ": " + String.join(" ", args), e);
        }
    }

    /**
     * Runs the commands as one {@code MULTI}/{@code EXEC} transaction on one connection.
     *
     * @return the replies of the commands
     */
    static List<?> transaction(int port, List<List<String>> commands) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), IO_TIMEOUT_MS);
            socket.setSoTimeout(IO_TIMEOUT_MS);
            List<List<String>> all = new ArrayList<>();
            all.add(List.of("MULTI"));
            all.addAll(commands);
            all.add(List.of("EXEC"));
            OutputStream out = socket.getOutputStream();
            for (List<String> command : all) {
                out.write(request(command.toArray(String[]::new)));
            }
            out.flush();
            InputStream in = socket.getInputStream();
            Object reply = null;
            for (int i = 0; i < all.size(); i++) {
                reply = readReply(in, port);
            }
            if (reply == null) {
                throw new RedisError("transaction on port " + port + " was aborted");
            }
            return (List<?>) reply;
        } catch (IOException e) {
            throw new UncheckedIOException("redis on port " + port + ": transaction " + commands, e);
        }
    }

    /**
     * @return the {@code INFO} section as field/value pairs
     */
    public static Map<String, String> info(int port, String section) {
        Map<String, String> fields = new LinkedHashMap<>();
        ((String) command(port, "INFO", section)).lines().filter(line -> line.contains(":") && !line.startsWith("#"))
                .forEach(line -> fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1)));
        return fields;
    }

    /**
     * An error reply of Redis ({@code -ERR ...}, {@code -NOGOODSLAVE ...}).
     */
    public static final class RedisError extends RuntimeException {
        RedisError(String message) {
            super(message);
        }
    }

    // ---- requests and replies

    private static byte[] request(String... args) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return request.toByteArray();
    }

    private static Object readReply(InputStream in, int port) throws IOException {
        String line = readLine(in);
        if (line.isEmpty()) {
            throw new IOException("connection closed by redis on port " + port);
        }
        String rest = line.substring(1);
        switch (line.charAt(0)) {
            case '+':
                return rest;
            case '-':
                throw new RedisError(rest);
            case ':':
                return Long.parseLong(rest);
            case '$': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                byte[] body = in.readNBytes(length);
                readLine(in);
                return new String(body, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(rest);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReply(in, port));
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply from redis on port " + port + ": " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /**
     * @return the flat field/value list of a {@code SENTINEL REPLICAS}-style entry as a map
     */
    private static Map<String, String> fields(Object entry) {
        List<?> flat = (List<?>) entry;
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return fields;
    }

    // ---- topology checks

    private static int reportedMaster(int sentinel) {
        List<?> address = (List<?>) command(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt((String) address.get(1));
    }

    private Map<Integer, String> reportedMasters() {
        Map<Integer, String> reported = new LinkedHashMap<>();
        for (int sentinel : sentinelPorts) {
            try {
                reported.put(sentinel, String.valueOf(reportedMaster(sentinel)));
            } catch (RuntimeException e) {
                reported.put(sentinel, e.toString());
            }
        }
        return reported;
    }

    /**
     * @return the master every sentinel reports, if they agree
     */
    private Optional<Integer> agreedMaster() {
        Integer agreed = null;
        for (int sentinel : sentinelPorts) {
            int reported;
            try {
                reported = reportedMaster(sentinel);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            if (agreed != null && agreed != reported) {
                return Optional.empty();
            }
            agreed = reported;
        }
        return Optional.ofNullable(agreed);
    }

    private static boolean isMaster(int port) {
        try {
            return "master".equals(((List<?>) command(port, "ROLE")).get(0));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Waits until the replica on that port follows that master with its link up, and every sentinel lists it as a
     * healthy replica of the master and knows the two other sentinels.
     */
    private void awaitReplicaReady(int replica, int master) {
        awaitInSync(replica, master);
        for (int sentinel : sentinelPorts) {
            awaitUntil(SETTLE, () -> sentinelSees(sentinel, replica, master),
                    () -> "sentinel on " + sentinel + " does not see replica " + replica + " of " + master
                            + " and two other sentinels; see " + dir);
        }
    }

    /**
     * Waits until the server on that port replicates that master with its link up, by its own account.
     */
    private void awaitInSync(int replica, int master) {
        awaitUntil(SETTLE, () -> {
            try {
                Map<String, String> replication = info(replica, "replication");
                return "slave".equals(replication.get("role"))
                        && String.valueOf(master).equals(replication.get("master_port"))
                        && "up".equals(replication.get("master_link_status"));
            } catch (RuntimeException e) {
                return false;
            }
        }, () -> "replica on " + replica + " not in sync with " + master + "; see " + dir);
    }

    /**
     * Whether that sentinel names that master, and lists the replica and the other sentinels as reachable. What a sentinel
     * reports of the replica's own link may
     * be up to 10 s old (its INFO period for replicas), so the link is checked on the replica itself instead.
     */
    private boolean sentinelSees(int sentinel, int replica, int master) {
        try {
            if (reportedMaster(sentinel) != master) {
                return false;
            }
            boolean replicaSeen = ((List<?>) command(sentinel, "SENTINEL", "REPLICAS", MASTER_NAME)).stream()
                    .map(RedisSentinelSetup::fields)
                    .anyMatch(fields -> String.valueOf(replica).equals(fields.get("port"))
                            && healthy(fields.get("flags"), "slave"));
            long sentinelsSeen = ((List<?>) command(sentinel, "SENTINEL", "SENTINELS", MASTER_NAME)).stream()
                    .map(RedisSentinelSetup::fields)
                    .filter(fields -> sentinelPorts.contains(Integer.parseInt(fields.get("port")))
                            && healthy(fields.get("flags"), "sentinel"))
                    .count();
            return replicaSeen && sentinelsSeen == sentinelPorts.size() - 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * @return whether a sentinel's flags for an instance say it is of that kind and reachable; other flags, such as
     *         {@code master_down} on a sentinel (its last vote on a failover, kept for a few seconds), do not matter
     */
    private static boolean healthy(String flags, String kind) {
        List<String> all = List.of(flags.split(","));
        return all.contains(kind) && !all.contains("s_down") && !all.contains("o_down")
                && !all.contains("disconnected");
    }

    /**
     * The master this harness last confirmed, shared by both class loaders: what {@link #awaitFailover} waits to see
     * replaced.
     */
    private void rememberMaster(int port) {
        System.setProperty(PROPERTY + name + ".master", String.valueOf(port));
    }

    private int rememberedMaster() {
        String remembered = System.getProperty(PROPERTY + name + ".master");
        return remembered != null ? Integer.parseInt(remembered) : masterPort();
    }

    // ---- processes

    /**
     * Starts a data node on a free port: a master, or a replica of the given master.
     *
     * @return its port
     */
    private int startDataNode(Integer master) {
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            if (tryStartDataNode(port, master)) {
                return port;
            }
        }
        throw new IllegalStateException("could not start a redis-server on a free port; see " + dir);
    }

    private boolean tryStartDataNode(int port, Integer master) {
        Path nodeDir = directory("node-" + port + "-" + System.nanoTime());
        List<String> args = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", nodeDir.toString(),
                // A full sync starts at once instead of waiting 5 s (Redis 7's default) for more replicas to join.
                "--repl-diskless-sync-delay", "0"));
        if (master != null) {
            args.addAll(List.of("--replicaof", "127.0.0.1", String.valueOf(master)));
        }
        return tryStart(port, nodeDir, args);
    }

    /**
     * Starts three sentinels that know the replica and each other from their configuration files, as they would after
     * a first run: otherwise they learn of each other only through hello messages, every 2 s.
     *
     * @return their ports
     */
    private List<Integer> startSentinels(int master, int replica) {
        for (int attempt = 0; attempt < 5; attempt++) {
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < 3) {
                int port = freePort();
                if (!ports.contains(port)) {
                    ports.add(port);
                }
            }
            Map<Integer, String> ids = new LinkedHashMap<>();
            for (int port : ports) {
                ids.put(port, sentinelId());
            }
            List<Integer> started = new ArrayList<>();
            for (int port : ports) {
                List<String> command = writeSentinelConfig(port, ids, master, replica);
                if (tryStart(port, directory("sentinel-" + port), command)) {
                    started.add(port);
                }
            }
            if (started.size() == ports.size()) {
                return ports;
            }
            // A port was taken meanwhile: the others' files name it, so start the three again elsewhere.
            for (int port : started) {
                ProcessHandle.of(recordedPid(port)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        throw new IllegalStateException("could not start three sentinels on free ports; see " + dir);
    }

    /**
     * Writes the configuration file of the sentinel on that port, in a directory of its own.
     *
     * @return the command that starts it
     */
    private List<String> writeSentinelConfig(int port, Map<Integer, String> ids, int master, int replica) {
        Path sentinelDir = directory("sentinel-" + port);
        Path conf = sentinelDir.resolve("sentinel.conf");
        // One writable file each: a sentinel rewrites its own with what it learns (replicas, sentinels, epochs).
        List<String> lines = new ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "dir " + sentinelDir,
                // Addresses are IPs: nothing to resolve.
                "sentinel resolve-hostnames no",
                "sentinel myid " + ids.get(port),
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master + " 2",
                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                "sentinel known-replica " + MASTER_NAME + " 127.0.0.1 " + replica));
        ids.forEach((other, id) -> {
            if (other != port) {
                lines.add("sentinel known-sentinel " + MASTER_NAME + " 127.0.0.1 " + other + " " + id);
            }
        });
        try {
            Files.writeString(conf, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("redis-server", conf.toString(), "--sentinel");
    }

    /**
     * @return a sentinel run id: 40 hex digits
     */
    private static String sentinelId() {
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * @return whether the process started by this call is the one now answering on the port (another one holding the
     *         port makes ours exit on "address in use")
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
                    Long pid = Long.parseLong(info(port, "server").get("process_id"));
                    if (pid == process.pid()) {
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

    private long processId(int port) {
        return Long.parseLong(info(port, "server").get("process_id"));
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
     * Kills (SIGKILL, which ends a stopped process too) every redis process recorded in the topology's directory; a
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
        } catch (RuntimeException e) {
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("cms-cache-redis-sentinel-");
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
}
