package io.quarkiverse.cmscache.runtime.invalidation;

/**
 * What asked for an invalidation, as shown in the invalidation log and counted by the metrics.
 *
 * @param kind the kind of trigger
 * @param source what exactly: the annotated method ({@code Blocks.save}), the caller of the API, the reason of a
 *        reconciliation; never {@code null}
 */
public record Trigger(Kind kind, String source) {

    /** The kinds of trigger, also the values of the {@code trigger} tag of the metrics. */
    public enum Kind {
        /** A {@code @CmsInvalidate} method returned. */
        METHOD,
        /** A call of {@code CmsCache.invalidate}, {@code invalidateTags} or {@code clear}, or the Dev UI. */
        API,
        /** A content-change message. */
        CONTENT_CHANGE,
        /** Reconciliation after Redis was unreachable or invalidation messages were missed. */
        RECONCILIATION;

        /**
         * @return the lower-case name used in messages and metric tags ({@code content-change})
         */
        public String label() {
            return name().toLowerCase().replace('_', '-');
        }

        static Kind ofLabel(String label) {
            for (Kind kind : values()) {
                if (kind.label().equals(label)) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** A call of the {@code CmsCache} API. */
    public static final Trigger API = new Trigger(Kind.API, "CmsCache");

    public Trigger {
        source = source == null ? "" : source;
    }

    /**
     * @return the trigger of a {@code @CmsInvalidate} method
     */
    public static Trigger method(String name) {
        return new Trigger(Kind.METHOD, name);
    }

    /**
     * @return the trigger of a reconciliation
     */
    public static Trigger reconciliation(String why) {
        return new Trigger(Kind.RECONCILIATION, why);
    }

    @Override
    public String toString() {
        return source.isEmpty() ? kind.label() : kind.label() + " " + source;
    }
}
