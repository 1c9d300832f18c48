package io.quarkiverse.cmscache.runtime.warming;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * Warms again every {@code quarkus.cms-cache.warming.every}, with the Quarkus scheduler. Registered by the extension
 * when the application has {@code quarkus-scheduler}.
 */
public class WarmingSchedule {

    @Inject
    Scheduler scheduler;

    @Inject
    Warming warming;

    @Inject
    CmsCacheEngine engine;

    void schedule(@Observes StartupEvent event) {
        engine.settings().warming().every().ifPresent(every -> scheduler.newJob("cms-cache-warming")
                .setInterval(every.toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> warming.run("scheduled"))
                .schedule());
    }
}
