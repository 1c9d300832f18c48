package io.quarkiverse.cmscache.benchmarks.hit;

import java.nio.file.Path;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import io.quarkiverse.cmscache.benchmarks.Mode;

/**
 * Runs JMH inside the running Quarkus application ({@code forks(0)}: a JMH fork could not boot the application), so
 * that the benchmarks call real CDI beans with their interceptors. {@code benchmarks/run} starts a new JVM for each
 * benchmark method instead, which keeps the JIT profile of one from polluting another.
 */
public final class HitBenchmarks {

    private HitBenchmarks() {
    }

    public static void run(String include, int threads, Mode mode, Path result) throws Exception {
        Options options = new OptionsBuilder()
                .include(include)
                .forks(0)
                .threads(threads)
                .warmupIterations(mode.quick() ? 3 : 5)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(mode.quick() ? 5 : 10)
                .measurementTime(TimeValue.seconds(1))
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString())
                .build();
        if (new Runner(options).run().isEmpty()) {
            throw new IllegalStateException("no benchmark matches " + include);
        }
    }
}
