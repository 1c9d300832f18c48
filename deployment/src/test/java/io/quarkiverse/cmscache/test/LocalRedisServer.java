package io.quarkiverse.cmscache.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A {@code redis-server} of a test's own, on a free port, that the test may stop and restart; the shared Redis on
 * 6379 is never touched. Data is kept in an append-only file, so a restart brings back what was stored; or, for a
 * {@link #snapshotting} server, only in the snapshot taken by the last {@link #save()}, so that a restart brings back
 * older data, as a Redis persisted with RDB does after a crash.
 * <p>
 * QuarkusUnitTest loads a test class twice (JUnit's class loader and the application's), so a server is identified
 * by a name and found again through a system property rather than held as a process handle.
 */
public final class LocalRedisServer {

    private final int port;
    private final Path dir;
    private final boolean snapshots;

    private LocalRedisServer(int port, Path dir, boolean snapshots) {
        this.port = port;
        this.dir = dir;
        this.snapshots = snapshots;
    }

    /**
     * @return the server of that name, started on first use
     */
    public static LocalRedisServer named(String name) {
        return named(name, false);
    }

    /**
     * @return the server of that name, started on first use, persisting only the snapshots {@link #save()} takes
     */
    public static LocalRedisServer snapshotting(String name) {
        return named(name, true);
    }

    private static synchronized LocalRedisServer named(String name, boolean snapshots) {
        String property = "cms-cache.test.redis." + name;
        String known = System.getProperty(property);
        if (known != null) {
            String[] parts = known.split("\\|", 2);
            return new LocalRedisServer(Integer.parseInt(parts[0]), Path.of(parts[1]), snapshots);
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            LocalRedisServer server = new LocalRedisServer(freePort(), temporaryDirectory(), snapshots);
            if (server.tryStart()) {
                System.setProperty(property, server.port + "|" + server.dir);
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
                return server;
            }
        }
        throw new IllegalStateException("could not start a redis-server on a free port");
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
            return Files.createTempDirectory("cms-cache-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://localhost:" + port;
    }

    /**
     * Starts the server again (after {@link #stop()}), with the data it had.
     */
    public void start() {
        if (!tryStart()) {
            throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir);
        }
    }

    /**
     * Starts the server if nothing answers on its port, so that a test failing while Redis was down does not fail the
     * next one too.
     */
    public void ensureRunning() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            // Running.
        } catch (IOException e) {
            start();
        }
    }

    /**
     * @return whether the server started by this call is the one now answering on the port
     */
    private boolean tryStart() {
        Process process;
        try {
            List<String> persistence = snapshots
                    ? List.of("--save", "", "--appendonly", "no", "--dbfilename", "dump.rdb")
                    : List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always");
            List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString()));
            command.addAll(persistence);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server could not be started; is it installed?", e);
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                // Something answers; if it were another process, ours would have exited on "address in use".
                return waitAlive(process);
            } catch (IOException e) {
                Thread.onSpinWait();
            }
        }
        process.destroy();
        return false;
    }

    private static boolean waitAlive(Process process) {
        try {
            return !process.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Shuts the server down (its data stays in the append-only file).
     */
    public void stop() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$8\r\nSHUTDOWN\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // Redis closes the connection when it exits.
            }
        } catch (IOException e) {
            // Not running, or closed while shutting down.
        }
        awaitPort(false);
    }

    /**
     * Stops the server and starts it again without its data, as a Redis without persistence comes back.
     */
    public void restartEmpty() {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .filter(path -> !path.equals(dir) && !path.getFileName().toString().equals("redis.log"))
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /**
     * Kills the server with SIGKILL, as a crash would: connections are reset, nothing is shut down cleanly (what was
     * written is in the append-only file, which is fsynced on every write).
     */
    public void kill() {
        String info = command("INFO", "server");
        long pid = info.lines().filter(line -> line.startsWith("process_id:"))
                .mapToLong(line -> Long.parseLong(line.substring("process_id:".length()).trim())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no process_id in INFO server"));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitPort(false);
    }

    /**
     * Takes a snapshot now ({@code SAVE}): what a {@link #snapshotting} server comes back with after {@link #kill()}
     * and {@link #start()}.
     */
    public void save() {
        command("SAVE");
    }

    /**
     * @return how many keys the server evicted since it started ({@code evicted_keys} of {@code INFO stats})
     */
    public long evictedKeys() {
        return command("INFO", "stats").lines().filter(line -> line.startsWith("evicted_keys:"))
                .mapToLong(line -> Long.parseLong(line.substring("evicted_keys:".length()).trim())).sum();
    }

    /**
     * @return whether the key exists
     */
    public boolean exists(String key) {
        return "1".equals(command("EXISTS", key));
    }

    /**
     * Changes a setting of the running server ({@code CONFIG SET}).
     */
    public void configure(String parameter, String value) {
        command("CONFIG", "SET", parameter, value);
    }

    /**
     * Suspends every client of the server for a while ({@code CLIENT PAUSE ... ALL}): Redis is up but answers
     * nothing, as when it is overloaded.
     */
    public void pause(Duration duration) {
        command("CLIENT", "PAUSE", String.valueOf(duration.toMillis()), "ALL");
    }

    /**
     * Sends one command and returns its reply as text: a status or error line, or the content of a bulk string.
     */
    private String command(String... args) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String first = readLine(in);
            if (first.startsWith("$")) {
                byte[] body = in.readNBytes(Integer.parseInt(first.substring(1)));
                return new String(body, StandardCharsets.UTF_8);
            }
            if (first.startsWith("-")) {
                throw new IllegalStateException("redis-server on port " + port + " refused " + args[0] + ": " + first);
            }
            return first.substring(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    private void awaitPort(boolean open) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                if (open) {
                    return;
                }
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("redis-server on port " + port + " did not " + (open ? "start" : "stop"));
    }
}
