package io.quarkiverse.cmscache.runtime.warming;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.CmsWarmer;
import io.quarkiverse.cmscache.runtime.CmsCacheEngine;
import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.interceptor.CmsMethods;
import io.quarkiverse.cmscache.runtime.region.Contexts;
import io.quarkiverse.cmscache.runtime.region.HotEntries;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.smallrye.mutiny.Uni;

/**
 * Warms the cache: first the most-read entries of the previous runs (replaying the recipes stored with their read
 * counts, through the beans, so that each entry is read from Redis or loaded), then the application's
 * {@link CmsWarmer}s. Tasks run {@code concurrency} at a time on the worker pool, each in a request context, until
 * the time budget is spent; what did not start by then is skipped. Failures are logged and never propagate.
 * <p>
 * Thread-safe; runs may overlap (a scheduled run during a slow start-up run), each with its own budget.
 */
public final class Warming {

    private static final Logger LOG = Logger.getLogger(Warming.class);

    private final CmsCacheEngine engine;
    private final List<CmsWarmer> warmers;
    private final CmsMethods methods;
    private final Executor workers;
    private final EngineSettings.Warming settings;
    private volatile boolean startupDone;
    private volatile Report lastReport;

    /**
     * What a run did.
     *
     * @param hotEntries recipes of most-read entries replayed
     * @param warmers warmers that completed
     * @param failed tasks that threw
     * @param skipped tasks that did not start within the budget, or whose recipe no longer applies
     * @param took how long the run took
     */
    public record Report(int hotEntries, int warmers, int failed, int skipped, Duration took) {
    }

    public Warming(CmsCacheEngine engine, List<CmsWarmer> warmers, CmsMethods methods, Executor workers) {
        this.engine = engine;
        this.warmers = List.copyOf(warmers);
        this.methods = methods;
        this.workers = workers;
        this.settings = engine.settings().warming();
    }

    /**
     * Starts the start-up run in the background.
     */
    public void startUp() {
        if (!settings.enabled() || !engine.enabled()) {
            startupDone = true;
            return;
        }
        workers.execute(() -> {
            try {
                run("start-up");
            } finally {
                startupDone = true;
            }
        });
    }

    /**
     * @return what the last run did, or {@code null} before the first one ends
     */
    public Report lastReport() {
        return lastReport;
    }

    /**
     * @return whether the start-up run is over (or there is none)
     */
    public boolean startupDone() {
        return startupDone;
    }

    /**
     * Runs a warming now, on the calling thread (which may block).
     */
    public Report run(String why) {
        long start = System.nanoTime();
        long deadline = start + settings.budget().toNanos();
        List<Task> tasks = new ArrayList<>();
        for (String recipe : hottestRecipes()) {
            tasks.add(new Task("hot entry", true, () -> replay(recipe)));
        }
        for (CmsWarmer warmer : warmers) {
            tasks.add(new Task("warmer " + warmer.name(), false, () -> {
                warmer.warm();
                return true;
            }));
        }
        if (tasks.isEmpty()) {
            return new Report(0, 0, 0, 0, Duration.ZERO);
        }
        int hot = (int) tasks.stream().filter(Task::hot).count();
        LOG.infof("CMS cache warming (%s): %d of the most-read entries and %d warmers, %d at a time, within %s", why,
                hot, warmers.size(), settings.concurrency(), settings.budget());
        AtomicInteger hotDone = new AtomicInteger();
        AtomicInteger warmersDone = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        Semaphore slots = new Semaphore(settings.concurrency());
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (Task task : tasks) {
            if (!acquire(slots, deadline)) {
                skipped.incrementAndGet();
                continue;
            }
            running.add(CompletableFuture.runAsync(() -> {
                long taskStart = System.nanoTime();
                try {
                    boolean applied = Contexts.inRequestContext(() -> HotEntries.uncounted(task.work()::call));
                    if (!applied) {
                        skipped.incrementAndGet();
                    } else if (task.hot()) {
                        hotDone.incrementAndGet();
                    } else {
                        warmersDone.incrementAndGet();
                        LOG.infof("CMS cache %s done in %d ms", task.name(), millisSince(taskStart));
                    }
                } catch (Exception | Error e) {
                    failed.incrementAndGet();
                    LOG.warnf(e, "CMS cache %s failed after %d ms; warming goes on", task.name(), millisSince(taskStart));
                } finally {
                    slots.release();
                }
            }, workers));
        }
        try {
            CompletableFuture.allOf(running.toArray(new CompletableFuture<?>[0]))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("CMS cache warming (%s) ran out of its %s budget: %d tasks still running, %d skipped", why,
                    settings.budget(), running.stream().filter(f -> !f.isDone()).count(), skipped.get());
        } catch (Exception e) {
            LOG.debugf("CMS cache warming (%s) interrupted: %s", why, e.getMessage());
        }
        Report report = new Report(hotDone.get(), warmersDone.get(), failed.get(), skipped.get(),
                Duration.ofNanos(System.nanoTime() - start));
        LOG.infof("CMS cache warming (%s) done in %d ms: %d most-read entries, %d warmers, %d failed, %d skipped", why,
                report.took().toMillis(), report.hotEntries(), report.warmers(), report.failed(), report.skipped());
        lastReport = report;
        return report;
    }

    private record Task(String name, boolean hot, java.util.concurrent.Callable<Boolean> work) {
    }

    private List<String> hottestRecipes() {
        if (engine.hotEntries() == null || settings.hotEntries() == 0) {
            return List.of();
        }
        try {
            return engine.l2().hottestRecipes(settings.hotEntries()).await().atMost(engine.settings().l2Timeout()
                    .multipliedBy(2));
        } catch (RuntimeException e) {
            LOG.infof("CMS cache could not read the most-read entries from Redis (%s); warming with warmers only",
                    e.getMessage());
            return List.of();
        }
    }

    /**
     * Reads an entry through its bean, as its recipe says.
     *
     * @return {@code false} if the recipe no longer applies (the method or its parameters changed)
     */
    private boolean replay(String recipe) throws Exception {
        ObjectMapper mapper = engine.codec().mapper();
        JsonNode stored = mapper.readTree(recipe);
        Optional<Method> found = methods.method(stored.path("method").asText());
        JsonNode args = stored.path("args");
        if (found.isEmpty() || args.size() != found.get().getParameterCount()) {
            return false;
        }
        Method method = found.get();
        Type[] types = method.getGenericParameterTypes();
        Object[] values = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            values[i] = mapper.convertValue(args.get(i), mapper.getTypeFactory().constructType(types[i]));
        }
        try (InstanceHandle<?> bean = Arc.container().instance(method.getDeclaringClass())) {
            if (!bean.isAvailable()) {
                return false;
            }
            Object result = method.invoke(bean.get(), values);
            if (result instanceof Uni<?> uni) {
                uni.await().atMost(settings.budget());
            }
            return true;
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static boolean acquire(Semaphore slots, long deadline) {
        try {
            return slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
