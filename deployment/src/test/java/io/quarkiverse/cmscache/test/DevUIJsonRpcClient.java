package io.quarkiverse.cmscache.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Calls an extension's Dev UI JSON-RPC methods the way the Dev UI's pages do: over one websocket to the running
 * application's {@code /q/dev-ui/json-rpc-ws}, with requests {@code {"jsonrpc": "2.0", "id": n, "method":
 * "<namespace>_<method>", "params": {...}}} and responses matched to them by id. A method's return value is the
 * {@code object} of the response's {@code result}; an error response fails the call. (The separator is the one the
 * Dev UI's {@code jsonrpc.js} uses since Quarkus 3.34; it was a dot before.)
 * <p>
 * It uses the JDK's websocket client rather than Vert.x's: in a dev mode test the Vert.x classes belong to the
 * application's class loader, not to the test's.
 * <p>
 * Calls may be made from several threads; each waits for its own response.
 */
final class DevUIJsonRpcClient implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 30;

    private final ObjectMapper mapper = new ObjectMapper();
    private final String namespace;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final WebSocket socket;

    private DevUIJsonRpcClient(String namespace, URI endpoint) throws Exception {
        this.namespace = namespace;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(endpoint, new Responses())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Connects to the Dev UI of the application under test ({@code test.url}).
     *
     * @param namespace the extension's JSON-RPC namespace, such as {@code quarkus-cms-cache}
     */
    static DevUIJsonRpcClient connect(String namespace) throws Exception {
        var config = ConfigProvider.getConfig();
        String testUrl = config.getValue("test.url", String.class);
        String root = config.getOptionalValue("quarkus.http.non-application-root-path", String.class).orElse("q");
        if (!root.startsWith("/")) {
            root = "/" + root;
        }
        // http://host:port -> ws://host:port (and https -> wss)
        return new DevUIJsonRpcClient(namespace, URI.create("ws" + testUrl.substring(4) + root + "/dev-ui/json-rpc-ws"));
    }

    /**
     * Calls {@code method} without parameters and waits for its result.
     */
    JsonNode call(String method) throws Exception {
        return call(method, Map.of());
    }

    /**
     * Calls {@code method} with named parameters and waits for its result.
     */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode request = mapper.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", id);
        request.put("method", namespace + "_" + method);
        request.set("params", mapper.valueToTree(params));

        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        pending.put(id, response);
        try {
            socket.sendText(mapper.writeValueAsString(request), true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            JsonNode message = response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            JsonNode error = message.get("error");
            if (error != null && !error.isNull()) {
                throw new AssertionError("Dev UI JSON-RPC call " + request.get("method").asText() + " failed: " + error);
            }
            return message.get("result").get("object");
        } catch (ExecutionException e) {
            throw new AssertionError("Dev UI JSON-RPC call " + request.get("method").asText() + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("No response to the Dev UI JSON-RPC call " + request.get("method").asText()
                    + " in " + TIMEOUT_SECONDS + " s", e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
    }

    /** Assembles text messages from their frames and hands each response to the call waiting for its id. */
    private final class Responses implements WebSocket.Listener {

        private final StringBuilder frames = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            frames.append(data);
            if (last) {
                String text = frames.toString();
                frames.setLength(0);
                deliver(text);
            }
            webSocket.request(1);
            return null;
        }

        private void deliver(String text) {
            JsonNode message;
            try {
                message = mapper.readTree(text);
            } catch (JsonProcessingException e) {
                fail(new IllegalStateException("Unreadable Dev UI JSON-RPC message: " + text, e));
                return;
            }
            // Messages without a pending id (such as notifications the Dev UI pushes) are not answers to a call.
            JsonNode id = message.get("id");
            CompletableFuture<JsonNode> call = id == null ? null : pending.get(id.asInt());
            if (call != null) {
                call.complete(message);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            fail(new IllegalStateException("The Dev UI closed the websocket: " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(error);
        }

        private void fail(Throwable error) {
            pending.values().forEach(call -> call.completeExceptionally(error));
        }
    }
}
