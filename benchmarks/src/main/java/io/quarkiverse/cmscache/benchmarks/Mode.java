package io.quarkiverse.cmscache.benchmarks;

/**
 * How long a run takes: {@code quick} to run often (a few minutes in all), {@code full} for the published numbers.
 */
public enum Mode {
    QUICK,
    FULL;

    public static Mode of(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean quick() {
        return this == QUICK;
    }
}
