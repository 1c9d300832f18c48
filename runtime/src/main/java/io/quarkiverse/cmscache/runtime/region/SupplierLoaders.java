package io.quarkiverse.cmscache.runtime.region;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Loaders for {@code CmsCache} reads: the application's supplier loads the value, and, being a closure that can be
 * called again, is also the recipe for refreshing it (it is not stored for warming).
 */
public final class SupplierLoaders {

    private SupplierLoaders() {
    }

    public static Loader blocking(Supplier<?> supplier) {
        Recipe recipe = new Recipe() {
            @Override
            public boolean async() {
                return false;
            }

            @Override
            public Object load() {
                return supplier.get();
            }
        };
        return new Loader() {
            @Override
            public Object call() {
                return supplier.get();
            }

            @Override
            public Recipe recipe() {
                return recipe;
            }
        };
    }

    public static AsyncLoader async(Supplier<? extends Uni<?>> supplier) {
        Recipe recipe = new Recipe() {
            @Override
            public boolean async() {
                return true;
            }

            @Override
            public Object load() {
                return supplier.get();
            }
        };
        return new AsyncLoader() {
            @Override
            public Uni<?> get() {
                return supplier.get();
            }

            @Override
            public Recipe recipe() {
                return recipe;
            }
        };
    }
}
