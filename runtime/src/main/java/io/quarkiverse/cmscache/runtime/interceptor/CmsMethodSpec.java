package io.quarkiverse.cmscache.runtime.interceptor;

import io.quarkus.runtime.annotations.RecordableConstructor;

/**
 * What the build step found out about one annotated method, recorded for run time so that interception needs no
 * reflection on annotations or parameters.
 */
public final class CmsMethodSpec {

    private final String signature;
    private final boolean invalidating;
    private final String[] regions;
    private final String[] keyPositions;
    private final boolean async;

    /**
     * @param signature {@code <declaring class>#<name>(<erased parameter types>)}, as {@link CmsMethods#signature}
     *        builds it
     * @param invalidating {@code true} for {@code @CmsInvalidate}, {@code false} for {@code @CmsCached}
     * @param regions the region (one for {@code @CmsCached}, one per {@code @CmsInvalidate})
     * @param keyPositions for each region, the comma-separated positions of the key parameters, in key order
     * @param async whether the method returns {@code Uni}
     */
    @RecordableConstructor
    public CmsMethodSpec(String signature, boolean invalidating, String[] regions, String[] keyPositions,
            boolean async) {
        this.signature = signature;
        this.invalidating = invalidating;
        this.regions = regions;
        this.keyPositions = keyPositions;
        this.async = async;
    }

    public String getSignature() {
        return signature;
    }

    public boolean isInvalidating() {
        return invalidating;
    }

    public String[] getRegions() {
        return regions;
    }

    public String[] getKeyPositions() {
        return keyPositions;
    }

    public boolean isAsync() {
        return async;
    }

    int[] positions(int i) {
        String text = keyPositions[i];
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] parts = text.split(",");
        int[] positions = new int[parts.length];
        for (int p = 0; p < parts.length; p++) {
            positions[p] = Integer.parseInt(parts[p]);
        }
        return positions;
    }
}
