package io.quarkiverse.cmscache.benchmarks.invalidation;

/**
 * The entries of one invalidation run: {@code dependents} entries of the region {@code dependent}, all depending on
 * one tag that is invalidated once.
 */
record Dependents(String run, int dependents, int round) {

    static final String REGION = "dependent";

    static Dependents parse(String message) {
        String[] parts = message.split(" ");
        return new Dependents(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    String message() {
        return run + " " + dependents + " " + round;
    }

    String tag() {
        return "block:" + run + "n" + dependents + "r" + round;
    }

    String key(int i) {
        return run + "n" + dependents + "r" + round + "i" + i;
    }

    /** The key of the entry as L1 holds it. */
    String entryKey(int i) {
        return REGION + ":" + key(i);
    }
}
