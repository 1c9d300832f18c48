package io.quarkiverse.cmscache.runtime.l2;

import java.nio.charset.StandardCharsets;

/**
 * The Redis Cluster hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (the part between the first
 * <code>{</code> and the next <code>}</code>, when not empty), modulo 16384, as the Redis Cluster specification
 * defines it.
 */
public final class HashSlot {

    /** How many hash slots a Redis Cluster has. */
    public static final int SLOTS = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private HashSlot() {
    }

    /**
     * @return the hash slot of the key
     */
    public static int of(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        int end = bytes.length;
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                // Offsets in bytes: the text before the braces may hold multi-byte characters.
                start = key.substring(0, open + 1).getBytes(StandardCharsets.UTF_8).length;
                end = start + key.substring(open + 1, close).getBytes(StandardCharsets.UTF_8).length;
            }
        }
        int crc = 0;
        for (int i = start; i < end; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc % SLOTS;
    }
}
