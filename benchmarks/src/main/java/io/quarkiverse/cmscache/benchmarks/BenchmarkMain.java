package io.quarkiverse.cmscache.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;

import jakarta.inject.Inject;

import io.quarkiverse.cmscache.benchmarks.cluster.ClusterSpread;
import io.quarkiverse.cmscache.benchmarks.hit.HitBenchmarks;
import io.quarkiverse.cmscache.benchmarks.hit.L2HitPaired;
import io.quarkiverse.cmscache.benchmarks.invalidation.InvalidationFollower;
import io.quarkiverse.cmscache.benchmarks.invalidation.InvalidationLeader;
import io.quarkiverse.cmscache.benchmarks.metadata.MetadataCost;
import io.quarkiverse.cmscache.benchmarks.report.Report;
import io.quarkiverse.cmscache.benchmarks.workload.EditStorm;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One part of the benchmark run per invocation, as {@code benchmarks/run} calls it:
 *
 * <pre>
 * jmh &lt;benchmark-regex&gt; &lt;threads&gt; &lt;quick|full&gt; &lt;result.json&gt;   (a) and (b), JMH in this JVM
 * l2-paired &lt;quick|full&gt; &lt;result.json&gt;                       (b), paired: its methods in alternating rounds
 * invalidation-leader &lt;quick|full&gt; &lt;result.json&gt;             (c), with a follower process running
 * invalidation-follower                                            (c), the other instance
 * edit-storm &lt;quick|full&gt; &lt;result.json&gt; [strategy]           (d), all strategies or the one named
 * metadata &lt;quick|full&gt; &lt;result.json&gt;                        (f), in a key namespace of its own
 * spread &lt;quick|full&gt; &lt;result.json&gt;                          (g), on a Redis Cluster, in a namespace of its own
 * report &lt;results-dir&gt; &lt;tables.adoc&gt;                           the tables of the docs page
 * </pre>
 */
@QuarkusMain
public class BenchmarkMain implements QuarkusApplication {

    @Inject
    InvalidationLeader leader;

    @Inject
    InvalidationFollower follower;

    @Inject
    EditStorm editStorm;

    @Inject
    MetadataCost metadata;

    @Inject
    ClusterSpread spread;

    @Inject
    L2HitPaired l2Paired;

    @Override
    public int run(String... args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: jmh|l2-paired|invalidation-leader|invalidation-follower|edit-storm|metadata|"
                    + "spread|report ...");
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "jmh" -> HitBenchmarks.run(rest[0], Integer.parseInt(rest[1]), Mode.of(rest[2]), Path.of(rest[3]));
            case "invalidation-leader" -> leader.run(Mode.of(rest[0]), Path.of(rest[1]));
            case "invalidation-follower" -> follower.run();
            case "edit-storm" -> editStorm.run(Mode.of(rest[0]), Path.of(rest[1]), rest.length > 2 ? rest[2] : null);
            case "metadata" -> metadata.run(Mode.of(rest[0]), Path.of(rest[1]));
            case "spread" -> spread.run(Mode.of(rest[0]), Path.of(rest[1]));
            case "l2-paired" -> l2Paired.run(Mode.of(rest[0]), Path.of(rest[1]));
            case "report" -> Report.write(Path.of(rest[0]), Path.of(rest[1]));
            default -> {
                System.err.println("unknown part " + args[0]);
                return 2;
            }
        }
        return 0;
    }
}
