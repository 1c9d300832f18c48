package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsWarmer;
import io.quarkiverse.cmscache.runtime.warming.Warming;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Warming keeps to its limits: one warmer at a time ({@code warming.concurrency=1}); a warmer that has not started
 * when the budget is spent is skipped, and the run ends at the budget even though a warmer is still busy.
 */
public class WarmingLimitsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.concurrency", "1")
            .overrideConfigKey("quarkus.cms-cache.warming.budget", "1s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Latches.class, Gate.class,
                    HeaderWarmer.class, FooterWarmer.class));

    @Inject
    Warming warming;

    @Inject
    Gate gate;

    @Test
    void whatDoesNotStartWithinTheBudgetIsSkipped() {
        await().atMost(Duration.ofSeconds(10)).until(warming::startupDone);
        Warming.Report report = warming.lastReport();
        assertEquals(1, report.skipped(), "the second warmer never got the one slot");
        assertEquals(0, report.warmers(), "the first had not finished");
        assertEquals(1, gate.started(), "one warmer ran, the other never did");
        gate.release();
    }

    @ApplicationScoped
    public static class Gate {
        final CountDownLatch stuck = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();

        void hold() {
            started.incrementAndGet();
            Latches.await(stuck);
        }

        void release() {
            stuck.countDown();
        }

        int started() {
            return started.get();
        }
    }

    /** Each holds its slot past the budget. */
    @ApplicationScoped
    public static class HeaderWarmer implements CmsWarmer {
        @Inject
        Gate gate;

        @Override
        public void warm() {
            gate.hold();
        }
    }

    @ApplicationScoped
    public static class FooterWarmer implements CmsWarmer {
        @Inject
        Gate gate;

        @Override
        public void warm() {
            gate.hold();
        }
    }
}
