package io.quarkiverse.cmscache.runtime.region;

import java.util.concurrent.Callable;

/**
 * The blocking loader of one read: loads the value now, and knows how to load it again later.
 */
public interface Loader extends Callable<Object>, Reloadable {

    /**
     * @return a loader without a recipe: its entries are not refreshed ahead nor warmed
     */
    static Loader of(Callable<?> load) {
        return new Loader() {
            @Override
            public Object call() throws Exception {
                return load.call();
            }

            @Override
            public Recipe recipe() {
                return null;
            }
        };
    }
}
