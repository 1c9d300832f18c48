package io.quarkiverse.cmscache.deployment;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.inject.spi.DeploymentException;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.Type;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.interceptor.CmsCachedInterceptor;
import io.quarkiverse.cmscache.runtime.interceptor.CmsInvalidateInterceptor;
import io.quarkiverse.cmscache.runtime.interceptor.CmsMethodSpec;

/**
 * Reads the {@code @CmsCached} and {@code @CmsInvalidate} methods of the index: resolves each method's key parameter
 * positions and run-time signature, and reports every misuse as an error naming the method.
 */
final class AnnotatedMethods {

    static final DotName CMS_CACHED = DotName.createSimple(CmsCached.class);
    static final DotName CMS_INVALIDATE = DotName.createSimple(CmsInvalidate.class);
    static final DotName CMS_INVALIDATE_LIST = DotName.createSimple(CmsInvalidate.List.class);
    static final DotName CMS_KEY = DotName.createSimple(CmsKey.class);
    private static final DotName UNI = DotName.createSimple("io.smallrye.mutiny.Uni");
    private static final DotName OBJECT = DotName.createSimple(Object.class);
    /** {@code ACC_BRIDGE}: a method the compiler generated to forward to the annotated one. */
    private static final int BRIDGE = 0x0040;
    private static final Set<DotName> UNSUPPORTED_RETURN_TYPES = Set.of(
            DotName.createSimple("io.smallrye.mutiny.Multi"),
            DotName.createSimple("java.util.concurrent.CompletionStage"),
            DotName.createSimple("java.util.concurrent.CompletableFuture"),
            DotName.createSimple("java.util.concurrent.Future"),
            DotName.createSimple("java.util.concurrent.Flow$Publisher"),
            DotName.createSimple("org.reactivestreams.Publisher"));
    private static final Set<DotName> INTERCEPTORS = Set.of(DotName.createSimple(CmsCachedInterceptor.class),
            DotName.createSimple(CmsInvalidateInterceptor.class));

    private final IndexView index;
    private final List<CmsMethodSpec> specs = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final Map<String, List<MethodInfo>> cachedByRegion = new LinkedHashMap<>();

    private AnnotatedMethods(IndexView index) {
        this.index = index;
    }

    static CmsMethodsBuildItem read(IndexView index) {
        AnnotatedMethods methods = new AnnotatedMethods(index);
        methods.readCached();
        methods.checkOneMethodPerRegion();
        methods.readInvalidating();
        return new CmsMethodsBuildItem(List.copyOf(methods.specs), List.copyOf(methods.errors));
    }

    /**
     * @return how error messages name a method: {@code com.acme.Blocks#html(java.lang.String)}
     */
    static String describe(MethodInfo method) {
        return method.declaringClass().name() + "#" + method.name() + "("
                + method.parameterTypes().stream().map(Type::toString).collect(Collectors.joining(", ")) + ")";
    }

    private void readCached() {
        for (AnnotationInstance cached : index.getAnnotations(CMS_CACHED)) {
            MethodInfo method = method(cached, "@CmsCached");
            if (method == null) {
                continue;
            }
            int before = errors.size();
            checkInterceptable(method, "@CmsCached");
            if (method.hasAnnotation(CMS_INVALIDATE) || method.hasAnnotation(CMS_INVALIDATE_LIST)) {
                error(method, "has both @CmsCached and @CmsInvalidate; a method either reads an entry or invalidates "
                        + "one: split it in two");
            }
            Type returned = method.returnType();
            boolean async = returned.name().equals(UNI);
            if (returned.kind() == Type.Kind.VOID) {
                error(method, "is @CmsCached but returns void: there is nothing to cache");
            } else if (UNSUPPORTED_RETURN_TYPES.contains(returned.name())) {
                error(method, "is @CmsCached but returns " + returned.name()
                        + ", which is not supported: return a plain value or Uni<T>");
            } else if (async && (returned.kind() != Type.Kind.PARAMETERIZED_TYPE
                    || returned.asParameterizedType().arguments().get(0).name().equals(DotName.createSimple(Void.class)))) {
                error(method, "is @CmsCached but returns " + returned + ": there is no item to cache; return Uni<T>");
            }
            String region = region(method, cached);
            addOwner(region, method);
            int[] positions = keyPositions(method, null);
            if (errors.size() == before) {
                specs.add(new CmsMethodSpec(signature(method), false, new String[] { region },
                        new String[] { join(positions) }, async));
            }
        }
    }

    /**
     * Records a method caching into a region, unless it is a compiler bridge or an override of a method already
     * recorded: those run the same computation.
     */
    private void addOwner(String region, MethodInfo method) {
        if ((method.flags() & BRIDGE) != 0) {
            return;
        }
        List<MethodInfo> owners = cachedByRegion.computeIfAbsent(region, r -> new ArrayList<>());
        if (owners.stream().noneMatch(owner -> sameComputation(owner, method))) {
            owners.add(method);
        }
    }

    private boolean sameComputation(MethodInfo a, MethodInfo b) {
        return a.name().equals(b.name()) && parametersOf(a).equals(parametersOf(b))
                && (isSubclass(a.declaringClass(), b.declaringClass().name())
                        || isSubclass(b.declaringClass(), a.declaringClass().name()));
    }

