package io.quarkiverse.cmscache.runtime.region;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.quarkiverse.cmscache.runtime.config.EngineSettings;
import io.quarkiverse.cmscache.runtime.entry.EntryKeys;
import io.quarkiverse.cmscache.runtime.invalidation.AfterCommit;
import io.quarkiverse.cmscache.runtime.invalidation.TagVersions;
import io.quarkiverse.cmscache.runtime.l1.TagIndex;
import io.quarkiverse.cmscache.runtime.l2.EntryCodec;
import io.quarkiverse.cmscache.runtime.l2.RedisL2;

/**
 * The regions of one engine, created on first use with their resolved settings. Thread-safe.
 */
public final class Regions {

    private final EngineSettings settings;
    private final TagIndex index;
    private final TagVersions versions;
    private final RedisL2 l2;
    private final EntryCodec codec;
    private final AfterCommit afterCommit;
    private final Refresher refresher;
    private final HotEntries hot;
    private final String owner;
    private final ConcurrentHashMap<String, Region> regions = new ConcurrentHashMap<>();
    private final List<Consumer<Region>> observers = new CopyOnWriteArrayList<>();

    /**
     * @param settings the engine's settings
     * @param index the tag index of the engine's L1
     * @param versions what the engine knows of invalidations
     * @param l2 Redis, or {@code null}
     * @param codec the JSON codec
     * @param afterCommit transaction support
     * @param refresher runs background refreshes
     * @param hot counts reads for warming, or {@code null}
     * @param owner the instance id, for leases
     */
    public Regions(EngineSettings settings, TagIndex index, TagVersions versions, RedisL2 l2, EntryCodec codec,
            AfterCommit afterCommit, Refresher refresher, HotEntries hot, String owner) {
        this.settings = settings;
        this.index = index;
        this.versions = versions;
        this.l2 = l2;
        this.codec = codec;
        this.afterCommit = afterCommit;
        this.refresher = refresher;
        this.hot = hot;
        this.owner = owner;
        for (String name : settings.regions().keySet()) {
            get(name);
        }
    }

    /**
     * @return the region, created with its settings if this is its first use
     * @throws IllegalArgumentException if the name is not a valid region name
     */
    public Region get(String name) {
        Region region = regions.get(name);
        if (region != null) {
            return region;
        }
        EntryKeys.checkRegion(name);
        return regions.computeIfAbsent(name, n -> {
            var regionSettings = settings.region(n);
            RedisL2 regionL2 = regionSettings.l2Enabled() ? l2 : null;
            Region created = new Region(regionSettings, index, versions, regionL2, codec, afterCommit, refresher, hot,
                    owner);
            observers.forEach(observer -> observer.accept(created));
            return created;
        });
    }

    /**
     * Hands every region, existing or created later, to {@code observer} (the metrics). A region created while this
     * runs may be handed over twice.
     */
    public void observe(Consumer<Region> observer) {
        observers.add(observer);
        regions.values().forEach(observer);
    }

    /**
     * @return the region, or {@code null} if it was never used
     */
    public Region find(String name) {
        return regions.get(name);
    }

    public Collection<Region> all() {
        return regions.values();
    }
}
