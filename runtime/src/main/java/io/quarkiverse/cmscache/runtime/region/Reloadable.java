package io.quarkiverse.cmscache.runtime.region;

/**
 * A loader that may know how to load its value again later.
 */
public interface Reloadable {

    /**
     * @return how to load the value again later, or {@code null} if it cannot be
     */
    Recipe recipe();
}
