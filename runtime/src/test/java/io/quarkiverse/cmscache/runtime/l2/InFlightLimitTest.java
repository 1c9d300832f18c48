package io.quarkiverse.cmscache.runtime.l2;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The bound on the cache's commands in the Redis client: never more than the limit in flight, a permit held until the
 * client answers, callers that stop waiting never sent, the queue bounded, and no permit lost under load.
 */
class InFlightLimitTest {

    final ExecutorService executor = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** A command the test answers by hand, counting how many are in the "client" at once. */
    static final class Client {
        final AtomicInteger inClient = new AtomicInteger();
        final AtomicInteger mostInClient = new AtomicInteger();
        final AtomicInteger sent = new AtomicInteger();
        final ConcurrentLinkedQueue<CompletableFuture<String>> pending = new ConcurrentLinkedQueue<>();

        Uni<String> send(String name) {
            sent.incrementAndGet();
            mostInClient.accumulateAndGet(inClient.incrementAndGet(), Math::max);
            CompletableFuture<String> answer = new CompletableFuture<>();
            pending.add(answer);
            return Uni.createFrom().completionStage(answer).onTermination().invoke(inClient::decrementAndGet)
                    .map(ignored -> name);
        }

        void answerOne() {
            CompletableFuture<String> next = pending.poll();
            if (next != null) {
                next.complete("ok");
            }
        }
    }

    @Test
    void neverMoreThanTheLimitInTheClientAndEveryCommandAnsweredInOrder() throws Exception {
        InFlightLimit limit = new InFlightLimit(3, 100, executor);
        Client client = new Client();
        List<String> answered = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            String name = "c" + i;
            limit.submit(() -> client.send(name)).subscribe().with(value -> {
                answered.add(value);
                done.countDown();
            });
        }
        assertEquals(3, limit.inFlight());
        assertEquals(47, limit.waiting());
        for (int i = 0; i < 50; i++) {
            awaitSent(client, Math.min(50, i + 3));
            assertTrue(client.inClient.get() <= 3);
            client.answerOne();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(3, client.mostInClient.get(), "at most the limit in the client at once");
        assertEquals(List.of("c0", "c1", "c2"), answered.subList(0, 3));
        assertEquals(50, answered.size());
        assertEquals(0, limit.inFlight());
        assertEquals(0, limit.waiting());
    }

    @Test
    void aCallerThatStopsWaitingBeforeItsTurnIsNeverSent() throws Exception {
        InFlightLimit limit = new InFlightLimit(1, 10, executor);
        Client client = new Client();
        limit.submit(() -> client.send("first")).subscribe().with(value -> {
        });
        Cancellable second = limit.submit(() -> client.send("second")).subscribe().with(value -> {
        });
        assertEquals(1, limit.waiting());

        second.cancel();
        assertEquals(0, limit.waiting(), "withdrawn from the queue at once");
        client.answerOne();
        awaitZero(limit);
        assertEquals(1, client.sent.get(), "the second command never reached the client");
    }

