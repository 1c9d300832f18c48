package io.quarkiverse.cmscache.runtime.invalidation;

import java.util.Arrays;
import java.util.List;

/**
 * An invalidation as published on the invalidation channel and kept in the Redis log, both written by
 * {@code invalidate.lua}:
 *
 * <pre>
 * &lt;seq&gt; &lt;origin&gt; {&lt;epoch ms&gt;;&lt;trigger kind&gt;;&lt;trigger source&gt;;&lt;entries deleted from Redis&gt;} &lt;tag&gt; &lt;tag&gt;...
 * </pre>
 *
 * The details in braces come third so that instances of a version that did not know them read them as one more tag,
 * which no entry can carry (tags cannot contain braces). Messages without them are read too.
 *
 * @param seq the sequence number
 * @param origin the id of the invalidating instance
 * @param at when it was requested, in epoch ms, or {@code -1} if unknown
 * @param trigger what asked for it, or {@code null} if unknown
 * @param deleted how many entries it deleted from Redis, or {@code -1} if unknown
 * @param tags the tags
 */
public record InvalidationMessage(long seq, String origin, long at, Trigger trigger, long deleted, List<String> tags) {

    /**
     * @return the details token of an invalidation requested now, without its last field (the count of deleted entries,
     *         which the script appends with the closing brace)
     */
    static String details(long at, Trigger trigger) {
        return "{" + at + ";" + trigger.kind().label() + ";" + clean(trigger.source());
    }

    /**
     * @return the message, or {@code null} if it is malformed
     */
    public static InvalidationMessage parse(String text) {
        String[] parts = text.split(" ");
        if (parts.length < 3) {
            return null;
        }
        try {
            long seq = Long.parseLong(parts[0]);
            String details = parts[2];
            if (details.startsWith("{") && details.endsWith("}")) {
                String[] fields = details.substring(1, details.length() - 1).split(";", -1);
                if (fields.length != 4) {
                    return null;
                }
                Trigger.Kind kind = Trigger.Kind.ofLabel(fields[1]);
                return new InvalidationMessage(seq, parts[1], Long.parseLong(fields[0]),
                        kind == null ? null : new Trigger(kind, fields[2]), Long.parseLong(fields[3]),
                        Arrays.asList(parts).subList(3, parts.length));
            }
            return new InvalidationMessage(seq, parts[1], -1, null, -1, Arrays.asList(parts).subList(2, parts.length));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * @return the message as a log record, not (yet) applied here
     */
    public InvalidationRecord toRecord() {
        return new InvalidationRecord(seq, at, tags, trigger == null ? new Trigger(Trigger.Kind.API, "") : trigger,
                origin, -1, deleted, -1);
    }

    /** Keeps a trigger source within one field of the message. */
    private static String clean(String source) {
        StringBuilder out = new StringBuilder(Math.min(source.length(), 200));
        for (int i = 0; i < source.length() && i < 200; i++) {
            char c = source.charAt(i);
            out.append(c > 0x20 && c < 0x7F && c != ';' && c != '{' && c != '}' ? c : '_');
        }
        return out.toString();
    }
}
