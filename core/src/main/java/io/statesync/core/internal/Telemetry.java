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
package io.statesync.core.internal;

import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Ticker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What one coordinator's recipes report for metrics and traces: from the listener-delivery engine,
 * how long each change waited in a listener's queue, listeners that threw, RESYNCED changes, and the
 * changes queued and not yet delivered; from the recipes, each blocking call ({@link #start
 * operation}) with its outcome and duration. One per {@code Coordinator} ({@code
 * coordinator.internalTelemetry()}); not API.
 *
 * <p>Costs nothing while no {@link Sink} is added: the engine then reads no clock, and an operation
 * is one shared object that does nothing. With a sink that follows deliveries, the engine reads the
 * ticker twice per change and listener; with a sink that follows calls, an operation reads it twice
 * per call; with a sink that follows inner events, a timed event reads it twice. Each recipe reports
 * through its {@link Probe}, made once when it is built.
 *
 * <p>Its parts: {@link TelemetrySinks} holds the sinks and hands each report to those that follow
 * it; {@link OperationTiming} follows a call to its outcome; {@link ProbeSilencing} decides which
 * probes are silent; {@link Backlogs} sums the queues of the open listener sets.
 */
public final class Telemetry {
    /**
     * Receives the engine's and the recipes' reports; called on the thread that delivers or works,
     * so it must be cheap. A sink says what it follows: the engine reads its ticker for deliveries
     * only while a sink follows deliveries, and a recipe reports its inner events only while a sink
     * follows them.
     */
    public interface Sink {
        /**
         * Whether this sink wants {@link #delivered}, {@link #listenerFailed} and {@link #resynced}:
         * while no sink does, the engine reads no clock per change.
         *
         * @return {@code true} to be told of deliveries; {@code false} by default
         */
        default boolean followsDeliveries() {
            return false;
        }

        /**
         * Whether this sink wants {@link #recorded}: while no sink does, a recipe's inner events
         * (conflicts, hold times, redeliveries...) cost one volatile read each.
         *
         * @return {@code true} to be told of inner events; {@code false} by default
         */
        default boolean followsEvents() {
            return false;
        }

        /**
         * A change was handed to a listener (only if {@link #followsDeliveries()}).
         *
         * @param owner the recipe, e.g. {@code "SharedState /config"}
         * @param queuedNanos how long the change waited between being queued and the call starting
         */
        default void delivered(String owner, long queuedNanos) {}

        /**
         * A listener threw (it stays registered); only if {@link #followsDeliveries()}.
         *
         * @param owner the recipe
         */
        default void listenerFailed(String owner) {}

        /**
         * A recipe queued a RESYNCED change (once per change, not per listener); only if {@link
         * #followsDeliveries()}.
         *
         * @param owner the recipe
         */
        default void resynced(String owner) {}

        /**
         * Something happened inside a recipe (only if {@link #followsEvents()}).
         *
         * @param owner the recipe, e.g. {@code "DistributedLock /jobs"}
         * @param event what happened
         * @param value 1 for a {@link Event.Kind#COUNT}, nanoseconds for a {@link Event.Kind#TIME},
         *     the amount for an {@link Event.Kind#AMOUNT}
         */
        default void recorded(String owner, Event event, long value) {}

        /**
         * A recipe's call started. Called on the caller's thread, before the call does anything;
         * the returned scope is told how it ended, on the thread that ends it (the caller's, or the
         * one that completes the call's future).
         *
         * @param owner the recipe, e.g. {@code "SharedState /config"}
         * @param operation the call, e.g. {@code "update"}, {@code "acquire"}, {@code "append"}
         * @param path the recipe's path
         * @return a scope to tell the outcome, or {@code null} if this sink does not follow calls
         */
        default @Nullable Scope started(String owner, String operation, String path) {
            return null;
        }
    }

