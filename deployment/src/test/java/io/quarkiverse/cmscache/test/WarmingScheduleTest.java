package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsWarmer;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With {@code warming.every}, warmers run again on the Quarkus scheduler after the start-up run.
 */
public class WarmingScheduleTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.every", "1s")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, CountingWarmer.class));

    @Inject
    CountingWarmer warmer;

    @Test
    void warmersRunAgainOnTheSchedule() {
        await().atMost(Duration.ofSeconds(10)).until(() -> warmer.runs() >= 3);
    }

    @ApplicationScoped
    public static class CountingWarmer implements CmsWarmer {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void warm() {
            runs.incrementAndGet();
        }

        int runs() {
            return runs.get();
        }
    }
}
