package io.quarkiverse.cmscache.test;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.l2.L2State;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * An invalidation subscription that dies without a FIN (the network path goes silent, the socket stays open) is
 * noticed by its liveness check and replaced, so invalidations reach the instance by the channel again. The gap
 * timeout is set far beyond the test, so that only the channel can deliver them.
 */
public class SubscriptionLivenessTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.unitTest()
            .overrideConfigKey("quarkus.cms-cache.invalidation.gap-timeout", "1h")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, SilencingProxy.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    Vertx vertx;

    @Test
    void aSilentSubscriptionIsReplacedAndInvalidationsArriveAgain() throws Exception {
        try (SilencingProxy proxy = new SilencingProxy(6379)) {
            Redis throughProxy = Redis.newInstance(io.vertx.redis.client.Redis.createClient(vertx, proxy.uri()));
            CmsCacheEngine instance = instances.startWith(throughProxy);
            try {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> instance.l2State() == L2State.UP && proxy.subscriptions() == 1);
                assertEquals("footer v1", instance.get("block", "footer", String.class, () -> "footer v1"));
                assertNotNull(instance.region("block").l1().get("block:footer"));

                proxy.silenceSubscriptions();
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.subscriptions() == 2);
                await().atMost(Duration.ofSeconds(20)).until(() -> instance.l2State() == L2State.UP);

                RestAssured.get("/q/health/ready").then().statusCode(200)
                        .body("checks.find { it.name == 'CMS cache' }.data.subscription", equalTo("up"));
                cache.invalidate("block", "footer");
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> instance.region("block").l1().get("block:footer") == null);
            } finally {
                instance.close();
                throughProxy.close();
            }
        }
    }
}
