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

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.Coordinator;
import io.statesync.core.internal.Telemetry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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

    /** Timer per recipe, operation and outcome: the recipes' blocking calls. */
    public static final String OPERATION = "statesync.operation";

    /** Counter per recipe: RESYNCED changes. */
    public static final String RESYNCED = "statesync.changes.resynced";

    private final Coordinator coordinator;
    private final Tags tags;
    private final CoordinatorReadings readings;
    private final List<RegistryMeters> bound = new CopyOnWriteArrayList<>();
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
            for (RegistryMeters b : bound) {
                b.inner(owner, event).accept(value);
            }
        }

        @Override
        public void delivered(String owner, long queuedNanos) {
            for (RegistryMeters b : bound) {
                b.recipe(owner).delivery.record(queuedNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void listenerFailed(String owner) {
            for (RegistryMeters b : bound) {
                b.recipe(owner).errors.increment();
            }
        }

        @Override
        public void resynced(String owner) {
            for (RegistryMeters b : bound) {
                b.recipe(owner).resynced.increment();
            }
        }

        @Override
        public Telemetry.Scope started(String owner, String operation, String path) {
            return (outcome, error, nanos) -> {
                for (RegistryMeters b : bound) {
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
        this.readings = new CoordinatorReadings(coordinator, reports -> {
            for (RegistryMeters b : bound) {
                b.showDetails(reports);
            }
        });
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
            bound.add(new RegistryMeters(registry, coordinator, this.tags, readings));
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
        for (RegistryMeters b : bound) {
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
        for (RegistryMeters b : bound) {
            b.record(event, offFor, reconnect);
        }
    }
}
