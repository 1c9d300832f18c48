package io.quarkiverse.cmscache.test;

import java.util.UUID;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Test settings shared by the deployment tests: the real Redis on localhost, a key prefix of its own per test class so
 * that tests never see each other's entries or invalidations, and a random HTTP port.
 */
public final class TestRedis {

    private TestRedis() {
    }

    /**
     * @return a unit test set up against the local Redis with a fresh key prefix
     */
    public static QuarkusUnitTest unitTest() {
        return new QuarkusUnitTest()
                .overrideConfigKey("quarkus.devservices.enabled", "false")
                .overrideConfigKey("quarkus.redis.hosts", "redis://localhost:6379")
                .overrideConfigKey("quarkus.cms-cache.key-prefix", freshPrefix())
                // A random HTTP port: other builds on the machine may hold the default test port.
                .overrideConfigKey("quarkus.http.test-port", "0");
    }

    /**
     * @return a unit test set up against a Redis Cluster of the test's own, in cluster mode, with a second client
     *         ({@code quarkus.redis.other}) for another instance of the application
     */
    public static QuarkusUnitTest clusterUnitTest(RedisClusterSetup cluster) {
        return unitTest()
                .overrideConfigKey("quarkus.redis.client-type", "cluster")
                .overrideConfigKey("quarkus.redis.hosts", cluster.hosts())
                .overrideConfigKey("quarkus.redis.other.client-type", "cluster")
                .overrideConfigKey("quarkus.redis.other.hosts", cluster.hosts());
    }

    public static String freshPrefix() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
