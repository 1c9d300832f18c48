package io.quarkiverse.cmscache.runtime.region;

import java.util.List;

/**
 * How a value can be loaded again, later and on another thread: to refresh an entry in the background, or to warm
 * it at the next start-up. For a {@code @CmsCached} method, the bean, the method and its arguments; for
 * {@code CmsCache}, the loader the application passed.
 */
public interface Recipe {

    /**
     * @return whether {@link #load()} returns a {@code Uni}
     */
    boolean async();

    /**
     * Loads the value again, on the calling thread; for an asynchronous recipe, returns the {@code Uni} computing
     * it. Called inside the entry's computation, so dependencies are captured as for a first load.
     */
    Object load() throws Exception;

    /**
     * @return a description that a later run of the application can turn back into a recipe, or {@code null} when
     *         there is none (a lambda, an argument that is not JSON)
     */
    default Stored stored() {
        return null;
    }

    /**
     * A recipe as kept in Redis for warming.
     *
     * @param method the method signature, as {@code CmsMethods.signature} writes it
     * @param args the arguments, as JSON values
     */
    record Stored(String method, List<Object> args) {
    }
}
