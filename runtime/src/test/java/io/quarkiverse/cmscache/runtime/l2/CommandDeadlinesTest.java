package io.quarkiverse.cmscache.runtime.l2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The timeout of the cache's Redis commands, checked periodically: a command Redis does not answer fails with a
 * timeout (and is cancelled, so that one still waiting for a place in the client is never sent), one that answers is
 * never failed, and the queue of deadlines does not keep settled commands.
 */
class CommandDeadlinesTest {

    final CommandDeadlines deadlines = new CommandDeadlines(Duration.ofMillis(50));

    @Test
    void aCommandWithoutAnswerFailsWithATimeoutAndIsCancelled() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        deadlines.bound(Uni.createFrom().emitter(emitter -> emitter.onTermination(() -> cancelled.set(true))))
                .subscribe().with(item -> outcome.set(new AssertionError("answered: " + item)), outcome::set);

        deadlines.failOverdue();
        assertEquals(null, outcome.get(), "not before its deadline");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            deadlines.failOverdue();
            return outcome.get() != null;
        });
        assertInstanceOf(TimeoutException.class, outcome.get());
        assertTrue(outcome.get().getMessage().contains("quarkus.cms-cache.l2.timeout"), outcome.get().getMessage());
        assertTrue(cancelled.get(), "the command's subscription is cancelled");
        assertEquals(0, deadlines.size());
    }

    @Test
    void aCommandThatAnswersIsNeverFailedAndLeavesTheQueue() throws Exception {
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            assertEquals(n, deadlines.bound(Uni.createFrom().item(n)).await().indefinitely());
        }
        CompletableFuture<String> late = new CompletableFuture<>();
        AtomicReference<Object> outcome = new AtomicReference<>();
        deadlines.bound(Uni.createFrom().completionStage(late)).subscribe().with(outcome::set, outcome::set);
        late.complete("answer");
        assertEquals("answer", outcome.get());

        deadlines.failOverdue();
        assertEquals(0, deadlines.size(), "settled commands are forgotten at once");
        long answeredAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - answeredAt > Duration.ofMillis(60).toNanos());
        deadlines.failOverdue();
        assertEquals("answer", outcome.get(), "an answered command never fails afterwards");
    }

    @Test
    void aCallerThatStopsWaitingCancelsTheCommand() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Cancellable caller = deadlines.bound(Uni.createFrom().emitter(emitter -> emitter.onTermination(() -> cancelled
                .set(true)))).subscribe().with(item -> {
                }, failure -> {
                });
        caller.cancel();
        assertTrue(cancelled.get());
        deadlines.failOverdue();
        assertEquals(0, deadlines.size());
    }

    @Test
    void closingFailsTheCommandsStillWaiting() {
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        deadlines.bound(Uni.createFrom().nothing()).subscribe().with(item -> {
        }, outcome::set);
        deadlines.failAll();
        assertInstanceOf(TimeoutException.class, outcome.get());
        assertEquals(0, deadlines.size());
    }
}
