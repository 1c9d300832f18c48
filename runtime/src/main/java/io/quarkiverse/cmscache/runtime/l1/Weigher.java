package io.quarkiverse.cmscache.runtime.l1;

/**
 * Estimates the size of a value that has no JSON form (regions without Redis), for byte-bounded regions and size
 * limits: strings count two bytes per character, byte arrays their length, anything else a flat 1 KiB.
 */
public final class Weigher {

    static final int UNKNOWN = 1024;

    private Weigher() {
    }

    public static int estimate(Object value) {
        if (value == null) {
            return 16;
        }
        if (value instanceof CharSequence text) {
            return 40 + 2 * text.length();
        }
        if (value instanceof byte[] bytes) {
            return 16 + bytes.length;
        }
        return UNKNOWN;
    }
}
