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
package io.statesync.recipes.eventlog;

import io.statesync.core.Codec;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.BuilderOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * State rebuilt on every node from an {@link EventLog}: an initial value folded with a pure reducer
 * over the log's events in position order. Every node that runs the same reducer over the same log
 * reaches the same state at the same position.
 *
 * <pre>{@code
 * EventSourcedState<Long, Long> balance = EventSourcedState.builder(log, 0L, (sum, amount) -> sum + amount)
 *         .snapshots(Codec.longs(), 10_000)
 *         .build();
 * balance.addListener(change -> show(change.current().get().value()));
 * balance.start();
 * }</pre>
 *
 * <p><b>Delivery.</b> Listeners receive {@link io.statesync.core.StateChange}s whose path is the
 * log's path: one INITIAL once the state has caught up with the log at start (or when a listener
 * is added later), then one UPDATED per batch of events applied (a state listener may skip
 * intermediate states; the reducer never does). {@link io.statesync.core.StateChange#position()}
 * is the state's position, the number of events applied; {@link Versioned#mzxid()} is the zxid of
 * the last event applied, so neither goes back; {@link Versioned#version()} and {@code czxid()}
 * are 0 (the state is not one znode's data).
 *
 * <p><b>Guarantees.</b> Every event from the start position on is applied exactly once, in order,
 * with no gap (the reading side of {@link EventSubscription}). The reducer must be pure and
 * deterministic: it runs on the follower thread, must not block, and must not mutate its input
 * state. If it throws, the state stops at the event before, and {@code onError} and {@link
 * #failure()} report it. An undecodable event follows the {@link UndecodablePolicy} (default
 * STOP).
 *
 * <p><b>Snapshots.</b> With {@link Builder#snapshots(Codec, int)}, a node writes the state and its
 * position as a snapshot every N events (any node may; the first one to switch the manifest for a
 * position wins and the others skip it). A starting node loads the newest snapshot and replays only
 * what follows. A snapshot larger than the coordinator's value limit is split into chunks stored
 * first and made visible by one atomic switch of a manifest. With {@link Builder#compactLog(boolean)}
 * the log is truncated before the oldest snapshot kept, after each snapshot written.
 *
 * <p><b>Connection loss.</b> On SUSPENDED the state stays as it is and waits; on RECONNECTED (same
 * session, or new after an expiry or a server restart) it reads on from its position, so no event
 * is applied twice or missed. Transitions also reach the listeners' {@code onConnection}. If the
 * history it needs was truncated meanwhile, {@code onError} receives a {@link
 * io.statesync.core.HistoryTruncatedException} and the state stops. Each read of its thread, the
 * load of the snapshot at start and each snapshot written runs against the coordinator's {@link
 * io.statesync.core.Coordinator#operationTimeout()}: behind a silent partition it ends by then and
 * the thread waits for the reconnection, so the state reads on within moments of the network
 * healing. A snapshot that cannot be written in time is reported to {@code onError} and the state
 * goes on.
 *
 * <p><b>Threading.</b> Thread-safe. The log is read and the reducer runs on one daemon thread per
 * instance; listeners run on their executors through statesync's delivery engine, never under a
 * lock. {@link #current()} may be called from any thread.
 *
 * @param <S> the state type
 * @param <E> the event type
 */
public interface EventSourcedState<S, E> extends Recipe, Listenable<S> {

    /**
     * Starts building an event-sourced state over a log.
     *
     * @param log the log (started before this state is)
     * @param initial the state before the first event
     * @param reducer folds one event into the state; pure
     * @param <S> the state type
     * @param <E> the event type
     * @return a builder
     */
    static <S, E> Builder<S, E> builder(EventLog<E> log, S initial, BiFunction<S, E, S> reducer) {
        return new Builder<>(log, initial, reducer);
    }

    /**
     * The state now: its {@code mzxid} is the zxid of the last event applied; {@code version()} and
     * {@code czxid()} are 0. Its position is {@link #position()}, read separately (a listener gets
     * both in one change: {@link io.statesync.core.StateChange#position()}).
     *
     * @return the current state
     */
    Versioned<S> current();

    /**
     * The position the state has reached: the number of events applied, i.e. the next position to
     * apply.
     *
     * @return the position
     */
    long position();

    /**
     * Waits until the state has applied every event before a position.
     *
     * @param position the position to reach (for example the result of {@code append(e) + 1})
     * @param timeout how long to wait, measured on the coordinator's {@link io.statesync.core.Ticker}
     * @return {@code true} once reached (at once if already reached, even after the state stopped);
     *     {@code false} only if the timeout passed while the state was still following the log
     * @throws InterruptedException if interrupted
     * @throws StateSyncException if the state has stopped following the log before reaching the
     *     position (or stops while waiting): its reason is that of {@link #failure()}, which is its
     *     cause (an undecodable event or bad znode under {@link UndecodablePolicy#STOP}, truncated
     *     history, a throwing reducer); the position will never be reached by this instance
     * @throws IllegalStateException if the state is not started, or is closed (also when it is
     *     closed while waiting) before reaching the position; this takes precedence over a failure
     */
    boolean awaitPosition(long position, Duration timeout) throws InterruptedException;

    /**
     * Why the state stopped following the log, if it did (an {@link
     * io.statesync.core.IncompatibleLayoutException} if the log or the snapshot manifest is in a newer
     * release's data layout).
     *
     * @return the error, or empty while it follows
     */
    Optional<StateSyncException> failure();

    /**
     * The position of the snapshot this state started from: the events before it were not replayed
     * but loaded with the snapshot. Empty before the state has loaded its start (shortly after
     * {@link #start()}), and when it started from the beginning of the log: no snapshots configured,
     * none written yet, or the newest one unreadable or undecodable (reported through {@code
     * onError}).
     *
     * @return the snapshot's position, or empty
     */
    OptionalLong startSnapshotPosition();

    /**
     * Builds an {@link EventSourcedState}. Each option may be set once.
     *
     * @param <S> the state type
     * @param <E> the event type
     */
    final class Builder<S, E> {
        final EventLog<E> log;
        final S initial;
        final BiFunction<S, E, S> reducer;
        private final BuilderOptions options = new BuilderOptions();

        @Nullable
        Codec<S> snapshotCodec;

        int snapshotEvery;
        int keepSnapshots = 2;
        boolean compactLog;
        UndecodablePolicy policy = UndecodablePolicy.STOP;

        private Builder(EventLog<E> log, S initial, BiFunction<S, E, S> reducer) {
            this.log = Objects.requireNonNull(log, "log");
            this.initial = Objects.requireNonNull(initial, "initial");
            this.reducer = Objects.requireNonNull(reducer, "reducer");
        }

        /**
         * Loads the newest snapshot at start, and writes one every {@code everyEvents} events.
         *
         * @param codec encodes and decodes the state
         * @param everyEvents write a snapshot at every position that is a multiple of this, at
         *     least 1; 0 to load snapshots but never write one
         * @return this builder
         */
        public Builder<S, E> snapshots(Codec<S> codec, int everyEvents) {
            options.once("snapshots");
            this.snapshotCodec = Objects.requireNonNull(codec, "codec");
            this.snapshotEvery = everyEvents;
            return this;
        }

        /**
         * How many snapshots to keep (default 2): older ones are deleted after a new one is
         * written.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder<S, E> keepSnapshots(int count) {
            options.once("keepSnapshots");
            this.keepSnapshots = count;
            return this;
        }

        /**
         * Whether to truncate the log before the oldest kept snapshot after writing a snapshot
         * (default false). Nodes that start later then need a snapshot; reading the log from 0
         * fails with {@link io.statesync.core.HistoryTruncatedException}.
         *
         * @param compact true to compact
         * @return this builder
         */
        public Builder<S, E> compactLog(boolean compact) {
            options.once("compactLog");
            this.compactLog = compact;
            return this;
        }

        /**
         * What to do with an event that does not decode (default {@link UndecodablePolicy#STOP}).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder<S, E> onUndecodable(UndecodablePolicy policy) {
            options.once("onUndecodable");
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Builds the state (LATENT).
         *
         * @return the state
         * @throws IllegalArgumentException naming an invalid option
         */
        public EventSourcedState<S, E> build() {
            if (!(log instanceof DefaultEventLog)) {
                throw new IllegalArgumentException("log must be built by EventLog.builder, was " + log.getClass());
            }
            if (snapshotEvery < 0) {
                throw new IllegalArgumentException("snapshots everyEvents must be >= 0, was " + snapshotEvery);
            }
            if (keepSnapshots < 1) {
                throw new IllegalArgumentException("keepSnapshots must be >= 1, was " + keepSnapshots);
            }
            if (compactLog && (snapshotCodec == null || snapshotEvery == 0)) {
                throw new IllegalArgumentException(
                        "compactLog needs snapshots(codec, everyEvents) with everyEvents > 0");
            }
            return new DefaultEventSourcedState<>(this, (DefaultEventLog<E>) log);
        }
    }
}
