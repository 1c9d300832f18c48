package io.quarkiverse.cmscache.benchmarks.hit;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.benchmarks.Mode;

/**
 * (b), paired: the L2 hit, the raw {@code GET} and the raw {@code HMGET} of {@link L2Hit}, measured in one JVM in
 * alternating rounds, so that the ratio compares the three under the same conditions.
 * <p>
 * Why: the JMH runs of (b) run each method in a JVM of its own, minutes apart. On a shared two-core machine the raw
 * {@code GET} alone moved between 105 and 150 µs from one run to the next, so their ratio measured the machine's
 * drift as much as the read path. Here each round times {@value #OPS_PER_ROUND} calls of each method, one method
 * after the other in an order that rotates every round, after a warm-up of all three; the result is each method's
 * median round, and the median (with the quartiles) of the per-round ratio of L2 hit to {@code GET}.
 */
@ApplicationScoped
public class L2HitPaired {

    static final int OPS_PER_ROUND = 500;
    static final int[] SIZES = { 1024, 51200 };

    public void run(Mode mode, Path result) throws Exception {
        int warmupRounds = mode.quick() ? 20 : 40;
        int rounds = mode.quick() ? 20 : 60;
        Map<String, Object> bySize = new LinkedHashMap<>();
        for (int size : SIZES) {
            L2Hit state = new L2Hit();
            state.size = size;
            state.store();
            Map<String, Supplier<String>> methods = new LinkedHashMap<>();
            methods.put("cmsL2Hit", state::cmsL2Hit);
            methods.put("rawGet", state::rawGet);
            methods.put("rawHmget", state::rawHmget);
            String[] names = methods.keySet().toArray(String[]::new);
            for (int round = 0; round < warmupRounds; round++) {
                for (String name : names) {
                    time(methods.get(name));
                }
            }
            double[][] micros = new double[names.length][rounds];
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.length; i++) {
                    int method = (i + round) % names.length;
                    micros[method][round] = time(methods.get(names[method]));
                }
                ratios[round] = micros[0][round] / micros[1][round];
            }
            state.onlyRedisHits();
            Map<String, Object> measured = new LinkedHashMap<>();
            measured.put("rounds", rounds);
            measured.put("opsPerRound", OPS_PER_ROUND);
            for (int i = 0; i < names.length; i++) {
                measured.put(names[i], quantile(micros[i], 0.5));
            }
            Map<String, Double> ratio = new LinkedHashMap<>();
            ratio.put("p25", quantile(ratios, 0.25));
            ratio.put("p50", quantile(ratios, 0.5));
            ratio.put("p75", quantile(ratios, 0.75));
            measured.put("ratio", ratio);
            bySize.put(String.valueOf(size), measured);
            System.out.printf("size %d: %s%n", size, measured);
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(result.toFile(), bySize);
    }

    /** @return the mean time of one call in µs, over one round */
    private static double time(Supplier<String> method) {
        long start = System.nanoTime();
        for (int i = 0; i < OPS_PER_ROUND; i++) {
            if (method.get() == null) {
                throw new IllegalStateException("no value");
            }
        }
        return (System.nanoTime() - start) / 1000.0 / OPS_PER_ROUND;
    }

    private static double quantile(double[] values, double quantile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
