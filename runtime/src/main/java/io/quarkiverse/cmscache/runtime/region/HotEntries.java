package io.quarkiverse.cmscache.runtime.region;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkiverse.cmscache.runtime.l2.RedisL2;
import io.smallrye.mutiny.Uni;

/**
 * Counts reads of entries that can be loaded again in a later run (those of {@code @CmsCached} methods whose
 * arguments are JSON), so that start-up warming can load the most-read ones. One read in {@code sampling} is counted,
 * in memory, and the counts are added to Redis by {@link #flush()}, where they fade with the configured half-life.
 * <p>
 * Thread-safe; counting costs a random number on most reads.
 */
public final class HotEntries {

    private static final Logger LOG = Logger.getLogger(HotEntries.class);

    private final RedisL2 l2;
    private final ObjectMapper mapper;
    private final int sampling;
    private final int keep;
    private final Duration halfLife;
    private volatile ConcurrentHashMap<String, Counted> pending = new ConcurrentHashMap<>();
    private static final ThreadLocal<Boolean> UNCOUNTED = new ThreadLocal<>();

    private static final class Counted {
        final String recipe;
        long reads;

        Counted(String recipe) {
            this.recipe = recipe;
        }
    }

    /**
     * @param l2 where counts are kept
     * @param mapper writes recipes as JSON
     * @param sampling one read in this many is counted
     * @param keep how many entries Redis keeps counts for
     * @param halfLife how fast counts fade
     */
    public HotEntries(RedisL2 l2, ObjectMapper mapper, int sampling, int keep, Duration halfLife) {
        this.l2 = l2;
        this.mapper = mapper;
        this.sampling = sampling;
        this.keep = keep;
        this.halfLife = halfLife;
    }

    /**
     * Counts a read, one time in {@code sampling}.
     */
    void read(String key, Reloadable loader) {
        if (UNCOUNTED.get() != null) {
            return;
        }
        if (sampling > 1 && ThreadLocalRandom.current().nextInt(sampling) != 0) {
            return;
        }
        ConcurrentHashMap<String, Counted> counts = pending;
        Counted counted = counts.get(key);
        if (counted == null) {
            String recipe = recipeOf(loader);
            if (recipe == null) {
                return;
            }
            counted = counts.computeIfAbsent(key, k -> new Counted(recipe));
        }
        synchronized (counted) {
            counted.reads += sampling;
        }
    }

    private String recipeOf(Reloadable loader) {
        Recipe recipe = loader.recipe();
        Recipe.Stored stored = recipe == null ? null : recipe.stored();
        if (stored == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(stored);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Runs reads that must not count as reads, such as warming's: otherwise what is warmed would stay hot forever.
     */
    public static <T> T uncounted(java.util.concurrent.Callable<T> reads) throws Exception {
        UNCOUNTED.set(Boolean.TRUE);
        try {
            return reads.call();
        } finally {
            UNCOUNTED.remove();
        }
    }

    /**
     * Adds the counts gathered since the last flush to Redis. Counts that cannot be sent are dropped: they only
     * serve to choose what to warm.
     */
    public Uni<Void> flush() {
        ConcurrentHashMap<String, Counted> counts = pending;
        if (counts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        pending = new ConcurrentHashMap<>();
        Map<String, Long> reads = new HashMap<>();
        Map<String, String> recipes = new HashMap<>();
        counts.forEach((key, counted) -> {
            synchronized (counted) {
                reads.put(key, counted.reads);
            }
            recipes.put(key, counted.recipe);
        });
        return l2.addReads(reads, recipes, keep, halfLife).onFailure().invoke(
                failure -> LOG.debugf("CMS cache could not record read counts: %s", failure.getMessage()))
                .onFailure().recoverWithNull();
    }
}
