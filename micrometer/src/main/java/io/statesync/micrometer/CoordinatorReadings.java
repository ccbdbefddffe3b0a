/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.micrometer;

import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.RecipeReport;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the gauges of {@link StateSyncMetrics} read from the coordinator: its health, its recipes'
 * statuses and report details, its session timeout and its recipes' backlogs. Owns the reading that
 * the gauges of one scrape share.
 */
final class CoordinatorReadings {
    private static final Duration READING_MAX_AGE = Duration.ofMillis(StateSyncMetrics.READING_MAX_AGE_MILLIS);
    // gauge numbers for reading(): health gauges 0-2, recipe gauges 3-5, the disconnected gauge 6
    private static final int RECIPES_READER = 3;
    private static final int DISCONNECTED_READER = 6;

    private final Coordinator coordinator;
    private final Consumer<List<RecipeReport>> onReading;
    private final Object lock = new Object();
    // guarded by lock: the last reading of health and recipes, shared by the gauges of one scrape
    private @Nullable Reading reading;

    /** Reads {@code coordinator}; {@code onReading} is told the recipes' reports of each fresh reading. */
    CoordinatorReadings(Coordinator coordinator, Consumer<List<RecipeReport>> onReading) {
        this.coordinator = coordinator;
        this.onReading = onReading;
    }

    double disconnectedSeconds() {
        Object ms = reading(DISCONNECTED_READER).health.details().get("disconnectedMs");
        return ms instanceof Number n ? n.doubleValue() / 1000.0 : 0.0;
    }

    double healthIs(Health.Status status) {
        return reading(readerOf(status)).health.status() == status ? 1 : 0;
    }

    double recipesIn(Health.Status status) {
        return reading(RECIPES_READER + readerOf(status)).recipes.getOrDefault(status, 0L);
    }

    double sessionTimeoutSeconds() {
        return coordinator.negotiatedSessionTimeout().toMillis() / 1000.0;
    }

    double backlog(String owner) {
        return coordinator.internalTelemetry().backlog(owner);
    }

    private static int readerOf(Health.Status status) {
        return switch (status) {
            case UP -> 0;
            case DEGRADED -> 1;
            case DOWN -> 2;
        };
    }

    /**
     * The coordinator's health and its recipes' statuses, read once for all the gauges of a scrape,
     * so that the gauges of one scrape agree (exactly one health status is 1) and a scrape computes
     * the recipes' reports once, not once per status. A gauge reuses the last reading if it has not
     * read that reading before and the reading is younger than {@link #READING_MAX_AGE} on the
     * coordinator's ticker; a gauge read again (the next scrape, or a test polling it) gets a fresh one.
     *
     * @param reader the gauge's number, below 32
     */
    private Reading reading(int reader) {
        long now = coordinator.ticker().read();
        int bit = 1 << reader;
        synchronized (lock) {
            Reading r = reading;
            if (r != null && (r.readers & bit) == 0 && now - r.at < READING_MAX_AGE.toNanos()) {
                r.readers |= bit;
                return r;
            }
        }
        Health health = coordinator.health();
        List<RecipeReport> reports = coordinator.recipes();
        Map<Health.Status, Long> counts = new EnumMap<>(Health.Status.class);
        reports.forEach(r -> counts.merge(r.health().status(), 1L, Long::sum));
        Reading fresh = new Reading(now, health, counts, reports, bit);
        synchronized (lock) {
            reading = fresh;
        }
        onReading.accept(reports);
        return fresh;
    }

    /** The latest reading's number for one detail of one recipe, NaN if it has none. */
    double detail(String owner, String key) {
        Reading r;
        synchronized (lock) {
            r = reading;
        }
        if (r == null) {
            return Double.NaN;
        }
        for (RecipeReport report : r.reports) {
            if (owner(report).equals(owner)) {
                Object v = report.health().details().get(key);
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
                if (v instanceof Boolean b) {
                    return b ? 1 : 0;
                }
            }
        }
        return Double.NaN;
    }

    static String owner(RecipeReport report) {
        return report.type() + " " + report.path();
    }

    /** One reading of the coordinator's health and its recipes' statuses. */
    private static final class Reading {
        final long at;
        final Health health;
        final Map<Health.Status, Long> recipes;
        final List<RecipeReport> reports;
        int readers; // guarded by the readings' lock: a bit per gauge that has read this reading

        Reading(long at, Health health, Map<Health.Status, Long> recipes, List<RecipeReport> reports, int readers) {
            this.at = at;
            this.health = health;
            this.recipes = recipes;
            this.reports = reports;
            this.readers = readers;
        }
    }
}