    @Test
    void aCallerThatTimesOutWhileItsCommandIsInTheClientKeepsThePermitTaken() throws Exception {
        InFlightLimit limit = new InFlightLimit(1, 10, executor);
        Client client = new Client();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch timedOut = new CountDownLatch(1);
        limit.submit(() -> client.send("slow")).ifNoItem().after(Duration.ofMillis(20)).fail().subscribe()
                .with(value -> {
                }, error -> {
                    failure.set(error);
                    timedOut.countDown();
                });
        assertTrue(timedOut.await(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failure.get());
        assertEquals(1, limit.inFlight(), "the client still holds the command: its place stays taken");

        AtomicBoolean nextSent = new AtomicBoolean();
        limit.submit(() -> {
            nextSent.set(true);
            return client.send("next");
        }).subscribe().with(value -> {
        });
        assertFalse(nextSent.get(), "the next command waits for the client to answer the slow one");
        client.answerOne();
        awaitSent(client, 2);
        client.answerOne();
        awaitZero(limit);
    }

    @Test
    void beyondMaxWaitingACommandFailsAtOnceWithoutBeingSent() {
        InFlightLimit limit = new InFlightLimit(1, 2, executor);
        Client client = new Client();
        for (int i = 0; i < 3; i++) {
            String name = "c" + i;
            limit.submit(() -> client.send(name)).subscribe().with(value -> {
            });
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        limit.submit(() -> client.send("refused")).subscribe().with(value -> {
        }, failure::set);
        assertInstanceOf(L2BusyException.class, failure.get());
        assertTrue(failure.get().getMessage().contains("quarkus.cms-cache.l2.max-waiting"), failure.get().getMessage());
        assertEquals(1, limit.rejected());
        assertEquals(1, client.sent.get());
    }

    @Test
    void aCommandThatFailsOrThrowsGivesItsPlaceToTheNext() throws Exception {
        InFlightLimit limit = new InFlightLimit(1, 10, executor);
        CountDownLatch done = new CountDownLatch(3);
        limit.submit(() -> {
            throw new IllegalStateException("client closed");
        }).subscribe().with(value -> {
        }, error -> done.countDown());
        limit.submit(() -> Uni.createFrom().failure(new IllegalStateException("connection reset"))).subscribe()
                .with(value -> {
                }, error -> done.countDown());
        limit.submit(() -> Uni.createFrom().item("ok")).subscribe().with(value -> done.countDown());
        assertTrue(done.await(10, TimeUnit.SECONDS));
        awaitZero(limit);
    }

    @Test
    void underLoadWithFailuresAndCancellationsNoPlaceIsLostAndTheLimitHolds() throws Exception {
        InFlightLimit limit = new InFlightLimit(4, 64, executor);
        AtomicInteger inClient = new AtomicInteger();
        AtomicInteger mostInClient = new AtomicInteger();
        AtomicInteger outcomes = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(6);
        ExecutorService answers = Executors.newFixedThreadPool(2);
        int commands = 20_000;
        try {
            for (int i = 0; i < commands; i++) {
                callers.execute(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int kind = random.nextInt(4);
                    Cancellable subscription = limit.submit(() -> {
                        mostInClient.accumulateAndGet(inClient.incrementAndGet(), Math::max);
                        Uni<String> answer = switch (kind) {
                            case 0 -> Uni.createFrom().item("now");
                            case 1 -> Uni.createFrom().failure(new IllegalStateException("failed"));
                            default -> Uni.createFrom().completionStage(
                                    CompletableFuture.supplyAsync(() -> "later", answers));
                        };
                        return answer.onTermination().invoke(inClient::decrementAndGet);
                    }).subscribe().with(value -> outcomes.incrementAndGet(), error -> outcomes.incrementAndGet());
                    if (kind == 3 && random.nextBoolean()) {
                        // The caller stops waiting: its command is withdrawn, or answered to nobody.
                        subscription.cancel();
                        cancelled.incrementAndGet();
                    }
                });
            }
            callers.shutdown();
            assertTrue(callers.awaitTermination(20, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> limit.inFlight() == 0 && limit.waiting() == 0 && inClient.get() == 0);
        } finally {
            answers.shutdownNow();
        }
        assertEquals(0, limit.inFlight(), "every place came back");
        assertEquals(0, limit.waiting(), "nothing left waiting");
        assertTrue(mostInClient.get() <= 4, "at most 4 in the client at once, saw " + mostInClient.get());
        assertTrue(outcomes.get() + cancelled.get() >= commands, "every caller that kept waiting got an outcome: "
                + outcomes.get() + " outcomes and " + cancelled.get() + " cancelled of " + commands);
    }

    private static void awaitSent(Client client, int sent) {
        await().atMost(Duration.ofSeconds(10)).until(() -> client.sent.get() >= sent);
    }

    private static void awaitZero(InFlightLimit limit) {
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.inFlight() == 0 && limit.waiting() == 0);
    }
}
