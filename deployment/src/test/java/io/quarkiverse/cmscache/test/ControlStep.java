package io.quarkiverse.cmscache.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.RedisKeyspace;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * The first step of an invalidation alone, as an invalidating instance that stops right after it leaves it: {@code
 * invalidate.lua} in the control slot numbers, logs and publishes the invalidation and records its tag as pending, and
 * no slot group applies it.
 */
final class ControlStep {

    private ControlStep() {
    }

    /**
     * @return the request that runs the control step for one tag; its answer's first element is the sequence number
     */
    static Request numberOnly(RedisKeyspace keys, String tag) {
        return Request.cmd(Command.EVAL).arg(script()).arg(4).arg(keys.sequence()).arg(keys.log())
                .arg(keys.pending()).arg(keys.floor()).arg("stopped-instance").arg(0).arg(100).arg(keys.channel())
                .arg("{" + System.currentTimeMillis() + ";api;test").arg(0).arg(RedisL2.MAX_PENDING).arg(tag);
    }

    private static String script() {
        try (InputStream in = CmsCacheEngine.class.getResourceAsStream("l2/invalidate.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
