package io.quarkiverse.cmscache.deployment;

import java.util.Set;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.jandex.DotName;

import io.quarkiverse.cmscache.CmsCachedResponse;
import io.quarkiverse.cmscache.runtime.config.CmsCacheBuildConfig;
import io.quarkiverse.cmscache.runtime.health.CmsCacheHealthCheck;
import io.quarkiverse.cmscache.runtime.http.CachedResponseFilter;
import io.quarkiverse.cmscache.runtime.http.PrivateRequestFilter;
import io.quarkiverse.cmscache.runtime.messaging.ContentChanges;
import io.quarkiverse.cmscache.runtime.qute.CmsCachedSectionFactory;
import io.quarkiverse.cmscache.runtime.warming.WarmingSchedule;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.GeneratedBeanBuildItem;
import io.quarkus.arc.deployment.GeneratedBeanGizmoAdaptor;
import io.quarkus.bootstrap.classloading.QuarkusClassLoader;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.AdditionalIndexedClassesBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.gizmo.ClassCreator;
import io.quarkus.gizmo.FieldCreator;
import io.quarkus.gizmo.MethodCreator;
import io.quarkus.gizmo.MethodDescriptor;
import io.quarkus.gizmo.ResultHandle;
import io.quarkus.resteasy.reactive.spi.ContainerRequestFilterBuildItem;
import io.quarkus.resteasy.reactive.spi.ContainerResponseFilterBuildItem;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;

/**
 * The CMS cache's integrations with other extensions, each active only when the application has that extension:
 * HTTP (private requests bypass the cache), Quarkus REST ({@code @CmsCachedResponse}), Qute ({@code {#cms-cached}}),
 * Reactive Messaging (content-change messages), SmallRye Health (readiness), the scheduler (scheduled warming) and
 * Micrometer (metrics).
 */
class CmsCacheIntegrationsProcessor {

    static final String CONSUMER = "io.quarkiverse.cmscache.runtime.messaging.ContentChangeConsumer";
    private static final String MESSAGE = "org.eclipse.microprofile.reactive.messaging.Message";
    private static final String INCOMING = "org.eclipse.microprofile.reactive.messaging.Incoming";
    private static final String METRICS = "io.quarkiverse.cmscache.runtime.metrics.CmsCacheMetrics";
    private static final String REDIS_HEALTH_CHECK = "io.quarkus.redis.runtime.client.health.RedisHealthCheck";

    @BuildStep
    void bypassPrivateRequests(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (capabilities.isPresent(Capability.VERTX_HTTP)) {
            beans.produce(AdditionalBeanBuildItem.builder().addBeanClass(PrivateRequestFilter.class)
                    .setDefaultScope(DotName.createSimple(Singleton.class)).setUnremovable().build());
        }
    }

    @BuildStep
    void cachedResponses(Capabilities capabilities, BuildProducer<AdditionalIndexedClassesBuildItem> indexed,
            BuildProducer<ContainerRequestFilterBuildItem> requestFilters,
            BuildProducer<ContainerResponseFilterBuildItem> responseFilters) {
        if (!capabilities.isPresent(Capability.REST)) {
            return;
        }
        indexed.produce(new AdditionalIndexedClassesBuildItem(CmsCachedResponse.class.getName()));
        Set<String> binding = Set.of(CmsCachedResponse.class.getName());
        requestFilters.produce(new ContainerRequestFilterBuildItem.Builder(CachedResponseFilter.class.getName())
                .setNameBindingNames(binding).build());
        responseFilters.produce(new ContainerResponseFilterBuildItem.Builder(CachedResponseFilter.class.getName())
                .setNameBindingNames(binding).build());
    }

    /**
     * Registers the cache's readiness check. The application keeps serving while Redis is down, so the Redis client's
     * own readiness check, which would take the instance out of rotation for it, is off by default (it can be turned
     * back on with {@code quarkus.smallrye-health.check."io.quarkus.redis.runtime.client.health.RedisHealthCheck"
     * .enabled=true}).
     */
    @BuildStep
    void health(Capabilities capabilities, BuildProducer<HealthBuildItem> checks,
            BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        if (capabilities.isPresent(Capability.SMALLRYE_HEALTH)) {
            checks.produce(new HealthBuildItem(CmsCacheHealthCheck.class.getName(), true));
            defaults.produce(new RunTimeConfigurationDefaultBuildItem(
                    "quarkus.smallrye-health.check.\"" + REDIS_HEALTH_CHECK + "\".enabled", "false"));
        }
    }

