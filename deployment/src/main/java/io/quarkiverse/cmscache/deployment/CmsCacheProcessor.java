package io.quarkiverse.cmscache.deployment;

import static io.quarkus.deployment.annotations.ExecutionTime.STATIC_INIT;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.inject.Singleton;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

import io.quarkiverse.cmscache.CmsCached;
import io.quarkiverse.cmscache.CmsInvalidate;
import io.quarkiverse.cmscache.CmsKey;
import io.quarkiverse.cmscache.runtime.CmsCacheProducer;
import io.quarkiverse.cmscache.runtime.CmsCacheRecorder;
import io.quarkiverse.cmscache.runtime.config.CmsCacheBuildConfig;
import io.quarkiverse.cmscache.runtime.interceptor.CmsCachedInterceptor;
import io.quarkiverse.cmscache.runtime.interceptor.CmsInvalidateInterceptor;
import io.quarkiverse.cmscache.runtime.interceptor.CmsMethodSpec;
import io.quarkiverse.cmscache.runtime.interceptor.CmsMethods;
import io.quarkiverse.cmscache.runtime.invalidation.JtaAfterCommit;
import io.quarkiverse.cmscache.runtime.tags.ComputationContextProvider;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.deployment.ValidationPhaseBuildItem.ValidationErrorBuildItem;
import io.quarkus.arc.processor.BeanInfo;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.redis.deployment.client.RequestedRedisClientBuildItem;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.quarkus.smallrye.context.deployment.spi.ThreadContextProviderBuildItem;

/**
 * Every build-time decision of the CMS cache: which beans and interceptors exist, which Redis client is used, and
 * what the annotated methods of the application are (validated, with their key positions resolved).
 */
class CmsCacheProcessor {

    private static final String FEATURE = "cms-cache";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    AdditionalBeanBuildItem registerBeans() {
        return AdditionalBeanBuildItem.builder()
                .addBeanClasses(CmsCached.class, CmsInvalidate.class, CmsKey.class, CmsCacheProducer.class,
                        CmsCachedInterceptor.class, CmsInvalidateInterceptor.class)
                .setUnremovable()
                .build();
    }

    @BuildStep
    void registerTransactionSupport(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (capabilities.isPresent(Capability.TRANSACTIONS)) {
            beans.produce(AdditionalBeanBuildItem.builder().addBeanClass(JtaAfterCommit.class)
                    .setDefaultScope(DotName.createSimple(Singleton.class)).setUnremovable().build());
        }
    }

    @BuildStep
    ThreadContextProviderBuildItem propagateComputation() {
        return new ThreadContextProviderBuildItem(ComputationContextProvider.class);
    }

    @BuildStep
    void requestRedisClient(CmsCacheBuildConfig config, BuildProducer<RequestedRedisClientBuildItem> clients,
            BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        if (config.l2().clientName().isPresent()) {
            clients.produce(new RequestedRedisClientBuildItem(config.l2().clientName().get()));
        } else {
            clients.produce(new RequestedRedisClientBuildItem(RedisConfig.DEFAULT_CLIENT_NAME));
            // The default client refuses to start without hosts; a cache whose Redis is down keeps serving anyway.
            defaults.produce(new RunTimeConfigurationDefaultBuildItem("quarkus.redis.hosts", "redis://localhost:6379"));
        }
    }

    @BuildStep
    CmsMethodsBuildItem readAnnotatedMethods(CombinedIndexBuildItem index) {
        return AnnotatedMethods.read(index.getIndex());
    }

    @BuildStep
    @Record(STATIC_INIT)
    SyntheticBeanBuildItem registerMethods(CmsCacheRecorder recorder, CmsMethodsBuildItem methods) {
        List<CmsMethodSpec> specs = new ArrayList<>(methods.specs());
        return SyntheticBeanBuildItem.configure(CmsMethods.class)
                .scope(Singleton.class)
                .unremovable()
                .supplier(recorder.methods(specs))
                .done();
    }

    @BuildStep
    void validateAnnotatedMethods(CmsMethodsBuildItem methods, CombinedIndexBuildItem index,
            BeanDiscoveryFinishedBuildItem beans, BuildProducer<ValidationErrorBuildItem> errors) {
        List<Throwable> problems = new ArrayList<>(methods.errors());
        Set<DotName> interceptable = interceptableClasses(beans, index.getIndex());
        for (DotName annotation : List.of(AnnotatedMethods.CMS_CACHED, AnnotatedMethods.CMS_INVALIDATE,
                AnnotatedMethods.CMS_INVALIDATE_LIST)) {
            index.getIndex().getAnnotations(annotation).stream()
                    .filter(a -> a.target().kind() == org.jboss.jandex.AnnotationTarget.Kind.METHOD)
                    .map(a -> a.target().asMethod())
                    .filter(m -> !interceptable.contains(m.declaringClass().name()))
                    .filter(m -> !java.lang.reflect.Modifier.isInterface(m.declaringClass().flags()))
                    .forEach(m -> problems.add(notABean(m)));
        }
        if (!problems.isEmpty()) {
            errors.produce(new ValidationErrorBuildItem(problems.toArray(new Throwable[0])));
        }
    }

    private static Throwable notABean(MethodInfo method) {
        return new DeploymentException("CMS cache: " + AnnotatedMethods.describe(method) + " is in "
                + method.declaringClass().name() + ", which is not a CDI bean, so its annotation has no effect: "
                + "give the class a scope such as @ApplicationScoped");
    }

    /**
     * @return the class beans (as discovered, before unused ones are removed) and their superclasses: the classes
     *         whose methods interceptors can apply to
     */
    private static Set<DotName> interceptableClasses(BeanDiscoveryFinishedBuildItem beans, IndexView index) {
        Set<DotName> classes = new HashSet<>();
        for (BeanInfo bean : beans.beanStream().classBeans()) {
            for (ClassInfo c = bean.getImplClazz(); c != null; c = c.superName() == null ? null
                    : index.getClassByName(c.superName())) {
                classes.add(c.name());
            }
        }
        return classes;
    }
}
