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
package io.statesync.recipes.replication;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.UndecodablePolicy;
import io.statesync.recipes.leader.Leadership;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * State with a single writer: one elected leader applies every submitted command, in order, with a
 * deterministic transition function, and publishes each new state; every node follows what was
 * published.
 *
 * <pre>{@code
 * ReplicatedState<Long, Long> counter = ReplicatedState.builder(
 *                 coordinator, "/counters/orders", Codec.longs(), Codec.longs(), 0L, (sum, delta) -> {
 *                     if (sum + delta < 0) {
 *                         throw new IllegalArgumentException("would go negative");
 *                     }
 *                     return sum + delta;
 *                 })
 *         .participantId("node-1")
 *         .build();
 * counter.addListener(change -> show(change.current().get().value()));
 * counter.start();
 * Applied<Long> applied = counter.submit(5L).get(10, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p><b>How it works.</b> {@link #submit} appends the command to a command log (an {@link
 * io.statesync.recipes.eventlog.EventLog} at {@code path/commands}, or the one given to {@link
 * Builder#commandLog}, e.g. on Kafka), which gives it a position. The leader (a {@link
 * io.statesync.recipes.leader.LeaderElection} at {@code path/leader}) reads the
 * log from the published position, applies commands in position order, and publishes the new state
 * and the position it covers to {@code path/state} in one ZooKeeper {@code multi} guarded by a
 * check of its own election znode and by the state znode's version. Every node, the leader too,
 * takes its state from {@code path/state}; a submitter's future completes when the published
 * position passes its command's.
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li><b>Every command applied once.</b> A command is applied by whichever leader first publishes
 *       a state covering its position, and by no other: a new leader resumes at the published
 *       position, and a state and its position are published together or not at all. An append
 *       whose reply was lost is resolved by the event log (it lands once, or not at all).
 *   <li><b>A deposed leader cannot publish.</b> Its publish fails (its election znode is gone, or
 *       the state's version moved) and nothing lands, so no node ever shows a state from it.
 *   <li><b>No going back.</b> A listener gets one INITIAL change, then UPDATED changes whose
 *       version (the number of commands consumed) and {@code mzxid} strictly increase, across
 *       leader changes, reconnects and session expiry. It may skip intermediate states (the leader
 *       publishes batches; a follower may coalesce), never go back.
 *   <li><b>Every future completes.</b> With {@link Applied} once a published state covers the
 *       command (whoever leads by then); with {@link CommandRejectedException} if the function
 *       rejected it (threw or returned {@code null}), it did not decode on the leader, or the state
 *       would have exceeded the value limit; with {@link io.statesync.core.OperationTimeoutException}
 *       after {@link Builder#commandTimeout} (the command may still be applied later); with a {@link
 *       StateSyncException} of reason CLOSED on close; with the append's error if the command could
 *       not be appended (a {@link io.statesync.core.ConnectionLossException} means its outcome is
 *       unknown).
 *   <li><b>Bad input.</b> A command that does not encode, or whose encoding is over the
 *       coordinator's value limit, is refused by {@link #submit} before anything is sent. A command
 *       that does not decode on the leader is reported through {@code onError} of the leader's
 *       listeners and, by the {@link UndecodablePolicy}, skipped (recorded as a rejection, its
 *       submitter's future fails) or stops the leader at it.
 * </ul>
 *
 * <p><b>Limits.</b> The published state (encoded), plus 36 bytes of header and the retained
 * rejections (at most {@link Builder#rejectionRetention} entries of at most 256 characters each),
 * must fit the coordinator's {@link Coordinator#maxValueBytes()}: a command that would push it over
 * is rejected, and the state stays as it was. The whole state is written on every publish, so keep
 * it small (kilobytes, not megabytes) for throughput.
 *
 * <p><b>Connection loss.</b> On SUSPENDED the local state stays as it was (it may be stale); a
 * leader gives up leadership by its election's policy, and its apply loop stops. On RECONNECTED the
 * state is re-read; on LOST or a new session the election re-joins and the state watch is set
 * again. A publish whose reply was lost is never resent: the leader stops and the next leader (it
 * may be the same node) resumes from what was actually published. Appends in flight are resolved by
 * the event log. Every transition also reaches the listeners' {@code onConnection}. The leader's
 * reads (of the published state, of the command log) run against the coordinator's {@link
 * io.statesync.core.Coordinator#operationTimeout()}: behind a silent partition a read ends by then
 * and the leader waits for the reconnection, so a leader that kept its leadership applies commands
 * within moments of the network healing.
 *
 * <p><b>Closing.</b> {@link #close()} returns within 2 s even behind a silent partition: pending
 * futures fail with a CLOSED error at once, the parts (election, command appender, published state,
 * command log unless it was given to {@link Builder#commandLog}) close on a thread of their own,
 * and whatever still waits for the server then finishes in the background. Every thread the recipe starts comes from the coordinator's thread
 * factory.
 *
 * <p><b>Threading.</b> Thread-safe; {@link #submit} never blocks on the network (appends run on
 * one thread per instance, batching the commands waiting), {@link #current()} never blocks. The
 * function runs on the leader's task thread, one command at a time; it must be deterministic in its
 * result, fast, and must not mutate its input state. Listeners and future completions run outside
 * every lock: listeners on their executors through statesync's delivery engine, future callbacks on
 * the thread that completes them (use the {@code ...Async} variants for heavy work).
 *
 * @param <S> the state type
 * @param <C> the command type
 */
public interface ReplicatedState<S, C> extends Recipe, Listenable<S> {

    /**
     * Starts building a replicated state. Every node of one replicated state uses the same path,
     * codecs, initial state and function.
     *
     * @param coordinator the connection
     * @param path the recipe's znode, relative to the coordinator's namespace; it holds {@code
     *     state}, {@code commands} and {@code leader}, and nothing else may be stored there
     * @param stateCodec encodes the published state
     * @param commandCodec encodes commands in the command log
     * @param initial the state before the first command
     * @param function the deterministic transition: the state after a command; throwing (or
     *     returning {@code null}) rejects the command
     * @param <S> the state type
     * @param <C> the command type
     * @return a builder
     */
    static <S, C> Builder<S, C> builder(
            Coordinator coordinator,
            String path,
            Codec<S> stateCodec,
            Codec<C> commandCodec,
            S initial,
            BiFunction<S, C, S> function) {
        return new Builder<>(coordinator, path, stateCodec, commandCodec, initial, function);
    }

    /**
     * Submits a command to be applied by the leader. Returns at once; the append runs in the
     * background (batched with other commands waiting on this node).
     *
     * @param command the command
     * @return a future that completes once, as described under Guarantees
     * @throws io.statesync.core.ValueTooLargeException if the encoded command is over the
     *     coordinator's value limit; nothing was sent
     * @throws IllegalArgumentException if the command codec fails to encode it
     * @throws IllegalStateException if not started, or closed
     */
    CompletableFuture<Applied<S>> submit(C command);

    /**
     * Submits a command, as {@link #submit(Object)}, with a timeout of its own instead of the
     * builder's {@link Builder#commandTimeout}. Returns at once, never blocking on the network (also
     * behind a silent partition, and whatever the thread's interrupt flag; the flag is left as it
     * is). The future fails with {@link io.statesync.core.OperationTimeoutException} if the command
     * is not seen applied within {@code timeout} of the call: its {@code outcome()} is {@code
     * NOT_APPLIED} if the command had not been sent yet (it is withdrawn and never sent), {@code
     * UNKNOWN} once it was sent (it may still be applied). Waiting on the future ({@code get} with a
     * timeout) answers an interrupt as {@link CompletableFuture} does.
     *
     * @param command the command
     * @param timeout how long the command may take to be seen applied; zero fails it at once unless
     *     already applied
     * @return a future that completes once, as described under Guarantees, or fails at the timeout
     * @throws io.statesync.core.ValueTooLargeException if the encoded command is over the
     *     coordinator's value limit; nothing was sent
     * @throws IllegalArgumentException if the command codec fails to encode it, or {@code timeout}
     *     is negative
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws IllegalStateException if not started, or closed
     */
    CompletableFuture<Applied<S>> submit(C command, Duration timeout);

    /**
     * The published state as this node last saw it, without a network call: the state znode's
     * {@link Versioned#version() data version} (one more per publish), the zxid of the publish as
     * its {@code mzxid} and that of the state znode as its {@code czxid}. Before the first read, the
     * initial state with version and zxids 0. The state's own version, the number of commands it
     * consumed, is {@link #version()}, read separately (a listener gets both in one change: {@link
     * io.statesync.core.StateChange#position()}). (Named {@code current()}, as on {@link
     * io.statesync.recipes.eventlog.EventSourcedState}, because {@link Recipe#state()} is the
     * lifecycle state.)
     *
     * @return the current state
     */
    Versioned<S> current();

    /**
     * The version of the published state as this node last saw it, without a network call: the
     * number of commands it consumed (applied or rejected), the number {@link #awaitVersion} waits
     * for and {@link Applied#version()} names; 0 before the first read. It never goes back. It is
     * the position of the next command to consume; on a command log whose positions have gaps (see
     * {@link Builder#commandLog}) it counts positions, not commands.
     *
     * @return the version this node has seen
     */
    long version();

    /**
     * Waits until this node has seen a published state of at least a version.
     *
     * @param version the version to reach, e.g. {@link Applied#version()}
     * @param timeout how long to wait, measured on the coordinator's {@link io.statesync.core.Ticker}
     * @return {@code true} once reached (at once if already reached, even after close); {@code
     *     false} only if the timeout passed while this node was still following the state
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if not started, or closed (also when closed while waiting)
     *     before reaching the version: it can no longer come
     */
    boolean awaitVersion(long version, Duration timeout) throws InterruptedException;

    /**
     * Whether this node leads now (applies commands and publishes).
     *
     * @return {@code true} if this node leads
     */
    boolean isLeader();

    /**
     * Adds a leadership listener on the coordinator's listener executor. It hears this recipe's
     * election exactly as a {@link io.statesync.recipes.leader.LeaderElection} listener does:
     * changes of a {@link Leadership} value on {@code path/leader}, INITIAL (with the leader known
     * then, or empty; also when added after start), CREATED (a leader appeared), UPDATED (another
     * leader), DELETED (no leader known to this node, e.g. after a connection loss) and RESYNCED
     * (the first leader seen after a connection loss). {@link Leadership#isSelf()} says whether this
     * node leads, i.e. applies commands and publishes; {@link Leadership#epoch()} strictly
     * increases across leaders. Connection transitions also reach its {@code onConnection}. Calls
     * stop when the replicated state is closed.
     *
     * @param listener the listener
     * @throws IllegalStateException if the replicated state is closed
     */
    void addLeadershipListener(StateListener<Leadership> listener);

    /**
     * Adds a leadership listener that runs on the given executor (as {@link
     * #addLeadershipListener(StateListener)}).
     *
     * @param listener the listener
     * @param executor where it runs
     * @throws IllegalStateException if the replicated state is closed
     */
    void addLeadershipListener(StateListener<Leadership> listener, Executor executor);

    /**
     * Removes a leadership listener; no call to it starts after this returns.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    boolean removeLeadershipListener(StateListener<Leadership> listener);

    /**
     * Why this node, as leader, stopped applying commands, if it did: a command that did not
     * decode under {@link UndecodablePolicy#STOP}, a published state it could not decode, or an
     * {@link io.statesync.core.IncompatibleLayoutException} (the published state is in a newer
     * release's data layout; nothing was written). Empty while all is well.
     *
     * @return the error, if any
     */
    Optional<StateSyncException> failure();

    /**
     * The recipe's path.
     *
     * @return the path, relative to the coordinator's namespace
     */
    String path();

    /**
     * Builds a {@link ReplicatedState}. Each option may be set once; {@link #build()} validates.
     *
     * @param <S> the state type
     * @param <C> the command type
     */
    final class Builder<S, C> {
        final Coordinator coordinator;
        final String path;
        final Codec<S> stateCodec;
        final Codec<C> commandCodec;
        final S initial;
        final BiFunction<S, C, S> function;
        private static final Duration DEFAULT_APPEND_TIMEOUT = Duration.ofSeconds(60);
        private final BuilderOptions options = new BuilderOptions();
        String participantId = UUID.randomUUID().toString();
        int maxBatch = 1_000;
        Duration commandTimeout = Duration.ofSeconds(60);
        long retainCommands = 10_000;
        int rejectionRetention = 1_000;
        UndecodablePolicy undecodablePolicy = UndecodablePolicy.SKIP;
        Duration takeoverDelay = Duration.ZERO;

        @Nullable
        EventLog<byte[]> commandLog;

        boolean retainCommandsSet;
        private @Nullable Duration commandAppendTimeout;

        private Builder(
                Coordinator coordinator,
                String path,
                Codec<S> stateCodec,
                Codec<C> commandCodec,
                S initial,
                BiFunction<S, C, S> function) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.stateCodec = Objects.requireNonNull(stateCodec, "stateCodec");
            this.commandCodec = Objects.requireNonNull(commandCodec, "commandCodec");
            this.initial = Objects.requireNonNull(initial, "initial");
            this.function = Objects.requireNonNull(function, "function");
        }

        /**
         * This node's participant id in the leader election (default: a random UUID).
         *
         * @param id 1 to 256 characters, no control characters
         * @return this builder
         */
        public Builder<S, C> participantId(String id) {
            options.once("participantId");
            this.participantId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * The most commands the leader applies per publish, and this node appends per round trip
         * (default 1,000). Larger batches mean fewer writes under load.
         *
         * @param commands 1 to 100,000
         * @return this builder
         */
        public Builder<S, C> maxBatch(int commands) {
            options.once("maxBatch");
            this.maxBatch = commands;
            return this;
        }

        /**
         * How long a command submitted by {@link ReplicatedState#submit(Object)} may wait to be
         * applied before its future fails with {@link io.statesync.core.OperationTimeoutException}
         * (default 60 s, measured in real time): the default per-command timeout,
         * which {@link ReplicatedState#submit(Object, Duration)} replaces for one command. A command
         * not yet sent then is withdrawn (outcome {@code NOT_APPLIED}); one already sent is not: it
         * may still be applied later (outcome {@code UNKNOWN}).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder<S, C> commandTimeout(Duration timeout) {
            options.once("commandTimeout");
            this.commandTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long one append of commands to the command log may take (default: {@link
         * #commandTimeout}, at most 60 s), measured on the coordinator's {@link io.statesync.core.Ticker}: the command
         * log's {@link io.statesync.recipes.eventlog.EventLog.Builder#appendTimeout}. Past it, the
         * futures of the commands in that append fail with the log's error: {@link
         * io.statesync.core.OperationTimeoutException} if the append kept losing the race for the
         * end of the log (nothing was written) or the timeout passed with an append sent and not
         * answered (outcome unknown), {@link io.statesync.core.ConnectionLossException} if the
         * connection was lost and not back after the retry policy's retries (outcome unknown). The commands waiting behind it wait for it,
         * so a shorter timeout lets them go sooner after an outage.
         *
         * @param timeout positive, and not longer than {@link #commandTimeout} (a command's future
         *     has failed by then anyway)
         * @return this builder
         */
        public Builder<S, C> commandAppendTimeout(Duration timeout) {
            options.once("commandAppendTimeout");
            this.commandAppendTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How many applied commands the leader keeps in the command log behind the published
         * position (default 10,000); older ones are compacted away (whole segments, as the log's
         * {@code truncateBefore} does). The published state is the snapshot: no node needs applied
         * commands to catch up, they are kept only for inspection. A log given to {@link
         * #commandLog} is compacted only if this is set (its retention is otherwise its owner's);
         * there the count is of positions, which may include positions without a command.
         *
         * @param commands 0 or more
         * @return this builder
         */
        public Builder<S, C> retainCommands(long commands) {
            options.once("retainCommands");
            this.retainCommands = commands;
            this.retainCommandsSet = true;
            return this;
        }

        /**
         * How many of the latest rejections the published state carries (default 1,000), so that
         * every submitter learns its command's outcome. A node that misses more rejections than
         * this between two reads of the state (a long disconnection) fails the affected futures
         * with an error saying the outcome is no longer known.
         *
         * @param rejections 1 to 10,000
         * @return this builder
         */
        public Builder<S, C> rejectionRetention(int rejections) {
            options.once("rejectionRetention");
            this.rejectionRetention = rejections;
            return this;
        }

        /**
         * What the leader does with a command that does not decode (default {@link
         * UndecodablePolicy#SKIP}: report it through {@code onError}, record it as rejected, go on).
         * With {@link UndecodablePolicy#STOP} the leader publishes what it applied before it and
         * stops applying (reported through {@code onError} and {@link #failure()}) until it loses
         * leadership. Skipping does not make nodes diverge: followers take the published state, they
         * do not re-apply commands.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder<S, C> onUndecodable(UndecodablePolicy policy) {
            options.once("onUndecodable");
            this.undecodablePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How long a new leader waits before applying when its predecessor vanished without handing
         * over (default zero). Zero is safe here: a deposed leader's publish is refused by
         * ZooKeeper, so two apply loops overlapping for a moment cannot both publish.
         *
         * @param delay zero or positive
         * @return this builder
         */
        public Builder<S, C> takeoverDelay(Duration delay) {
            options.once("takeoverDelay");
            this.takeoverDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /**
         * The command log to use instead of the ZooKeeper {@link EventLog} this replicated state
         * builds at {@code path/commands} (default: that one), e.g. a Kafka topic's ({@code
         * KafkaEventLog.log()} from {@code statesync-kafka}, built with {@link Codec#bytes()}), for
         * a command history past a ZooKeeper server's memory. The published state, the election and
         * its fencing stay in ZooKeeper under {@code path}.
         *
         * <ul>
         *   <li><b>Owned by the caller.</b> The caller starts the log before {@link
         *       ReplicatedState#start()} (which refuses a log not started with {@link
         *       IllegalStateException}) and closes it after {@link ReplicatedState#close()}; the
         *       replicated state neither starts nor closes it, and reports it under its own entry.
         *   <li><b>The same log on every node.</b> Every node of one replicated state uses a log on
         *       the same storage (the same topic, with the same dedupe window), each node its own
         *       instance. Every node appends commands to it, so it must not be fenced by an election
         *       (a fenced log refuses appends from nodes that do not lead). Each command is applied
         *       once as long as the log delivers it once (on Kafka: under its dedupe window's
         *       condition).
         *   <li><b>Positions.</b> A command's position is the log's, and the version ({@link
         *       ReplicatedState#version()}, {@link Applied#version()}) stays a position: the next
         *       position to consume, what {@link ReplicatedState#awaitVersion} waits for. On a log
         *       whose positions have gaps (a Kafka log's offsets: a record its readers skip, such as a
         *       second copy of an append, keeps its offset) versions jump over the gaps: the leader
         *       publishes past positions that hold no command, also at the end of the log, so every
         *       version a submitter was given is reached. For the end of the log an idle leader looks
         *       every 500 ms for positions its reader passed over, so the version passes a gap at the
         *       end within about that long; it does so only on a log given here (the default
         *       ZooKeeper log has no gaps, and its idle leader just waits for commands). A submitter
         *       whose append was written twice and got the second copy's position learns the command
         *       was consumed once at the first copy, with an outcome not known there (its future
         *       fails, reason {@code OTHER}).
         *   <li><b>Retention.</b> The leader compacts the log only if {@link #retainCommands} is set.
         *       Otherwise the log's own retention applies (a topic's {@code retention.ms}), which must
         *       keep every command until a published state covers it: a leader cannot resume at a
         *       deleted position (its read fails with {@link io.statesync.core.HistoryTruncatedException}).
         *       On Kafka, keep {@link #retainCommands} at least the log's dedupe window: a new leader
         *       reads the window before its start to skip second copies, and compacted records are
         *       no longer in it.
         *   <li><b>Limits.</b> A command must still fit the coordinator's value limit; an append
         *       batch counts 512 bytes of headers per command against it.
         * </ul>
         *
         * @param log the command log, its events the encoded commands
         * @return this builder
         */
        public Builder<S, C> commandLog(EventLog<byte[]> log) {
            options.once("commandLog");
            this.commandLog = Objects.requireNonNull(log, "commandLog");
            return this;
        }

        /**
         * Validates the options and builds the replicated state, not yet started. Nothing touches
         * the network.
         *
         * @return the replicated state
         * @throws IllegalArgumentException naming the path or option at fault, or if the initial
         *     state's published form is over the coordinator's value limit
         */
        public ReplicatedState<S, C> build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("invalid path \"/\": a replicated state needs a znode of its own");
            }
            if (maxBatch < 1 || maxBatch > 100_000) {
                throw new IllegalArgumentException("maxBatch must be 1 to 100000, was " + maxBatch);
            }
            if (commandTimeout.isNegative() || commandTimeout.isZero()) {
                throw new IllegalArgumentException("commandTimeout must be positive, was " + commandTimeout);
            }
            if (retainCommands < 0) {
                throw new IllegalArgumentException("retainCommands must be >= 0, was " + retainCommands);
            }
            if (rejectionRetention < 1 || rejectionRetention > 10_000) {
                throw new IllegalArgumentException("rejectionRetention must be 1 to 10000, was " + rejectionRetention);
            }
            Duration appendTimeout = commandAppendTimeout;
            if (appendTimeout == null) {
                appendTimeout =
                        commandTimeout.compareTo(DEFAULT_APPEND_TIMEOUT) < 0 ? commandTimeout : DEFAULT_APPEND_TIMEOUT;
            } else if (appendTimeout.isNegative() || appendTimeout.isZero()) {
                throw new IllegalArgumentException("commandAppendTimeout must be positive, was " + appendTimeout);
            } else if (appendTimeout.compareTo(commandTimeout) > 0) {
                throw new IllegalArgumentException("commandAppendTimeout " + appendTimeout
                        + " must not be longer than commandTimeout " + commandTimeout);
            }
            if (takeoverDelay.isNegative()) {
                throw new IllegalArgumentException("takeoverDelay must not be negative, was " + takeoverDelay);
            }
            byte[] published = new Published.PublishedCodec<>(stateCodec).encode(Published.initial(initial));
            if (published.length > coordinator.maxValueBytes()) {
                throw new IllegalArgumentException("initial state for " + path + " publishes as " + published.length
                        + " bytes, over the coordinator's limit of " + coordinator.maxValueBytes());
            }
            return new DefaultReplicatedState<>(this, appendTimeout);
        }
    }
}