    /**
     * What a recipe reports from inside its work, beside its calls: each a counter, a timer or an
     * amount. The meters they become are named by the sink (the Micrometer module catalogues them).
     */
    public enum Event {
        /** A shared state's update lost the version race and is retried; a tree's compare-and-set lost. */
        CONFLICT(Kind.COUNT),
        /** A shared state's writer took a turn after losing several times in a row. */
        TURN_TAKEN(Kind.COUNT),
        /** A write whose reply was lost turned out to have landed. */
        UNKNOWN_LANDED(Kind.COUNT),
        /** A write whose reply was lost turned out not to have landed. */
        UNKNOWN_NOT_LANDED(Kind.COUNT),
        /** A write whose reply was lost could not be resolved (its session ended and the node moved). */
        UNKNOWN_UNRESOLVED(Kind.COUNT),
        /** A lock handle ended (released or lost): how long it was held. */
        LOCK_HOLD(Kind.TIME),
        /** An acquire gave up at its timeout. */
        LOCK_TIMEOUT(Kind.COUNT),
        /** A lock handle was lost (session expired, znode deleted, a loss under the policy). */
        LOCK_LOST(Kind.COUNT),
        /** This node became the leader. */
        ELECTED(Kind.COUNT),
        /** This node stopped leading. */
        STEPPED_DOWN(Kind.COUNT),
        /** After an unclean handover, the wait this node starts before leading. */
        TAKEOVER_DELAY(Kind.TIME),
        /** The leader's task was run (once per run of a one-shot task, per tick of a scheduled one). */
        TASK_RUN(Kind.COUNT),
        /** The leader's task stopped: how long it took to return once told to stop. */
        TASK_STOP(Kind.TIME),
        /** A subscription's listener received an event: how many later events were already read. */
        SUBSCRIBER_LAG(Kind.AMOUNT),
        /** A queue item was claimed again after an earlier delivery. */
        REDELIVERY(Kind.COUNT),
        /** A queue item moved to the dead letters after its deliveries ran out. */
        DEAD_LETTER_EXHAUSTED(Kind.COUNT),
        /** A queue item moved to the dead letters because it does not decode. */
        DEAD_LETTER_UNDECODABLE(Kind.COUNT),
        /** A queue claim ended (acknowledged, given back, lost): how long it was held. */
        CLAIM_AGE(Kind.TIME),
        /** A replicated state's leader published a batch: the commands it applied. */
        BATCH(Kind.AMOUNT),
        /** This node became the leader of a replicated state. */
        REPLICATED_LEADER(Kind.COUNT);

        /** What an event's value is. */
        public enum Kind {
            /** Counted: the value is 1. */
            COUNT,
            /** A duration in nanoseconds. */
            TIME,
            /** An amount (events, commands). */
            AMOUNT
        }

        private final Kind kind;

        Event(Kind kind) {
            this.kind = kind;
        }

        /**
         * What its value is.
         *
         * @return the kind
         */
        public Kind kind() {
            return kind;
        }
    }

    /**
     * Classifies a failed asynchronous call: the outcome for an exception, or {@code null} for the
     * default ({@code "timeout"} for an {@link OperationTimeoutException}, else {@code "error"}).
     */
    @FunctionalInterface
    public interface Outcomes {
        /**
         * The outcome of a call that failed with {@code error}.
         *
         * @param error what the call's future failed with (unwrapped)
         * @return the outcome, or {@code null} for the default
         */
        @Nullable
        String of(Throwable error);
    }

    /**
     * What one recipe reports through, made once when the recipe is built: its name, its path, and
     * its calls and inner events. While no sink follows, each report costs a volatile read.
     * Thread-safe.
     */
    public final class Probe {
        private final String owner;
        private final String path;
        private volatile boolean silent;

        private Probe(String owner, String path) {
            this.owner = owner;
            this.path = path;
        }

        /**
         * The recipe, e.g. {@code "SharedState /config"}.
         *
         * @return the owner name
         */
        public String owner() {
            return owner;
        }

        /** The recipe's path, for {@link ProbeSilencing}. */
        String path() {
            return path;
        }

        /** Silences this probe for good (see {@link Telemetry#silenceUnder}). */
        void silence() {
            silent = true;
        }

        /**
         * Makes a blocking call, followed by the sinks (see {@link Telemetry#observe}).
         *
         * @param operation the call, e.g. {@code "update"}
         * @param call the call
         * @param <T> its result
         * @return what the call returned
         * @throws InterruptedException if the call was interrupted
         */
        public <T> T observe(String operation, Call<T> call) throws InterruptedException {
            if (silent || sinks.isEmpty()) {
                return call.call();
            }
            return Telemetry.this.observe(owner, operation, path, call);
        }

        /**
         * Starts a call that completes a future, followed by the sinks until it completes (see
         * {@link Telemetry#observeAsync}).
         *
         * @param operation the call, e.g. {@code "submit"}
         * @param call starts the call and returns its future
         * @param outcomes names the outcome of a failure the recipe knows (e.g. a command refused)
         * @param <T> the future's value
         * @return the future the call returned
         */
        public <T> CompletableFuture<T> observeAsync(
                String operation, Supplier<CompletableFuture<T>> call, Outcomes outcomes) {
            if (silent || sinks.isEmpty()) {
                return call.get();
            }
            return Telemetry.this.observeAsync(owner, operation, path, call, outcomes);
        }