    private static String parametersOf(MethodInfo method) {
        String signature = signature(method);
        return signature.substring(signature.indexOf('('));
    }

    private boolean isSubclass(ClassInfo clazz, DotName ancestor) {
        for (ClassInfo c = clazz; c != null; c = superclass(c)) {
            if (c.name().equals(ancestor)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Identity: an entry key names one computation and one value type, so a region belongs to at most one method.
     * Two methods in one region would answer for each other: {@code html("header")} and {@code title("header")} are
     * both {@code block:header}.
     */
    private void checkOneMethodPerRegion() {
        cachedByRegion.forEach((region, owners) -> {
            if (owners.size() > 1) {
                errors.add(new DeploymentException("CMS cache: the region '" + region + "' is cached by more than "
                        + "one @CmsCached method: " + owners.stream().map(AnnotatedMethods::describe)
                                .collect(Collectors.joining(", "))
                        + ". An entry key names one computation; with the same keys, each method would return the "
                        + "other's values. Give each method its own region, and put one @CmsInvalidate per region "
                        + "(it is repeatable) on the methods that edit them, so that an edit still evicts them all"
                        + example(region, owners)));
            }
        });
    }

    /**
     * @return an example with regions named after the methods, when those are valid and distinct region names
     */
    private static String example(String region, List<MethodInfo> owners) {
        List<String> regions = owners.stream().map(m -> region + "-" + m.name()).distinct().toList();
        if (regions.size() < owners.size() || !regions.stream().allMatch(EntryKeys::isValidRegion)) {
            return "";
        }
        return ": for example " + regions.stream().map(r -> "@CmsCached(region = \"" + r + "\")")
                .collect(Collectors.joining(" and ")) + ", with "
                + regions.stream().map(r -> "@CmsInvalidate(region = \"" + r + "\")").collect(Collectors.joining(" "));
    }

    private void readInvalidating() {
        Map<MethodInfo, List<AnnotationInstance>> byMethod = new LinkedHashMap<>();
        for (AnnotationInstance invalidate : index.getAnnotations(CMS_INVALIDATE)) {
            MethodInfo method = method(invalidate, "@CmsInvalidate");
            if (method != null) {
                byMethod.computeIfAbsent(method, m -> new ArrayList<>()).add(invalidate);
            }
        }
        for (AnnotationInstance list : index.getAnnotations(CMS_INVALIDATE_LIST)) {
            MethodInfo method = method(list, "@CmsInvalidate");
            if (method != null) {
                for (AnnotationInstance invalidate : list.value().asNestedArray()) {
                    byMethod.computeIfAbsent(method, m -> new ArrayList<>()).add(invalidate);
                }
            }
        }
        for (Map.Entry<MethodInfo, List<AnnotationInstance>> entry : byMethod.entrySet()) {
            MethodInfo method = entry.getKey();
            int before = errors.size();
            checkInterceptable(method, "@CmsInvalidate");
            List<String> regions = new ArrayList<>();
            List<String> positions = new ArrayList<>();
            for (AnnotationInstance invalidate : entry.getValue()) {
                regions.add(region(method, invalidate));
                AnnotationValue keys = invalidate.value("keys");
                positions.add(join(keyPositions(method, keys == null ? null : keys.asStringArray())));
            }
            if (errors.size() == before) {
                specs.add(new CmsMethodSpec(signature(method), true, regions.toArray(new String[0]),
                        positions.toArray(new String[0]), method.returnType().name().equals(UNI)));
            }
        }
    }

    private MethodInfo method(AnnotationInstance annotation, String name) {
        AnnotationTarget target = annotation.target();
        if (target.kind() == AnnotationTarget.Kind.METHOD) {
            return target.asMethod();
        }
        if (target.kind() == AnnotationTarget.Kind.CLASS && !INTERCEPTORS.contains(target.asClass().name())) {
            errors.add(new DeploymentException(name + " is not supported on a class (" + target.asClass().name()
                    + "): annotate the methods whose results are cached or that invalidate"));
        }
        return null;
    }

    private void checkInterceptable(MethodInfo method, String annotation) {
        if (Modifier.isPrivate(method.flags())) {
            error(method, "is private, so " + annotation + " cannot intercept it: make it at least package-private");
        }
        if (Modifier.isStatic(method.flags())) {
            error(method, "is static, so " + annotation + " cannot intercept it: use an instance method of a bean");
        }
        if (Modifier.isInterface(method.declaringClass().flags())) {
            error(method, "is declared by an interface, where " + annotation
                    + " has no effect: annotate the method of the bean class");
        }
    }

    private String region(MethodInfo method, AnnotationInstance annotation) {
        String region = annotation.value("region").asString();
        if (!EntryKeys.isValidRegion(region)) {
            error(method, "names the region '" + region + "', which is not a valid region name: use 1 to 64 ASCII "
                    + "letters, digits, '.', '_' or '-', starting with a letter or a digit");
        }
        return region;
    }

    /**
     * @param names the parameter names of {@code @CmsInvalidate(keys)}, or {@code null}
     */
    private int[] keyPositions(MethodInfo method, String[] names) {
        List<Integer> positions = new ArrayList<>();
        if (names != null && names.length > 0) {
            List<String> parameterNames = new ArrayList<>();
            for (int i = 0; i < method.parametersCount(); i++) {
                parameterNames.add(method.parameterName(i));
            }
            for (String name : names) {
                int position = parameterNames.indexOf(name);
                if (parameterNames.contains(null)) {
                    error(method, "names key parameters in @CmsInvalidate(keys), but its parameter names are not "
                            + "in the class file: compile with -parameters (maven-compiler-plugin <parameters>true)");
                    return new int[0];
                }
                if (position < 0) {
                    error(method, "names the key parameter '" + name + "' in @CmsInvalidate(keys), but has no such "
                            + "parameter; its parameters are " + parameterNames);
                    continue;
                }
                positions.add(position);
            }
        } else {
            for (AnnotationInstance key : method.annotations(CMS_KEY)) {
                if (key.target().kind() == AnnotationTarget.Kind.METHOD_PARAMETER) {
                    positions.add((int) key.target().asMethodParameter().position());
                }
            }
            positions.sort(Integer::compare);
            if (positions.isEmpty()) {
                for (int i = 0; i < method.parametersCount(); i++) {
                    positions.add(i);
                }
            }
        }
        for (int position : positions) {
            checkKeyType(method, position);
        }
        return positions.stream().mapToInt(Integer::intValue).toArray();
    }

    private void checkKeyType(MethodInfo method, int position) {
        Type type = method.parameterType(position);
        String parameter = "key parameter " + position + " (" + type + ")";
        if (type.kind() == Type.Kind.ARRAY) {
            error(method, "has the array " + parameter + ", whose text differs on every call: use a List");
            return;
        }
        if (type.kind() != Type.Kind.CLASS && type.kind() != Type.Kind.PARAMETERIZED_TYPE) {
            return;
        }
        ClassInfo clazz = index.getClassByName(type.name());
        if (clazz == null || clazz.isInterface() || clazz.isEnum() || type.name().equals(OBJECT)) {
            return;
        }
        for (ClassInfo c = clazz; c != null && !c.name().equals(OBJECT); c = superclass(c)) {
            MethodInfo toString = c.method("toString");
            if (toString != null && !Modifier.isAbstract(toString.flags())) {
                return;
            }
        }
        error(method, "has the " + parameter + ", whose class does not override toString(), so its key would "
                + "differ on every call: override toString() with the identifying fields, or pass them instead");
    }

    private ClassInfo superclass(ClassInfo clazz) {
        return clazz.superName() == null ? null : index.getClassByName(clazz.superName());
    }

    private void error(MethodInfo method, String problem) {
        errors.add(new DeploymentException("CMS cache: " + describe(method) + " " + problem));
    }

    private static String join(int[] positions) {
        StringBuilder text = new StringBuilder();
        for (int position : positions) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(position);
        }
        return text.toString();
    }

    /**
     * @return the signature {@link io.quarkiverse.cmscache.runtime.interceptor.CmsMethods#signature} computes at run
     *         time for the same method
     */
    static String signature(MethodInfo method) {
        StringBuilder signature = new StringBuilder(method.declaringClass().name().toString()).append('#')
                .append(method.name()).append('(');
        List<Type> parameters = method.parameterTypes();
        for (int i = 0; i < parameters.size(); i++) {
            if (i > 0) {
                signature.append(',');
            }
            signature.append(runtimeName(parameters.get(i), method));
        }
        return signature.append(')').toString();
    }

    /**
     * @return the name {@link Class#getName()} gives the erasure of the type
     */
    private static String runtimeName(Type type, MethodInfo method) {
        switch (type.kind()) {
            case ARRAY: {
                StringBuilder name = new StringBuilder();
                Type component = type;
                while (component.kind() == Type.Kind.ARRAY) {
                    name.append('[');
                    component = component.asArrayType().componentType();
                }
                if (component.kind() == Type.Kind.PRIMITIVE) {
                    return name.append(descriptor(component.asPrimitiveType().primitive())).toString();
                }
                return name.append('L').append(runtimeName(component, method)).append(';').toString();
            }
            case TYPE_VARIABLE: {
                List<Type> bounds = type.asTypeVariable().bounds();
                return bounds.isEmpty() ? OBJECT.toString() : runtimeName(bounds.get(0), method);
            }
            case UNRESOLVED_TYPE_VARIABLE:
            case TYPE_VARIABLE_REFERENCE:
            case WILDCARD_TYPE:
                return OBJECT.toString();
            default:
                return type.name().toString();
        }
    }

    private static char descriptor(org.jboss.jandex.PrimitiveType.Primitive primitive) {
        switch (primitive) {
            case BOOLEAN:
                return 'Z';
            case BYTE:
                return 'B';
            case CHAR:
                return 'C';
            case SHORT:
                return 'S';
            case INT:
                return 'I';
            case LONG:
                return 'J';
            case FLOAT:
                return 'F';
            default:
                return 'D';
        }
    }
}
