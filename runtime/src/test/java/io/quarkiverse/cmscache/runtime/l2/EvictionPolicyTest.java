package io.quarkiverse.cmscache.runtime.l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which Redis memory settings may evict the cache's metadata.
 */
class EvictionPolicyTest {

    static EvictionPolicy info(String policy, long maxMemory) {
        return EvictionPolicy.parse("# Memory\r\nused_memory:1000\r\nmaxmemory:" + maxMemory
                + "\r\nmaxmemory_human:0B\r\nmaxmemory_policy:" + policy + "\r\n");
    }

    @Test
    void onlyAMemoryLimitWithAnEvictingPolicyMayEvictMetadata() {
        assertTrue(info("allkeys-lru", 1 << 20).mayEvictMetadata());
        assertTrue(info("allkeys-lfu", 1 << 20).mayEvictMetadata());
        assertFalse(info("volatile-lru", 1 << 20).mayEvictMetadata(), "metadata has no TTL: never a candidate");
        assertFalse(info("volatile-ttl", 1 << 20).mayEvictMetadata());
        assertFalse(info("noeviction", 1 << 20).mayEvictMetadata());
        assertFalse(info("allkeys-lru", 0).mayEvictMetadata(), "no memory limit: nothing is ever evicted");
        assertEquals("unsafe (allkeys-lru)", info("allkeys-lru", 1 << 20).describe());
        assertEquals("safe", info("volatile-lru", 1 << 20).describe());
        assertEquals("safe", info("noeviction", 1 << 20).describe());
    }

    @Test
    void aReplyWithoutTheFieldsIsUnknownAndNotReportedUnsafe() {
        EvictionPolicy unknown = EvictionPolicy.parse("# Memory\r\nused_memory:1000\r\n");
        assertFalse(unknown.mayEvictMetadata());
        assertEquals("unknown", unknown.describe());
        assertEquals(EvictionPolicy.UNKNOWN, EvictionPolicy.parse(null));
    }
}
