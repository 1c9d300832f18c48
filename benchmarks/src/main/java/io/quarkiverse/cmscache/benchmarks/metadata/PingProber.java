package io.quarkiverse.cmscache.benchmarks.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How long Redis could not answer anyone: a connection of its own, outside the Redis client the cache uses, that sends
 * {@code PING} and waits for {@code +PONG}, again and again, from its own thread. Redis runs one command (or Lua
 * script) at a time, so while a script runs every ping waits for it: the longest round trip is how long Redis was
 * blocked, as another application sharing it would feel it.
 * <p>
 * A plain socket, not the Vert.x client, so that nothing of the cache (its pool, its in-flight limit, its event
 * loop) stands between the ping and Redis. Each round trip is recorded with its start, so that a caller can take
 * those of a window. The thread competes for the machine's cores with everything else, so a round trip can also be
 * long because the prober was not scheduled: read its maximum together with the Redis slow log.
 */
final class PingProber implements AutoCloseable {

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int PONG_LENGTH = "+PONG\r\n".length();

    private final Socket socket;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile IOException failure;
    // Written by the prober thread only; read after it has been joined.
    private long[] starts = new long[1 << 16];
    private long[] ends = new long[1 << 16];
    private int count;

    private PingProber(Socket socket) {
        this.socket = socket;
        this.thread = new Thread(this::probe, "redis-ping-prober");
        this.thread.setDaemon(true);
    }

    /**
     * Connects and starts pinging.
     *
     * @param redisUri the Redis the cache uses, as in {@code quarkus.redis.hosts} ({@code redis://host:port})
     */
    static PingProber start(String redisUri) throws IOException {
        URI uri = URI.create(redisUri);
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 5_000);
        PingProber prober = new PingProber(socket);
        prober.thread.start();
        return prober;
    }

    private void probe() {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[PONG_LENGTH];
            while (running) {
                long start = System.nanoTime();
                out.write(PING);
                out.flush();
                int read = 0;
                while (read < reply.length) {
                    int n = in.read(reply, read, reply.length - read);
                    if (n < 0) {
                        throw new IOException("Redis closed the prober's connection");
                    }
                    read += n;
                }
                long end = System.nanoTime();
                if (reply[0] != '+') {
                    throw new IOException("unexpected reply to PING: "
                            + new String(reply, StandardCharsets.US_ASCII).trim());
                }
                add(start, end);
            }
        } catch (IOException e) {
            if (running) {
                failure = e;
            }
        }
    }

    private void add(long start, long end) {
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        starts[count] = start;
        ends[count] = end;
        count++;
    }

    /**
     * Stops pinging; the round trips recorded until then can be read afterwards.
     */
    @Override
    public void close() throws IOException {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        if (failure != null) {
            throw new IOException("the ping prober failed", failure);
        }
    }

    /**
     * @return the round trips (ns) that overlapped {@code [from, to]} ({@link System#nanoTime()}): those that began
     *         before the window and ended in it count too, as they were held up by what ran in it
     */
    long[] roundTrips(long from, long to) {
        long[] found = new long[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (ends[i] >= from && starts[i] <= to) {
                found[n++] = ends[i] - starts[i];
            }
        }
        return Arrays.copyOf(found, n);
    }

    /**
     * @return when ({@link System#nanoTime()}) the longest round trip overlapping {@code [from, to]} began, or -1 if
     *         none did: about when Redis began what held it up
     */
    long longestStart(long from, long to) {
        long longest = -1;
        long at = -1;
        for (int i = 0; i < count; i++) {
            if (ends[i] >= from && starts[i] <= to && ends[i] - starts[i] > longest) {
                longest = ends[i] - starts[i];
                at = starts[i];
            }
        }
        return at;
    }
}
