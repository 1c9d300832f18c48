package io.quarkiverse.cmscache.runtime.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The annotated methods of the application, as found at build time, looked up by the interceptors. Each
 * {@link Method} is resolved once; afterwards interception costs a map lookup.
 */
public final class CmsMethods {

    private final Map<String, CmsMethodSpec> specs = new HashMap<>();
    private final Set<String> regions = new TreeSet<>();
    private final ConcurrentHashMap<Method, CachedMethod> cached = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Method, InvalidatingMethod> invalidating = new ConcurrentHashMap<>();

    public CmsMethods(List<CmsMethodSpec> specs) {
        for (CmsMethodSpec spec : specs) {
            this.specs.put((spec.isInvalidating() ? "-" : "+") + spec.getSignature(), spec);
            regions.addAll(List.of(spec.getRegions()));
        }
    }

    /**
     * @return the regions named by annotations
     */
    public Set<String> regions() {
        return regions;
    }

    CachedMethod cached(Method method) {
        CachedMethod found = cached.get(method);
        if (found == null) {
            found = cached.computeIfAbsent(method, m -> new CachedMethod(spec("+", m), m));
        }
        return found;
    }

    InvalidatingMethod invalidating(Method method) {
        InvalidatingMethod found = invalidating.get(method);
        if (found == null) {
            found = invalidating.computeIfAbsent(method, m -> new InvalidatingMethod(spec("-", m), m));
        }
        return found;
    }

    private CmsMethodSpec spec(String kind, Method method) {
        CmsMethodSpec spec = specs.get(kind + signature(method));
        if (spec == null) {
            throw new IllegalStateException("No build-time information for " + signature(method)
                    + "; was it annotated after the build?");
        }
        return spec;
    }

    /**
     * Finds an annotated method from its signature, for warming with recipes stored by an earlier run.
     *
     * @return the method, or empty if it is not an annotated method of this build (it changed since)
     */
    public Optional<Method> method(String signature) {
        if (!specs.containsKey("+" + signature)) {
            return Optional.empty();
        }
        int hash = signature.indexOf('#');
        int open = signature.indexOf('(', hash);
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> declaring = Class.forName(signature.substring(0, hash), false, loader);
            String parameters = signature.substring(open + 1, signature.length() - 1);
            List<Class<?>> types = new ArrayList<>();
            if (!parameters.isEmpty()) {
                for (String name : parameters.split(",")) {
                    types.add(PRIMITIVES.containsKey(name) ? PRIMITIVES.get(name) : Class.forName(name, false, loader));
                }
            }
            Method method = declaring.getDeclaredMethod(signature.substring(hash + 1, open), types.toArray(new Class<?>[0]));
            method.setAccessible(true);
            return Optional.of(method);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static final Map<String, Class<?>> PRIMITIVES = Map.of("boolean", boolean.class, "byte", byte.class,
            "char", char.class, "short", short.class, "int", int.class, "long", long.class, "float", float.class,
            "double", double.class);

    /**
     * @return {@code <declaring class>#<name>(<erased parameter types, comma-separated>)}, with class names as
     *         {@link Class#getName()} writes them
     */
    public static String signature(Method method) {
        StringBuilder signature = new StringBuilder(method.getDeclaringClass().getName()).append('#')
                .append(method.getName()).append('(');
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            if (i > 0) {
                signature.append(',');
            }
            signature.append(parameters[i].getName());
        }
        return signature.append(')').toString();
    }
}
