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

import static io.statesync.micrometer.StateSyncMetrics.BACKLOG;
import static io.statesync.micrometer.StateSyncMetrics.CONNECTED;
import static io.statesync.micrometer.StateSyncMetrics.DELIVERY;
import static io.statesync.micrometer.StateSyncMetrics.DISCONNECTED;
import static io.statesync.micrometer.StateSyncMetrics.DISCONNECTED_NOW;
import static io.statesync.micrometer.StateSyncMetrics.EVENTS;
import static io.statesync.micrometer.StateSyncMetrics.HEALTH;
import static io.statesync.micrometer.StateSyncMetrics.LISTENER_ERRORS;
import static io.statesync.micrometer.StateSyncMetrics.OPERATION;
import static io.statesync.micrometer.StateSyncMetrics.RECIPES;
import static io.statesync.micrometer.StateSyncMetrics.RECONNECT;
import static io.statesync.micrometer.StateSyncMetrics.RESYNCED;
import static io.statesync.micrometer.StateSyncMetrics.SESSIONS_ESTABLISHED;
import static io.statesync.micrometer.StateSyncMetrics.SESSIONS_LOST;
import static io.statesync.micrometer.StateSyncMetrics.SESSION_TIMEOUT;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.RecipeReport;
import io.statesync.core.internal.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The meters of one {@link StateSyncMetrics} registered with one registry: the coordinator's
 * connection and health meters from the start, each recipe's delivery, operation and inner-event
 * meters from the first time they are recorded, and the per-recipe gauge rows of the report
 * details. {@link #remove()} takes them all out of the registry again.
 */
final class RegistryMeters {
    private final MeterRegistry registry;
    private final Tags tags;
    private final CoordinatorReadings readings;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<ConnectionEvent.Kind, Counter> events = new EnumMap<>(ConnectionEvent.Kind.class);
    private final Counter established;
    private final Counter lost;
    private final Timer disconnected;
    private final Timer reconnect;
    private final Map<String, RecipeMeters> recipes = new ConcurrentHashMap<>();
    private final Map<String, MultiGauge> details = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> shown = new ConcurrentHashMap<>();
    private final Map<String, Timer> operations = new ConcurrentHashMap<>();
    private final Map<String, LongConsumer> inner = new ConcurrentHashMap<>();

    RegistryMeters(MeterRegistry registry, Coordinator coordinator, Tags tags, CoordinatorReadings readings) {
        this.registry = registry;
        this.tags = tags;
        this.readings = readings;
        meters.add(Gauge.builder(CONNECTED, coordinator, c -> c.isConnected() ? 1 : 0)
                .tags(tags)
                .description("1 while the coordinator is connected to ZooKeeper, else 0")
                .register(registry));
        for (Health.Status status : Health.Status.values()) {
            meters.add(Gauge.builder(HEALTH, readings, x -> x.healthIs(status))
                    .tags(tags.and("status", status.name()))
                    .description("1 for the coordinator's current health status, 0 for the others")
                    .register(registry));
        }
        for (Health.Status status : Health.Status.values()) {
            meters.add(Gauge.builder(RECIPES, readings, x -> x.recipesIn(status))
                    .tags(tags.and("status", status.name()))
                    .description("the coordinator's recipes (built, not closed) in each health status")
                    .register(registry));
        }
        for (ConnectionEvent.Kind kind : ConnectionEvent.Kind.values()) {
            Counter c = Counter.builder(EVENTS)
                    .tags(tags.and("kind", kind.name()))
                    .description("connection events by kind")
                    .register(registry);
            events.put(kind, c);
            meters.add(c);
        }
        established = Counter.builder(SESSIONS_ESTABLISHED)
                .tags(tags)
                .description("ZooKeeper sessions established, the first one included")
                .register(registry);
        lost = Counter.builder(SESSIONS_LOST)
                .tags(tags)
                .description("ZooKeeper sessions lost: expired, or given up as lost")
                .register(registry);
        disconnected = Timer.builder(DISCONNECTED)
                .tags(tags)
                .description("each time without a connection, until the connection is back")
                .register(registry);
        reconnect = Timer.builder(RECONNECT)
                .tags(tags)
                .description("from a session lost to a new session established")
                .register(registry);
        meters.add(established);
        meters.add(lost);
        meters.add(disconnected);
        meters.add(reconnect);
        meters.add(TimeGauge.builder(
                        DISCONNECTED_NOW, readings, TimeUnit.SECONDS, CoordinatorReadings::disconnectedSeconds)
                .tags(tags)
                .description("how long the current time without a connection has lasted; 0 while connected")
                .register(registry));
        meters.add(TimeGauge.builder(
                        SESSION_TIMEOUT, readings, TimeUnit.SECONDS, CoordinatorReadings::sessionTimeoutSeconds)
                .tags(tags)
                .description("the session timeout the server granted")
                .register(registry));
    }

    /**
     * Shows, for each detail of {@link MeterCatalog#DETAILS}, a gauge row per recipe whose report has it;
     * rows of recipes no longer reported go.
     */
    synchronized void showDetails(List<RecipeReport> reports) {
        for (MeterCatalog.Detail d : MeterCatalog.DETAILS) {
            Set<String> owners = new TreeSet<>();
            for (RecipeReport r : reports) {
                Object v = r.health().details().get(d.key());
                if (v instanceof Number || v instanceof Boolean) {
                    owners.add(CoordinatorReadings.owner(r));
                }
            }
            // Rows change only when the recipes do: their values read the latest reading.
            if (owners.equals(shown.get(d.meter()))) {
                continue;
            }
            shown.put(d.meter(), owners);
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (String owner : owners) {
                rows.add(MultiGauge.Row.of(Tags.of("recipe", owner), readings, x -> x.detail(owner, d.key())));
            }
            details.computeIfAbsent(
                            d.meter(),
                            name -> MultiGauge.builder(name)
                                    .tags(tags)
                                    .description(d.description())
                                    .register(registry))
                    .register(rows, true);
        }
    }

    RecipeMeters recipe(String owner) {
        return recipes.computeIfAbsent(owner, this::register);
    }

    Timer operation(String owner, String operation, String outcome) {
        return operations.computeIfAbsent(owner + '\u0000' + operation + '\u0000' + outcome, key -> {
            Timer t = Timer.builder(OPERATION)
                    .tags(tags.and("recipe", owner).and("operation", operation).and("outcome", outcome))
                    .description("a recipe's blocking call, from its start to its return or throw")
                    .register(registry);
            synchronized (meters) {
                meters.add(t);
            }
            return t;
        });
    }

    LongConsumer inner(String owner, Telemetry.Event event) {
        return inner.computeIfAbsent(owner + '\u0000' + event.name(), key -> {
            MeterCatalog.Inner i = MeterCatalog.inner(event);
            Tags t = tags.and("recipe", owner);
            Tag extra = i.tag();
            if (extra != null) {
                t = t.and(extra);
            }
            Meter meter;
            LongConsumer record;
            switch (event.kind()) {
                case COUNT -> {
                    Counter c = Counter.builder(i.name())
                            .tags(t)
                            .description(i.description())
                            .register(registry);
                    meter = c;
                    record = v -> c.increment((double) v);
                }
                case TIME -> {
                    Timer timer = Timer.builder(i.name())
                            .tags(t)
                            .description(i.description())
                            .register(registry);
                    meter = timer;
                    record = v -> timer.record(v, TimeUnit.NANOSECONDS);
                }
                default -> {
                    DistributionSummary d = DistributionSummary.builder(i.name())
                            .tags(t)
                            .description(i.description())
                            .register(registry);
                    meter = d;
                    record = v -> d.record((double) v);
                }
            }
            synchronized (meters) {
                meters.add(meter);
            }
            return record;
        });
    }

    private RecipeMeters register(String owner) {
        Tags t = tags.and("recipe", owner);
        Timer delivery = Timer.builder(DELIVERY)
                .tags(t)
                .description("how long a change waited between being queued and a listener's call starting")
                .register(registry);
        Counter errors = Counter.builder(LISTENER_ERRORS)
                .tags(t)
                .description("listener calls that threw")
                .register(registry);
        Counter resynced = Counter.builder(RESYNCED)
                .tags(t)
                .description("RESYNCED changes: the recipe's copy rebuilt after a gap")
                .register(registry);
        Gauge backlog = Gauge.builder(BACKLOG, readings, x -> x.backlog(owner))
                .tags(t)
                .description("changes queued and not yet delivered, over the recipe's listeners")
                .register(registry);
        synchronized (meters) {
            meters.add(delivery);
            meters.add(errors);
            meters.add(resynced);
            meters.add(backlog);
        }
        return new RecipeMeters(delivery, errors, resynced);
    }

    void record(ConnectionEvent event, long offNanos, long reconnectNanos) {
        Counter c = events.get(event.kind());
        if (c != null) {
            c.increment();
        }
        if (event.isNewSession()) {
            established.increment();
        }
        if (event.kind() == ConnectionEvent.Kind.LOST) {
            lost.increment();
        }
        if (offNanos > 0) {
            disconnected.record(Duration.ofNanos(offNanos));
        }
        if (reconnectNanos > 0) {
            reconnect.record(Duration.ofNanos(reconnectNanos));
        }
    }

    void remove() {
        for (MultiGauge g : details.values()) {
            g.register(List.of(), true);
        }
        synchronized (meters) {
            for (Meter meter : meters) {
                registry.remove(meter);
            }
        }
    }

    /** The meters of one recipe in one registry. */
    static final class RecipeMeters {
        final Timer delivery;
        final Counter errors;
        final Counter resynced;

        RecipeMeters(Timer delivery, Counter errors, Counter resynced) {
            this.delivery = delivery;
            this.errors = errors;
            this.resynced = resynced;
        }
    }
}
