package io.quarkiverse.cmscache.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Percentiles of a set of durations in nanoseconds, reported in microseconds.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /**
     * @return count, p50, p90, p99, p99.9 and max in microseconds (nearest-rank)
     */
    public static Map<String, Object> micros(long[] nanos, int count) {
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("count", count);
        if (count == 0) {
            return result;
        }
        result.put("p50", at(sorted, 0.50));
        result.put("p90", at(sorted, 0.90));
        result.put("p99", at(sorted, 0.99));
        result.put("p999", at(sorted, 0.999));
        result.put("max", sorted[count - 1] / 1000.0);
        result.put("mean", Arrays.stream(sorted).average().orElse(0) / 1000.0);
        return result;
    }

    private static double at(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1000.0;
    }
}
