package io.quarkiverse.cmscache.runtime.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class InvalidationMessageTest {

    @Test
    void readsTheDetailsTheScriptCompletes() {
        String details = InvalidationMessage.details(1_700_000_000_123L, Trigger.method("Blocks.save"));
        InvalidationMessage message = InvalidationMessage.parse("42 abc " + details + ";3} block:header @page");

        assertEquals(42, message.seq());
        assertEquals("abc", message.origin());
        assertEquals(1_700_000_000_123L, message.at());
        assertEquals(Trigger.method("Blocks.save"), message.trigger());
        assertEquals(3, message.deleted());
        assertEquals(List.of("block:header", "@page"), message.tags());
    }

    @Test
    void readsMessagesWithoutDetails() {
        InvalidationMessage message = InvalidationMessage.parse("7 abc block:header");

        assertEquals(List.of("block:header"), message.tags());
        assertEquals(-1, message.at());
        assertNull(message.trigger());
        assertEquals(-1, message.deleted());
    }

    @Test
    void keepsATriggerSourceWithinItsField() {
        String details = InvalidationMessage.details(1, new Trigger(Trigger.Kind.API, "Dev UI; {x}"));
        InvalidationMessage message = InvalidationMessage.parse("1 abc " + details + ";0} t");

        assertEquals(new Trigger(Trigger.Kind.API, "Dev_UI___x_"), message.trigger());
        assertEquals(List.of("t"), message.tags());
    }

    @Test
    void rejectsMalformedMessages() {
        assertNull(InvalidationMessage.parse("x abc block:header"));
        assertNull(InvalidationMessage.parse("1 abc"));
        assertNull(InvalidationMessage.parse("1 abc {1;method;x} t"));
    }

    @Test
    void historyMergesTheRedisLogWithThisInstancesRecords() {
        InvalidationRecord mine = new InvalidationRecord(2, 200, List.of("b"), Trigger.API, "me", 5, 1, 201);
        InvalidationRecord offline = new InvalidationRecord(-1, 300, List.of("c"), Trigger.API, "me", 1, -1, 300);
        List<String> redisLog = List.of("2 me {200;api;CmsCache;1} b", "1 other {100;content-change;message;4} a");

        List<InvalidationRecord> history = InvalidationLog.merge(redisLog, List.of(offline, mine), 10);

        assertEquals(List.of(offline, mine), history.subList(0, 2), "newest first, this instance's records win");
        assertEquals("other", history.get(2).origin());
        assertEquals(-1, history.get(2).l1Evicted(), "not applied here");
        assertEquals(4, history.get(2).redisDeleted());
        assertEquals(2, InvalidationLog.merge(redisLog, List.of(offline, mine), 2).size());
    }
}
