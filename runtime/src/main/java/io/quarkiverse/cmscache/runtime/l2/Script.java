package io.quarkiverse.cmscache.runtime.l2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * A Lua script shipped with the extension, run with {@code EVALSHA} and sent whole ({@code EVAL}) only when Redis
 * does not know it yet ({@code NOSCRIPT}), for example after a restart.
 */
final class Script {

    private final String name;
    private final String source;
    private final String sha;

    private Script(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    static Script load(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("Missing script " + name + ".lua");
            }
            return new Script(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Request evalsha(List<String> keys, List<Object> args) {
        return request(Request.cmd(Command.EVALSHA).arg(sha), keys, args);
    }

    Request eval(List<String> keys, List<Object> args) {
        return request(Request.cmd(Command.EVAL).arg(source), keys, args);
    }

    static boolean isNoScript(Throwable failure) {
        String message = failure.getMessage();
        // A batch reports the failing command's error as "ERR [<index>] NOSCRIPT ...".
        return message != null && (message.startsWith("NOSCRIPT") || message.contains("] NOSCRIPT "));
    }

    private static Request request(Request request, List<String> keys, List<Object> args) {
        request.arg(keys.size());
        for (String key : keys) {
            request.arg(key);
        }
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(bytes);
            } else if (arg instanceof Long number) {
                request.arg(number);
            } else {
                request.arg(arg.toString());
            }
        }
        return request;
    }

    String name() {
        return name;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