        /**
         * Reports a counted event.
         *
         * @param event what happened, a {@link Event.Kind#COUNT}
         */
        public void count(Event event) {
            if (sinks.followsEvents() && !silent) {
                sinks.recorded(owner, event, 1);
            }
        }

        /**
         * Reports a duration or an amount.
         *
         * @param event what happened, a {@link Event.Kind#TIME} or an {@link Event.Kind#AMOUNT}
         * @param value nanoseconds, or the amount
         */
        public void record(Event event, long value) {
            if (sinks.followsEvents() && !silent) {
                sinks.recorded(owner, event, value);
            }
        }

        /**
         * A reading of the coordinator's ticker to time an event from, or {@link #UNTIMED} while no
         * sink follows events (then no clock is read).
         *
         * @return the reading, or {@link #UNTIMED}
         */
        public long start() {
            return sinks.followsEvents() && !silent ? ticker.read() : UNTIMED;
        }

        /**
         * Reports the time since {@code start}, unless it is {@link #UNTIMED}.
         *
         * @param event what ended, a {@link Event.Kind#TIME}
         * @param start what {@link #start()} returned when it began
         */
        public void timeSince(Event event, long start) {
            if (start != UNTIMED && sinks.followsEvents() && !silent) {
                sinks.recorded(owner, event, Math.max(0, ticker.read() - start));
            }
        }
    }

    /** What {@link Probe#start()} returns while nothing is timed. */
    public static final long UNTIMED = Long.MIN_VALUE;

    /** One blocking call as one sink follows it. */
    public interface Scope {
        /**
         * The call ended.
         *
         * @param outcome how, e.g. {@code "ok"}, {@code "conflict"}, {@code "timeout"}, or {@code
         *     "error"} when it threw
         * @param error what it threw, or {@code null}
         * @param nanos how long it took, on the coordinator's ticker
         */
        void ended(String outcome, @Nullable Throwable error, long nanos);
    }

    /**
     * A recipe's call in progress. The recipe sets the outcome (or the error) and closes it when the
     * call returns or throws, or, for a call that completes a future, when the future completes
     * (possibly on another thread, after the caller's last use of it); closed without an outcome, it
     * reports {@code "error"}. Not for concurrent use.
     */
    public static final class Operation implements AutoCloseable {
        private static final Operation NONE = new Operation(Ticker.system(), List.of());

        private final Ticker ticker;
        private final List<Scope> scopes;
        private final long startedAt;
        private String outcome = "error";
        private @Nullable Throwable error;
        private boolean ended;

        private Operation(Ticker ticker, List<Scope> scopes) {
            this.ticker = ticker;
            this.scopes = scopes;
            this.startedAt = scopes.isEmpty() ? 0 : ticker.read();
        }

        /**
         * Sets how the call ended (the last call wins).
         *
         * @param outcome e.g. {@code "ok"}, {@code "conflict"}, {@code "timeout"}
         */
        public void outcome(String outcome) {
            this.outcome = outcome;
        }

        /**
         * Records that the call throws: its outcome is {@code "error"} unless set after this.
         *
         * @param error what it throws
         */
        public void failed(Throwable error) {
            this.error = error;
            this.outcome = "error";
        }

        /** Reports the call's end to the sinks, once. */
        @Override
        public void close() {
            if (ended || scopes.isEmpty()) {
                return;
            }
            ended = true;
            long nanos = ticker.read() - startedAt;
            for (Scope s : scopes) {
                s.ended(outcome, error, nanos);
            }
        }
    }

    private final TelemetrySinks sinks = new TelemetrySinks();
    private final Ticker ticker;
    private final ProbeSilencing silencing = new ProbeSilencing();
    private final Backlogs backlogs = new Backlogs();

