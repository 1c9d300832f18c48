package io.quarkiverse.cmscache.runtime.interceptor;

import io.quarkiverse.cmscache.runtime.entry.EntryKeys;

/**
 * Builds a method's entry key from its arguments: the region and the arguments at the key positions.
 *
 * @param region the region
 * @param positions the positions of the key parameters, in key order
 */
record KeyTemplate(String region, int[] positions) {

    String key(Object[] args) {
        switch (positions.length) {
            case 0:
                return region;
            case 1:
                return EntryKeys.key(region, args[positions[0]]);
            default:
                Object[] parts = new Object[positions.length];
                for (int i = 0; i < positions.length; i++) {
                    parts[i] = args[positions[i]];
                }
                return EntryKeys.key(region, parts);
        }
    }
}
