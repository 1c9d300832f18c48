package io.quarkiverse.cmscache.runtime.messaging;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.invalidation.Trigger;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Turns content-change messages into invalidations, so that an editing service or a change-data-capture pipeline can
 * drive the cache. The extension generates the consumer of the channel named by
 * {@code quarkus.cms-cache.content-changes.channel}, which hands every message here.
 * <p>
 * A message is JSON: one change or an array of changes. A change names content by type and id, with an optional
 * language, which is the tag {@code CmsCache.tag(type, id[, lang])}; or lists tags:
 *
 * <pre>
 * {"type": "block", "id": "header"}                        invalidates block:header
 * {"type": "translation", "id": "welcome", "lang": "de"}   invalidates translation:welcome:de
 * {"tags": ["menu:main", "@template"]}                      invalidates menu:main and the template region
 * </pre>
 *
 * The message is acknowledged once the invalidation has taken effect here and in Redis (or, if Redis is down, here,
 * with Redis to follow). A message that cannot be understood -- not JSON, not in this format, or naming a tag that is
 * not valid (see {@code CmsCache}) -- is logged and acknowledged: retrying it would not help. Should applying a
 * readable message fail nevertheless, it is logged and nacked, so that the broker can deliver it again.
 */
public class ContentChanges {

    private static final Logger LOG = Logger.getLogger(ContentChanges.class);
    private static final Trigger CONTENT_CHANGE = new Trigger(Trigger.Kind.CONTENT_CHANGE, "message");

    @Inject
    CmsCacheEngine engine;

    @Inject
    ObjectMapper mapper;

    /**
     * Invalidates what the message names and acknowledges it.
     */
    public CompletionStage<Void> accept(Message<?> message) {
        Set<String> tags;
        try {
            tags = tagsOf(message.getPayload());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("CMS cache ignored a content-change message it cannot read (%s): %s", e.getMessage(),
                    message.getPayload());
            return message.ack();
        }
        // Deferred, so that whatever goes wrong fails the stage: a message is always acknowledged or nacked, never
        // left holding the channel.
        return Uni.createFrom().deferred(() -> engine.invalidateTagsAsync(tags, CONTENT_CHANGE))
                .subscribeAsCompletionStage()
                .handle((done, failure) -> failure)
                .thenCompose(failure -> {
                    if (failure == null) {
                        return message.ack();
                    }
                    LOG.errorf(failure, "CMS cache could not apply a content-change message; rejecting it for redelivery: %s",
                            message.getPayload());
                    return message.nack(failure);
                });
    }

    /**
     * @return the tags a payload names
     * @throws IllegalArgumentException if it does not follow the format
     */
    Set<String> tagsOf(Object payload) throws IOException {
        Set<String> tags = new LinkedHashSet<>();
        collect(json(payload), tags);
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("it names no content");
        }
        // Checked here, where a bad tag is the message's fault: logged and acknowledged like any unreadable message.
        EntryKeys.checkTags(tags);
        return tags;
    }

    private JsonNode json(Object payload) throws IOException {
        if (payload instanceof JsonNode node) {
            return node;
        }
        if (payload instanceof byte[] bytes) {
            return mapper.readTree(bytes);
        }
        if (payload instanceof String text) {
            return mapper.readTree(text);
        }
        if (payload instanceof Buffer buffer) {
            return mapper.readTree(buffer.getBytes());
        }
        if (payload instanceof JsonObject || payload instanceof JsonArray) {
            return mapper.readTree(payload.toString());
        }
        if (payload instanceof Map<?, ?> || payload instanceof Iterable<?>) {
            return mapper.valueToTree(payload);
        }
        throw new IllegalArgumentException("unsupported payload type " + (payload == null ? "null" : payload.getClass()));
    }

    private static void collect(JsonNode node, Set<String> tags) {
        if (node.isArray()) {
            for (JsonNode change : node) {
                collect(change, tags);
            }
            return;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("a change must be a JSON object");
        }
        JsonNode listed = node.get("tags");
        if (listed != null) {
            if (!listed.isArray()) {
                throw new IllegalArgumentException("'tags' must be an array");
            }
            listed.forEach(tag -> tags.add(tag.asText()));
        }
        JsonNode type = node.get("type");
        JsonNode id = node.get("id");
        if (type != null || id != null) {
            if (type == null || id == null || !type.isTextual() || !id.isValueNode()) {
                throw new IllegalArgumentException("a change needs both a textual 'type' and an 'id'");
            }
            JsonNode lang = node.get("lang");
            tags.add(lang == null || lang.isNull() ? CmsCache.tag(type.asText(), id.asText())
                    : CmsCache.tag(type.asText(), id.asText(), lang.asText()));
        }
    }
}
