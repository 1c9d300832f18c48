package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsWarmer;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * With {@code warming.block-readiness}, the application is not ready until start-up warming is over (it is still
 * live, and it starts without waiting).
 */
public class WarmingReadinessTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.warming.block-readiness", "true")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, Latches.class, Gate.class, HeldWarmer.class));

    @Inject
    Gate gate;

    @Test
    void notReadyUntilWarmingIsOver() {
        RestAssured.get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'CMS cache' }.data.warming", equalTo("running"))
                .body("checks.find { it.name == 'CMS cache' }.data.l2", equalTo("up"));
        RestAssured.get("/q/health/live").then().statusCode(200);

        gate.release();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
        RestAssured.get("/q/health/ready").then()
                .body("checks.find { it.name == 'CMS cache' }.data.warming", equalTo("done"));
    }

    @ApplicationScoped
    public static class Gate {
        final CountDownLatch warmed = new CountDownLatch(1);

        void release() {
            warmed.countDown();
        }

        void await() {
            Latches.await(warmed);
        }
    }

    @ApplicationScoped
    public static class HeldWarmer implements CmsWarmer {
        @Inject
        Gate gate;

        @Override
        public void warm() {
            gate.await();
        }
    }
}