    /**
     * Registers scheduled warming. Its job is scheduled programmatically (its interval is run-time configuration), and
     * the scheduler does not start by itself in an application without {@code @Scheduled} methods: the extension
     * changes the default of {@code quarkus.scheduler.start-mode} to {@code forced}.
     */
    @BuildStep
    void scheduledWarming(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans,
            BuildProducer<RunTimeConfigurationDefaultBuildItem> defaults) {
        if (capabilities.isPresent(Capability.SCHEDULER)) {
            beans.produce(AdditionalBeanBuildItem.builder().addBeanClass(WarmingSchedule.class)
                    .setDefaultScope(DotName.createSimple(Singleton.class)).setUnremovable().build());
            defaults.produce(new RunTimeConfigurationDefaultBuildItem("quarkus.scheduler.start-mode", "forced"));
        }
    }

    /**
     * Registers the Micrometer binder of the cache's metrics. Only with Micrometer (quarkus-micrometer provides the
     * metrics capability): the binder is the only class that refers to it.
     */
    @BuildStep
    void metrics(CmsCacheBuildConfig config, Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (config.metrics().enabled() && capabilities.isPresent(Capability.METRICS)
                && QuarkusClassLoader.isClassPresentAtRuntime("io.micrometer.core.instrument.MeterRegistry")) {
            beans.produce(AdditionalBeanBuildItem.builder().addBeanClass(METRICS)
                    .setDefaultScope(DotName.createSimple(Singleton.class)).setUnremovable().build());
        }
    }

    @BuildStep
    void quteSection(BuildProducer<AdditionalBeanBuildItem> beans) {
        if (QuarkusClassLoader.isClassPresentAtRuntime("io.quarkus.qute.Engine")) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(CmsCachedSectionFactory.class));
        }
    }

    /**
     * Generates the consumer of the content-change channel: its name is configuration, and Reactive Messaging reads
     * channel names from {@code @Incoming} annotations in the class files.
     */
    @BuildStep
    void contentChangeConsumer(CmsCacheBuildConfig config, Capabilities capabilities,
            BuildProducer<AdditionalBeanBuildItem> beans, BuildProducer<GeneratedBeanBuildItem> generated) {
        if (config.contentChanges().channel().isEmpty()) {
            return;
        }
        String channel = config.contentChanges().channel().get();
        if (!capabilities.isPresent(Capability.MESSAGING)) {
            throw new ConfigurationException("quarkus.cms-cache.content-changes.channel is set to '" + channel
                    + "', but the application has no Reactive Messaging: add quarkus-messaging with a connector, such as"
                    + " quarkus-messaging-rabbitmq", Set.of("quarkus.cms-cache.content-changes.channel"));
        }
        beans.produce(AdditionalBeanBuildItem.builder().addBeanClass(ContentChanges.class)
                .setDefaultScope(DotName.createSimple(Singleton.class)).setUnremovable().build());
        try (ClassCreator consumer = ClassCreator.builder().classOutput(new GeneratedBeanGizmoAdaptor(generated))
                .className(CONSUMER).build()) {
            consumer.addAnnotation(ApplicationScoped.class);
            FieldCreator changes = consumer.getFieldCreator("changes", ContentChanges.class).setModifiers(0);
            changes.addAnnotation(Inject.class);
            MethodCreator consume = consumer.getMethodCreator("consume", CompletionStage.class.getName(), MESSAGE);
            consume.addAnnotation(INCOMING).addValue("value", channel);
            ResultHandle target = consume.readInstanceField(changes.getFieldDescriptor(), consume.getThis());
            consume.returnValue(consume.invokeVirtualMethod(
                    MethodDescriptor.ofMethod(ContentChanges.class.getName(), "accept", CompletionStage.class.getName(),
                            MESSAGE),
                    target, consume.getMethodParam(0)));
        }
    }
}
