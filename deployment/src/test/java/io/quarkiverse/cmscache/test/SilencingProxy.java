package io.quarkiverse.cmscache.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a Redis server that can make the connections carrying a {@code SUBSCRIBE} go silent: the
 * sockets stay open and nothing is forwarded any more in either direction, as when a network path dies without a FIN.
 * Other connections, and new ones, are unaffected. Redis itself is never touched.
 */
public final class SilencingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int redisPort;
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    private final AtomicInteger subscriptions = new AtomicInteger();

    public SilencingProxy(int redisPort) {
        this.redisPort = redisPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "silencing-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String uri() {
        return "redis://127.0.0.1:" + server.getLocalPort();
    }

    /**
     * @return how many connections have sent a {@code SUBSCRIBE} so far
     */
    public int subscriptions() {
        return subscriptions.get();
    }

    /**
     * Every connection that has subscribed so far stops forwarding, without being closed.
     */
    public void silenceSubscriptions() {
        for (Pair pair : pairs) {
            if (pair.subscribed) {
                pair.silent = true;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Pair pair : pairs) {
            pair.close();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket redis = new Socket("127.0.0.1", redisPort);
                Pair pair = new Pair(client, redis);
                pairs.add(pair);
                pair.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private final class Pair {
        final Socket client;
        final Socket redis;
        volatile boolean subscribed;
        volatile boolean silent;

        Pair(Socket client, Socket redis) {
            this.client = client;
            this.redis = redis;
        }

        void start() {
            pump(client, redis, true);
            pump(redis, client, false);
        }

        private void pump(Socket from, Socket to, boolean fromClient) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (fromClient && !subscribed && new String(buffer, 0, n, StandardCharsets.ISO_8859_1)
                                .toUpperCase().contains("SUBSCRIBE")) {
                            subscribed = true;
                            subscriptions.incrementAndGet();
                        }
                        if (silent) {
                            continue;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the other side went away
                }
                if (!silent) {
                    close();
                }
            }, "silencing-proxy-pump");
            thread.setDaemon(true);
            thread.start();
        }

        void close() {
            try {
                client.close();
                redis.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