    /**
     * The telemetry of one coordinator.
     *
     * @param ticker the coordinator's ticker, which operations are timed on
     */
    public Telemetry(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * Starts following one blocking call of a recipe: every sink that follows calls is told now,
     * and told the outcome when the returned operation closes.
     *
     * @param owner the recipe, e.g. {@code "SharedState /config"}
     * @param operation the call, e.g. {@code "update"}
     * @param path the recipe's path
     * @return the operation to set the outcome on and close; a shared do-nothing operation while no
     *     sink follows calls
     */
    public Operation start(String owner, String operation, String path) {
        if (sinks.isEmpty()) {
            return Operation.NONE;
        }
        List<Scope> scopes = sinks.started(owner, operation, path);
        return scopes.isEmpty() ? Operation.NONE : new Operation(ticker, scopes);
    }

    /** A recipe's blocking call, for {@link #observe}. */
    @FunctionalInterface
    public interface Call<T> {
        /**
         * Makes the call.
         *
         * @return its result
         * @throws InterruptedException if interrupted
         */
        T call() throws InterruptedException;
    }

    /**
     * Makes a recipe's blocking call, followed by the sinks: its outcome is {@code "ok"}, {@code
     * "empty"} for an empty {@code Optional}, {@code "timeout"} for an {@link
     * OperationTimeoutException}, {@code "interrupted"}, or {@code "error"} for anything else it
     * throws (the exception is reported with it and rethrown unchanged).
     *
     * @param owner the recipe, e.g. {@code "DistributedLock /jobs"}
     * @param operation the call, e.g. {@code "acquire"}
     * @param path the recipe's path
     * @param call the call
     * @param <T> its result
     * @return what the call returned
     * @throws InterruptedException if the call was interrupted
     */
    public <T> T observe(String owner, String operation, String path, Call<T> call) throws InterruptedException {
        Operation op = start(owner, operation, path);
        return op == Operation.NONE ? call.call() : OperationTiming.observe(op, call);
    }

    /**
     * Starts a recipe's call that completes a future, followed by the sinks until the future
     * completes: {@code "ok"}; for a failure, what {@code outcomes} names it, else {@code
     * "timeout"} for an {@link OperationTimeoutException}, else {@code "error"}.
     *
     * @param owner the recipe
     * @param operation the call, e.g. {@code "submit"}
     * @param path the recipe's path
     * @param call starts the call and returns its future
     * @param outcomes names the outcome of a failure the recipe knows (e.g. {@code "rejected"})
     * @param <T> the future's value
     * @return the future the call returned
     */
    public <T> CompletableFuture<T> observeAsync(
            String owner, String operation, String path, Supplier<CompletableFuture<T>> call, Outcomes outcomes) {
        Operation op = start(owner, operation, path);
        return op == Operation.NONE ? call.get() : OperationTiming.observeAsync(op, call, outcomes);
    }

    /**
     * Adds a sink.
     *
     * @param sink the sink
     */
    public void addSink(Sink sink) {
        sinks.add(sink);
    }

    /**
     * Removes a sink.
     *
     * @param sink the sink, as added
     */
    public void removeSink(Sink sink) {
        sinks.remove(sink);
    }

    /**
     * Whether a sink follows deliveries: the engine reads its ticker per change only then.
     *
     * @return {@code true} if at least one sink {@link Sink#followsDeliveries() follows deliveries}
     */
    public boolean timesDeliveries() {
        return sinks.followsDeliveries();
    }

    /**
     * The probe a recipe reports through; make it once, when the recipe is built.
     *
     * @param owner the recipe, e.g. {@code "SharedState /config"}
     * @param path the recipe's path
     * @return the recipe's probe
     */
    public Probe probe(String owner, String path) {
        Probe p = new Probe(owner, path);
        silencing.add(p);
        return p;
    }

    /**
     * Silences the probes whose path is under {@code path} (not {@code path} itself), made so far or
     * later: they report no call and no inner event. For the parts of a recipe that reports for them
     * (a replicated state's command log, published state, election and the leader's subscription).
     *
     * @param path the recipe's path
     */
    public void silenceUnder(String path) {
        silencing.silenceUnder(path);
    }

    /**
     * Ends one {@link #silenceUnder} of {@code path}, when the recipe that asked for it closes:
     * probes made later under {@code path} report again (unless another open recipe silenced the
     * same path). Probes already silenced stay silent: they belong to the closed recipe's parts.
     *
     * @param path the path given to {@link #silenceUnder}
     */
    public void endSilenceUnder(String path) {
        silencing.endSilenceUnder(path);
    }

    void delivered(String owner, long queuedNanos) {
        sinks.delivered(owner, queuedNanos);
    }

    void listenerFailed(String owner) {
        sinks.listenerFailed(owner);
    }

    void resynced(String owner) {
        sinks.resynced(owner);
    }

    void register(ListenerSet<?> set) {
        backlogs.register(set);
    }

    void unregister(ListenerSet<?> set) {
        backlogs.unregister(set);
    }

    /**
     * The changes queued and not yet delivered, per recipe, summed over its listeners, for the
     * recipes open now. Two recipes with the same owner name are summed together.
     *
     * @return owner to queued changes
     */
    public Map<String, Integer> backlogs() {
        return backlogs.all();
    }

    /**
     * The changes queued and not yet delivered for one recipe, summed over its listeners (and over
     * open recipes with the same owner name).
     *
     * @param owner the recipe, as in {@link #backlogs()}
     * @return the queued changes, 0 if no open recipe has that name
     */
    public int backlog(String owner) {
        return backlogs.of(owner);
    }
}
