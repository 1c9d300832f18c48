package io.quarkiverse.cmscache.runtime.interceptor;

import java.util.concurrent.Callable;

/**
 * Marks, on the current thread, the entry whose method is being called again by a {@link MethodRecipe}: the
 * interceptor then runs the method body instead of answering from the cache. The mark is taken by the first
 * interception of that key, so that a method reading its own entry is still reported as a cycle.
 */
final class Recompute {

    private static final ThreadLocal<String> KEY = new ThreadLocal<>();

    private Recompute() {
    }

    static <T> T run(String key, Callable<T> call) throws Exception {
        String previous = KEY.get();
        KEY.set(key);
        try {
            return call.call();
        } finally {
            if (previous == null) {
                KEY.remove();
            } else {
                KEY.set(previous);
            }
        }
    }

    /**
     * @return whether the key is being recomputed on this thread; the mark is cleared
     */
    static boolean take(String key) {
        String marked = KEY.get();
        if (marked != null && marked.equals(key)) {
            KEY.remove();
            return true;
        }
        return false;
    }
}
