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
import io.micrometer.core.instrument.binder.MeterBinder;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.RecipeReport;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for one {@link Coordinator}: its connection, its health, its sessions and the
 * time it spends without a connection. Bind it to the service's registry:
 *
 * <pre>{@code
 * StateSyncMetrics metrics = new StateSyncMetrics(coordinator, Tags.of("service", "orders"));
 * metrics.bindTo(registry);
 * // ...
 * metrics.close(); // before the coordinator closes: removes the meters and the listener
 * }</pre>
 *
 * <p>Every meter carries the tag {@code namespace} (the coordinator's namespace) and the tags given
 * here. The meters, with what each means and when to alert on it, are catalogued in {@code
 * docs/observability.md}:
 *
 * <ul>
 *   <li>{@value #CONNECTED} (gauge, 1 or 0): connected now;
 *   <li>{@value #HEALTH} (gauge, tag {@code status} = UP, DEGRADED, DOWN): 1 for the coordinator's
 *       current {@link Coordinator#health() health}, 0 for the other two;
 *   <li>{@value #RECIPES} (gauge, tag {@code status} = UP, DEGRADED, DOWN): how many of the
 *       coordinator's {@link Coordinator#recipes() recipes} are in each status;
 *   <li>{@value #EVENTS} (counter, tag {@code kind}): connection events by kind;
 *   <li>{@value #SESSIONS_ESTABLISHED} (counter): sessions established, the first one included;
 *   <li>{@value #SESSIONS_LOST} (counter): sessions lost (expired, or given up as lost);
 *   <li>{@value #DISCONNECTED} (timer): each time without a connection, from the first event that
 *       ended it to the connection being back;
 *   <li>{@value #DISCONNECTED_NOW} (time gauge, seconds): how long the current time without a
 *       connection has lasted, 0 while connected;
 *   <li>{@value #RECONNECT} (timer): from a session lost to a new session established;
 *   <li>{@value #SESSION_TIMEOUT} (time gauge, seconds): the session timeout the server granted;
 *   <li>{@value #DELIVERY} (timer, tag {@code recipe}): how long each change waited between the
 *       recipe queuing it and a listener's call starting (per listener);
 *   <li>{@value #BACKLOG} (gauge, tag {@code recipe}): changes queued and not yet delivered, over the
 *       recipe's listeners;
 *   <li>{@value #LISTENER_ERRORS} (counter, tag {@code recipe}): listener calls that threw;
 *   <li>{@value #RESYNCED} (counter, tag {@code recipe}): RESYNCED changes (the recipe's copy was
 *       rebuilt after a gap);
 *   <li>gauges per recipe (tag {@code recipe}) from the live state in the recipes' reports: {@value
 *       #LEADER}, {@value #EPOCH}, {@value #MEMBERS}, {@value #KEYS}, {@value #POSITION}, {@value
 *       #VERSION}, {@value #QUEUE_DEPTH}, {@value #QUEUE_CLAIMS}, {@value #LOCK_HELD}, {@value
 *       #LOCK_WAITING}, {@value #LOCK_LOST}, {@value #COMMANDS_PENDING}; each recipe has the ones
 *       that apply to it, from the scrape after it was built, until it is closed;
 *   <li>{@value #OPERATION} (timer, tags {@code recipe}, {@code operation}, {@code outcome}): each
 *       blocking call of a recipe (a shared state's or a tree's reads and writes, a lock's acquire, a
 *       log's append, a queue's offer and take, a replicated state's submit), from its start to its
 *       return or throw;
 *   <li>what happens inside the recipes (tag {@code recipe}, from the first time it happens): {@value
 *       #CONFLICTS}, {@value #TURNS}, {@value #UNKNOWN_RESOLVED} (shared state, trees); {@value
 *       #LOCK_HOLD}, {@value #LOCK_TIMEOUTS}, {@value #LOCK_LOSSES} (locks, semaphores); {@value
 *       #LEADER_CHANGES}, {@value #TAKEOVER_DELAY}, {@value #TASK_RUNS}, {@value #TASK_STOP} (leader
 *       election); {@value #SUBSCRIBER_LAG} (event-log subscriptions); {@value #REDELIVERIES},
 *       {@value #DEAD_LETTERS}, {@value #CLAIM_AGE} (work queues); {@value #BATCH}, {@value
 *       #REPLICATED_LEADER_CHANGES} (replicated state).
 * </ul>
 *
 * <p>The {@code recipe} tag is the recipe's type and path, e.g. {@code "SharedState /config"}; a
 * recipe's meters appear with its first delivered change.
 *
 * <p>The gauges read the coordinator when the registry is scraped (no I/O: {@link
 * Coordinator#health()} is computed from memory). The health, recipes and disconnected gauges of one
 * scrape share one reading of the coordinator (taken by the first of them, never reused by the same
 * gauge, and never older than {@value #READING_MAX_AGE_MILLIS} ms on the coordinator's {@link
 * io.statesync.core.Ticker}), so one scrape sees one consistent state. The counters and timers move on the coordinator's
 * connection events. A binder may be bound to several registries.
 */
public final class StateSyncMetrics implements MeterBinder, AutoCloseable {
    /** How long, in milliseconds, at most the gauges of a scrape reuse one reading of the coordinator. */
    public static final long READING_MAX_AGE_MILLIS = 1000;

    private static final Duration READING_MAX_AGE = Duration.ofMillis(READING_MAX_AGE_MILLIS);
    // gauge numbers for reading(): health gauges 0-2, recipe gauges 3-5, the disconnected gauge 6
    private static final int RECIPES_READER = 3;
    private static final int DISCONNECTED_READER = 6;

    /** Gauge: 1 while connected, else 0. */
    public static final String CONNECTED = "statesync.connection.connected";
    /** Gauge per status: 1 for the current health status. */
    public static final String HEALTH = "statesync.health";
    /** Gauge: the coordinator's recipes (built, not closed) in each health status. */
    public static final String RECIPES = "statesync.recipes";
    /** Counter per event kind. */
    public static final String EVENTS = "statesync.connection.events";
    /** Counter: sessions established. */
    public static final String SESSIONS_ESTABLISHED = "statesync.sessions.established";
    /** Counter: sessions lost. */
    public static final String SESSIONS_LOST = "statesync.sessions.lost";
    /** Timer: each time without a connection. */
    public static final String DISCONNECTED = "statesync.connection.disconnected";
    /** Time gauge: the current time without a connection. */
    public static final String DISCONNECTED_NOW = "statesync.connection.disconnected.current";
    /** Timer: from a lost session to the next one. */
    public static final String RECONNECT = "statesync.session.reconnect";
    /** Time gauge: the granted session timeout. */
    public static final String SESSION_TIMEOUT = "statesync.session.timeout";
    /** Timer per recipe: a change's wait before a listener's call starts. */
    public static final String DELIVERY = "statesync.listener.delivery";
    /** Gauge per recipe: changes queued, not yet delivered. */
    public static final String BACKLOG = "statesync.listener.backlog";
    /** Counter per recipe: listener calls that threw. */
    public static final String LISTENER_ERRORS = "statesync.listener.errors";
    /** Gauge per recipe: 1 while this node leads (leader election, replicated state). */
    public static final String LEADER = "statesync.recipe.leader";

    /** Gauge per recipe: the current leadership's epoch (leader election, replicated state). */
    public static final String EPOCH = "statesync.recipe.epoch";

    /** Gauge per recipe: the members of the group this node sees. */
    public static final String MEMBERS = "statesync.recipe.members";

    /** Gauge per recipe: the keys a state tree holds. */
    public static final String KEYS = "statesync.recipe.keys";

    /** Gauge per recipe: the log position reached (subscription, event-sourced state). */
    public static final String POSITION = "statesync.recipe.position";

    /** Gauge per recipe: the version held (shared state, replicated state). */
    public static final String VERSION = "statesync.recipe.version";

    /** Gauge per recipe: items in a work queue, as last counted. */
    public static final String QUEUE_DEPTH = "statesync.recipe.queue.depth";

    /** Gauge per recipe: claims of a work queue this node holds. */
    public static final String QUEUE_CLAIMS = "statesync.recipe.queue.claims";

    /** Gauge per recipe: 1 while this node holds the lock or a lease. */
    public static final String LOCK_HELD = "statesync.recipe.lock.held";

    /** Gauge per recipe: this node's callers waiting for the lock. */
    public static final String LOCK_WAITING = "statesync.recipe.lock.waiting";

    /** Gauge per recipe: lock handles lost and not yet closed. */
    public static final String LOCK_LOST = "statesync.recipe.lock.lost";

    /** Gauge per recipe: commands submitted on this node and not yet applied (replicated state). */
    public static final String COMMANDS_PENDING = "statesync.recipe.commands.pending";

    /** A number of the recipes' reports ({@link Coordinator#recipes()}) shown as a gauge per recipe. */
    private record Detail(String key, String meter, String description) {}

    private static final List<Detail> DETAILS = List.of(
            new Detail(ReportKeys.LEADER, LEADER, "1 while this node leads, else 0"),
            new Detail(ReportKeys.EPOCH, EPOCH, "the current leadership's epoch, its fencing token"),
            new Detail(ReportKeys.MEMBERS, MEMBERS, "members of the group this node sees"),
            new Detail(ReportKeys.KEYS, KEYS, "keys the state tree holds"),
            new Detail(ReportKeys.POSITION, POSITION, "the log position reached"),
            new Detail(ReportKeys.VERSION, VERSION, "the version held"),
            new Detail(ReportKeys.DEPTH, QUEUE_DEPTH, "items in the queue, as last counted"),
            new Detail(ReportKeys.CLAIMS_HELD, QUEUE_CLAIMS, "claims this node holds"),
            new Detail(ReportKeys.HELD, LOCK_HELD, "1 while this node holds the lock or a lease"),
            new Detail(ReportKeys.WAITING, LOCK_WAITING, "callers of this node waiting for the lock"),
            new Detail(ReportKeys.LOST, LOCK_LOST, "lock handles lost and not yet closed"),
            new Detail(ReportKeys.PENDING_COMMANDS, COMMANDS_PENDING, "commands submitted here and not yet applied"));

    /** Counter per recipe: a shared state's update writes that lost the version race; a tree's lost compare-and-sets. */
    public static final String CONFLICTS = "statesync.state.conflicts";

    /** Counter per recipe: turns a shared state's writer took after losing several times in a row. */
    public static final String TURNS = "statesync.state.turns";

    /** Counter per recipe and {@code result}: writes whose reply was lost, by how they were resolved. */
    public static final String UNKNOWN_RESOLVED = "statesync.state.unknown.resolved";

    /** Timer per recipe: how long each lock handle (or lease) was held, until released or lost. */
    public static final String LOCK_HOLD = "statesync.lock.hold";

    /** Counter per recipe: acquires that gave up at their timeout. */
    public static final String LOCK_TIMEOUTS = "statesync.lock.timeouts";

    /** Counter per recipe: lock handles lost. */
    public static final String LOCK_LOSSES = "statesync.lock.losses";

    /** Counter per recipe and {@code change} ({@code elected}, {@code stepped_down}): this node's leadership changes. */
    public static final String LEADER_CHANGES = "statesync.leader.changes";

    /** Timer per recipe: the wait before leading after an unclean handover. */
    public static final String TAKEOVER_DELAY = "statesync.leader.takeover.delay";

    /** Counter per recipe: runs of the leader's task (ticks of a scheduled one). */
    public static final String TASK_RUNS = "statesync.leader.task.runs";

    /** Timer per recipe: how long the leader's task took to return once told to stop. */
    public static final String TASK_STOP = "statesync.leader.task.stop";

    /** Distribution summary per recipe: later events already read when a subscription's listener gets one. */
    public static final String SUBSCRIBER_LAG = "statesync.eventlog.subscriber.lag";

    /** Counter per recipe: queue items claimed again after an earlier delivery. */
    public static final String REDELIVERIES = "statesync.queue.redeliveries";

    /** Counter per recipe and {@code cause}: queue items moved to the dead letters by this node. */
    public static final String DEAD_LETTERS = "statesync.queue.dead.letters";

    /** Timer per recipe: how long each claim was held, until acknowledged, given back or lost. */
    public static final String CLAIM_AGE = "statesync.queue.claim.age";

    /** Distribution summary per recipe: commands per batch a replicated state's leader published. */
    public static final String BATCH = "statesync.replicated.batch";

    /** Counter per recipe: times this node became a replicated state's leader. */
    public static final String REPLICATED_LEADER_CHANGES = "statesync.replicated.leader.changes";

    /** What each inner event of a recipe becomes: a meter name, an extra tag, a description. */
    private record Inner(String name, @Nullable Tag tag, String description) {}

    private static Inner inner(Telemetry.Event event) {
        return switch (event) {
            case CONFLICT -> new Inner(CONFLICTS, null, "writes that lost the version race to another writer");
            case TURN_TAKEN -> new Inner(TURNS, null, "turns taken by a writer after losing several times in a row");
            case UNKNOWN_LANDED ->
                new Inner(UNKNOWN_RESOLVED, Tag.of("result", "landed"), "writes whose reply was lost, by resolution");
            case UNKNOWN_NOT_LANDED ->
                new Inner(
                        UNKNOWN_RESOLVED, Tag.of("result", "not_landed"), "writes whose reply was lost, by resolution");
            case UNKNOWN_UNRESOLVED ->
                new Inner(
                        UNKNOWN_RESOLVED, Tag.of("result", "unresolved"), "writes whose reply was lost, by resolution");
            case LOCK_HOLD -> new Inner(LOCK_HOLD, null, "how long a lock handle was held, until released or lost");
            case LOCK_TIMEOUT -> new Inner(LOCK_TIMEOUTS, null, "acquires that gave up at their timeout");
            case LOCK_LOST ->
                new Inner(LOCK_LOSSES, null, "lock handles lost (session, znode gone, connection policy)");
            case ELECTED -> new Inner(LEADER_CHANGES, Tag.of("change", "elected"), "this node's leadership changes");
            case STEPPED_DOWN ->
                new Inner(LEADER_CHANGES, Tag.of("change", "stepped_down"), "this node's leadership changes");
            case TAKEOVER_DELAY -> new Inner(TAKEOVER_DELAY, null, "the wait before leading after an unclean handover");
            case TASK_RUN -> new Inner(TASK_RUNS, null, "runs of the leader's task (ticks of a scheduled task)");
            case TASK_STOP -> new Inner(TASK_STOP, null, "how long the leader's task took to return once told to stop");
            case SUBSCRIBER_LAG ->
                new Inner(SUBSCRIBER_LAG, null, "later events already read when a listener received an event");
            case REDELIVERY -> new Inner(REDELIVERIES, null, "items claimed again after an earlier delivery");
            case DEAD_LETTER_EXHAUSTED ->
                new Inner(DEAD_LETTERS, Tag.of("cause", "DELIVERIES_EXHAUSTED"), "items moved to the dead letters");
            case DEAD_LETTER_UNDECODABLE ->
                new Inner(DEAD_LETTERS, Tag.of("cause", "UNDECODABLE"), "items moved to the dead letters");
            case CLAIM_AGE ->
                new Inner(CLAIM_AGE, null, "how long a claim was held, until acknowledged, given back or lost");
            case BATCH -> new Inner(BATCH, null, "commands per batch the leader applied and published");
            case REPLICATED_LEADER ->
                new Inner(REPLICATED_LEADER_CHANGES, null, "times this node became the replicated state's leader");
        };
    }

    /** Timer per recipe, operation and outcome: the recipes' blocking calls. */
    public static final String OPERATION = "statesync.operation";

    /** Counter per recipe: RESYNCED changes. */
    public static final String RESYNCED = "statesync.changes.resynced";

    private final Coordinator coordinator;
    private final Tags tags;
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    private final ConnectionListener listener = this::onConnection;
    private final Telemetry.Sink sink = new Telemetry.Sink() {
        @Override
        public boolean followsDeliveries() {
            return true;
        }

        @Override
        public boolean followsEvents() {
            return true;
        }

        @Override
        public void recorded(String owner, Telemetry.Event event, long value) {
            for (Bound b : bound) {
                b.inner(owner, event).accept(value);
            }
        }

        @Override
        public void delivered(String owner, long queuedNanos) {
            for (Bound b : bound) {
                b.recipe(owner).delivery.record(queuedNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void listenerFailed(String owner) {
            for (Bound b : bound) {
                b.recipe(owner).errors.increment();
            }
        }

        @Override
        public void resynced(String owner) {
            for (Bound b : bound) {
                b.recipe(owner).resynced.increment();
            }
        }

        @Override
        public Telemetry.Scope started(String owner, String operation, String path) {
            return (outcome, error, nanos) -> {
                for (Bound b : bound) {
                    b.operation(owner, operation, outcome).record(nanos, TimeUnit.NANOSECONDS);
                }
            };
        }
    };
    private final Object lock = new Object();
    private boolean listening;
    private boolean closed;
    // guarded by lock: the ticker's reading at the first event of the current time without a
    // connection (while off), and at the last session loss not yet followed by a new session (while lost)
    private boolean off;
    private long offSince;
    private boolean lost;
    private long lostAt;
    // guarded by lock: the last reading of health and recipes, shared by the gauges of one scrape
    private @Nullable Reading reading;

    /**
     * Meters for a coordinator, tagged with its namespace.
     *
     * @param coordinator the coordinator; it may be started before or after binding
     * @throws NullPointerException if {@code coordinator} is null
     */
    public StateSyncMetrics(Coordinator coordinator) {
        this(coordinator, Tags.empty());
    }

    /**
     * Meters for a coordinator, tagged with its namespace and the given tags.
     *
     * @param coordinator the coordinator; it may be started before or after binding
     * @param tags tags added to every meter (for example the service's name)
     * @throws NullPointerException if an argument is null
     */
    public StateSyncMetrics(Coordinator coordinator, Iterable<Tag> tags) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("namespace", coordinator.namespace());
    }

    /**
     * Registers the meters with a registry, and starts listening to the coordinator's connection
     * events on the first call.
     *
     * @param registry the registry
     * @throws IllegalStateException if this binder is closed
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("StateSyncMetrics for " + coordinator + " is closed");
            }
            bound.add(new Bound(registry));
            if (!listening) {
                listening = true;
                // counters and timers only: cheap enough for the thread that delivers the event
                coordinator.addListener(listener, Runnable::run);
                coordinator.internalTelemetry().addSink(sink);
            }
        }
    }

    /**
     * Stops listening to the coordinator and removes every meter this binder registered. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        coordinator.removeListener(listener);
        coordinator.internalTelemetry().removeSink(sink);
        for (Bound b : bound) {
            b.remove();
        }
        bound.clear();
    }

    private void onConnection(ConnectionEvent event) {
        long now = coordinator.ticker().read();
        long offFor = 0;
        long reconnect = 0;
        // as Coordinator.health() counts it: a read-only server is not a connection for writes
        boolean connected =
                event.kind() == ConnectionEvent.Kind.CONNECTED || event.kind() == ConnectionEvent.Kind.RECONNECTED;
        synchronized (lock) {
            if (connected) {
                if (off) {
                    offFor = now - offSince;
                    off = false;
                }
                if (event.isNewSession() && lost) {
                    reconnect = now - lostAt;
                    lost = false;
                }
            } else {
                if (!off) {
                    offSince = now;
                    off = true;
                }
                if (event.kind() == ConnectionEvent.Kind.LOST) {
                    lostAt = now;
                    lost = true;
                }
            }
        }
        for (Bound b : bound) {
            b.record(event, offFor, reconnect);
        }
    }

    private double disconnectedSeconds() {
        Object ms = reading(DISCONNECTED_READER).health.details().get("disconnectedMs");
        return ms instanceof Number n ? n.doubleValue() / 1000.0 : 0.0;
    }

    private double healthIs(Health.Status status) {
        return reading(readerOf(status)).health.status() == status ? 1 : 0;
    }

    private double recipesIn(Health.Status status) {
        return reading(RECIPES_READER + readerOf(status)).recipes.getOrDefault(status, 0L);
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
        for (Bound b : bound) {
            b.showDetails(reports);
        }
        return fresh;
    }

    /** The latest reading's number for one detail of one recipe, NaN if it has none. */
    private double detail(String owner, String key) {
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

    private static String owner(RecipeReport report) {
        return report.type() + " " + report.path();
    }

    /** One reading of the coordinator's health and its recipes' statuses. */
    private static final class Reading {
        final long at;
        final Health health;
        final Map<Health.Status, Long> recipes;
        final List<RecipeReport> reports;
        int readers; // guarded by the binder's lock: a bit per gauge that has read this reading

        Reading(long at, Health health, Map<Health.Status, Long> recipes, List<RecipeReport> reports, int readers) {
            this.at = at;
            this.health = health;
            this.recipes = recipes;
            this.reports = reports;
            this.readers = readers;
        }
    }

    private double sessionTimeoutSeconds() {
        return coordinator.negotiatedSessionTimeout().toMillis() / 1000.0;
    }

    private double backlog(String owner) {
        return coordinator.internalTelemetry().backlog(owner);
    }

    /** The meters of one recipe in one registry. */
    private static final class RecipeMeters {
        final Timer delivery;
        final Counter errors;
        final Counter resynced;

        RecipeMeters(Timer delivery, Counter errors, Counter resynced) {
            this.delivery = delivery;
            this.errors = errors;
            this.resynced = resynced;
        }
    }

    /** The meters registered with one registry. */
    private final class Bound {
        private final MeterRegistry registry;
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

        Bound(MeterRegistry registry) {
            this.registry = registry;
            StateSyncMetrics m = StateSyncMetrics.this;
            meters.add(Gauge.builder(CONNECTED, coordinator, c -> c.isConnected() ? 1 : 0)
                    .tags(tags)
                    .description("1 while the coordinator is connected to ZooKeeper, else 0")
                    .register(registry));
            for (Health.Status status : Health.Status.values()) {
                meters.add(Gauge.builder(HEALTH, m, x -> x.healthIs(status))
                        .tags(tags.and("status", status.name()))
                        .description("1 for the coordinator's current health status, 0 for the others")
                        .register(registry));
            }
            for (Health.Status status : Health.Status.values()) {
                meters.add(Gauge.builder(RECIPES, m, x -> x.recipesIn(status))
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
            meters.add(TimeGauge.builder(DISCONNECTED_NOW, m, TimeUnit.SECONDS, StateSyncMetrics::disconnectedSeconds)
                    .tags(tags)
                    .description("how long the current time without a connection has lasted; 0 while connected")
                    .register(registry));
            meters.add(TimeGauge.builder(SESSION_TIMEOUT, m, TimeUnit.SECONDS, StateSyncMetrics::sessionTimeoutSeconds)
                    .tags(tags)
                    .description("the session timeout the server granted")
                    .register(registry));
        }

        /**
         * Shows, for each detail of {@link #DETAILS}, a gauge row per recipe whose report has it;
         * rows of recipes no longer reported go.
         */
        synchronized void showDetails(List<RecipeReport> reports) {
            StateSyncMetrics m = StateSyncMetrics.this;
            for (Detail d : DETAILS) {
                Set<String> owners = new TreeSet<>();
                for (RecipeReport r : reports) {
                    Object v = r.health().details().get(d.key());
                    if (v instanceof Number || v instanceof Boolean) {
                        owners.add(owner(r));
                    }
                }
                // Rows change only when the recipes do: their values read the latest reading.
                if (owners.equals(shown.get(d.meter()))) {
                    continue;
                }
                shown.put(d.meter(), owners);
                List<MultiGauge.Row<?>> rows = new ArrayList<>();
                for (String owner : owners) {
                    rows.add(MultiGauge.Row.of(Tags.of("recipe", owner), m, x -> x.detail(owner, d.key())));
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
                        .tags(tags.and("recipe", owner)
                                .and("operation", operation)
                                .and("outcome", outcome))
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
                Inner i = StateSyncMetrics.inner(event);
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
            StateSyncMetrics m = StateSyncMetrics.this;
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
            Gauge backlog = Gauge.builder(BACKLOG, m, x -> x.backlog(owner))
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
    }
}
