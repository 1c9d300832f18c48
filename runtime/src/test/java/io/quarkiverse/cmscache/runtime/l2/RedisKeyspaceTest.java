package io.quarkiverse.cmscache.runtime.l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The layout that spreads a namespace over a cluster: hash slots as Redis computes them, group names whose slots
 * fall in even shares of the slot space, and entry keys spread evenly over the groups.
 */
class RedisKeyspaceTest {

    @Test
    void hashSlotsAreRedisClusterSlots() {
        // The specification's CRC16 check value, and slots Redis documents.
        assertEquals(0x31C3, HashSlot.of("123456789"));
        assertEquals(12182, HashSlot.of("foo"));
        assertEquals(HashSlot.of("user1000"), HashSlot.of("{user1000}.following"));
        assertEquals(HashSlot.of("{user1000}.following"), HashSlot.of("{user1000}.followers"));
    }

    @Test
    void eachGroupHasItsOwnEvenShareOfTheSlots() {
        for (int groups : new int[] { 1, 3, 16, 100, 1024 }) {
            RedisKeyspace keys = new RedisKeyspace("cms", "1", groups);
            assertEquals(groups, keys.groups().size());
            Set<Integer> slots = new HashSet<>();
            for (RedisKeyspace.Group group : keys.groups()) {
                int slot = HashSlot.of(group.entry("x"));
                assertEquals(slot, HashSlot.of(group.tagSet("t")), "every key of a group is in its slot");
                assertEquals(slot, HashSlot.of(group.lease("x")));
                int from = group.index() * HashSlot.SLOTS / groups;
                int to = (group.index() + 1) * HashSlot.SLOTS / groups;
                assertTrue(slot >= from && slot < to, group + " in [" + from + ", " + to + ")");
                int middle = (2 * group.index() + 1) * HashSlot.SLOTS / (2 * groups);
                assertTrue(Math.abs(slot - middle) <= HashSlot.SLOTS / groups / 8 + 1, group + " near " + middle);
                slots.add(slot);
            }
            assertEquals(groups, slots.size());
        }
    }

    @Test
    void threeMastersHoldFiveSixAndFiveOfSixteenGroupsWhateverThePrefix() {
        for (String prefix : new String[] { "cms", "test-1a2b3c4d", "site", "x" }) {
            int[] perMaster = new int[3];
            for (RedisKeyspace.Group group : new RedisKeyspace(prefix, "1", 16).groups()) {
                // The ranges redis-cli --cluster create gives three masters.
                int slot = HashSlot.of(group.entry("x"));
                perMaster[slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2]++;
            }
            assertEquals(List.of(5, 6, 5), List.of(perMaster[0], perMaster[1], perMaster[2]), prefix);
        }
    }

    @Test
    void entriesSpreadEvenlyOverTheGroups() {
        RedisKeyspace keys = new RedisKeyspace("cms", "1", 16);
        int[] counts = new int[16];
        int n = 160_000;
        for (int i = 0; i < n; i++) {
            // Keys alike but for their last characters, as a site's are.
            counts[keys.groupOf("page:/news/article-" + i).index()]++;
        }
        for (int count : counts) {
            assertTrue(Math.abs(count - n / 16) < n / 16 / 20, "within 5 % of an even share: " + count);
        }
        assertEquals(keys.groupOf("page:home"), keys.groupOf("page:home"));
        assertEquals("page:home", keys.keyOfEntry(keys.entry("page:home")));
        assertTrue(keys.lease("page:home").startsWith(keys.groupOf("page:home").name()));
    }
}
