package io.quarkiverse.cmscache.test;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkiverse.cmscache.CmsCache;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.test.QuarkusUnitTest;
import io.vertx.mutiny.redis.client.Redis;

/**
 * A slot group goes back in time on its own: the edit is lost on one master only, one that does not hold the control
 * slot, so the invalidation sequence, the log and the message all survive, and only the group's copy of the edit (the
 * pages it deleted, the tag versions it set) is gone. Each instance finds the group's mark behind what it knows was
 * applied everywhere, and starts a new generation: from 200 ms after the edit returned, neither serves the old
 * content.
 */
public class ClusterGroupFailoverTest {

    static final RedisClusterSetup CLUSTER = RedisClusterSetup.named("cluster-group-failover");

    @RegisterExtension
    static final QuarkusUnitTest app = TestRedis.clusterUnitTest(CLUSTER)
            .overrideConfigKey("quarkus.cms-cache.warming.enabled", "false")
            .withApplicationRoot(jar -> jar.addClasses(TestRedis.class, OtherInstance.class, RedisClusterSetup.class,
                    RedisSentinelSetup.class, ClusterFailoverTest.class));

    @Inject
    CmsCache cache;

    @Inject
    OtherInstance instances;

    @Inject
    @RedisClientName("other")
    Redis otherClient;

    @AfterAll
    static void stopCluster() {
        CLUSTER.stop();
    }

    @Test
    void aGroupThatLosesTheEditOnItsOwnServesNothingOldAfterIt() throws Exception {
        CmsCacheEngine editor = (CmsCacheEngine) cache;
        int control = CLUSTER.masterOf(CLUSTER.slotOf(editor.l2().keys().control()));
        int master = CLUSTER.masterPorts().stream().filter(port -> port != control).findFirst().orElseThrow();
        ClusterFailoverTest.loseTheEditIn(CLUSTER, List.of(master), editor, instances, otherClient);
    }
}
