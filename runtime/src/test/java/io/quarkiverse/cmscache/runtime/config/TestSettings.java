package io.quarkiverse.cmscache.runtime.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Settings for unit tests that build the engine's parts by hand: the configuration defaults, without Redis.
 */
public final class TestSettings {

    private TestSettings() {
    }

    public static RegionSettings region(String name) {
        return new RegionSettings(name, 100, 0, Duration.ofMinutes(5), 0, false, Duration.ofHours(1), true, 1 << 20,
                0.2, Duration.ZERO, Duration.ZERO, 0, true, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public static EngineSettings engine(RegionSettings... regions) {
        Map<String, RegionSettings> byName = new java.util.HashMap<>();
        for (RegionSettings region : regions) {
            byName.put(region.name(), region);
        }
        return new EngineSettings(true, "cms", "1", 1, false, Duration.ofMillis(500),
                new EngineSettings.Breaker(10, 0.5, Duration.ofSeconds(2)),
                new EngineSettings.Commands(4, 1000, Duration.ofMillis(100), true),
                Duration.ofSeconds(1), 100, 0,
                new EngineSettings.Warming(false, 0, Duration.ofHours(24), 1, Duration.ofSeconds(10), false,
                        Optional.empty(), 16),
                region("<defaults>"), Map.copyOf(byName));
    }
}
