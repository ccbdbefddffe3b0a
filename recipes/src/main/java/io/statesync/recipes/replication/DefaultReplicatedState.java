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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.GuardedWrite;
import io.statesync.core.Health;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.VersionConflictException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.recipes.eventlog.UndecodablePolicy;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.zookeeper.CreateMode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one implementation of {@link ReplicatedState}; see its Javadoc and docs/replication.md. */
final class DefaultReplicatedState<S, C> implements ReplicatedState<S, C>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultReplicatedState.class);

    /** Room left in an append batch for the event log's headers. */
    private static final int APPEND_OVERHEAD = 512;
    /** The longest {@link #close()} waits for its parts to close. */
    static final Duration CLOSE_WAIT = Coordinator.CLOSE_WAIT;

    /** The longest the background part of {@link #close()} waits for the interrupted appender. */
    private static final Duration APPENDER_STOP_WAIT = Duration.ofSeconds(60);

    /** A submit whose command the state refused ends {@code "rejected"} in metrics and traces. */
    private static final Telemetry.Outcomes REJECTED = e -> e instanceof CommandRejectedException ? "rejected" : null;

    /** The leader moves the command log's retention point in steps of at least this many. */
    private static final long COMPACT_STEP = 100;

    private final Coordinator coordinator;
    private final String path;
    private final String statePath;
    private final String commandsPath;
    private final Codec<S> stateCodec;
    private final Codec<C> commandCodec;
    private final BiFunction<S, C, S> function;
    private final int maxBatch;
    private final Duration commandTimeout;
    private final long retainCommands;
    private final int rejectionRetention;
    private final UndecodablePolicy undecodablePolicy;
    private final byte[] initialPublished;

    private final Lifecycle lifecycle;
    private final Telemetry.Probe probe;
    private final ListenerSet<StateListener<S>> listeners;
    private final EventLog<byte[]> log;
    private final SharedState<Published<S>> shared;
    private final LeaderElection election;
    private final LinkedBlockingQueue<Submission<S>> outbox = new LinkedBlockingQueue<>();
    private final Thread appender;
    private final ScheduledThreadPoolExecutor timer;
    private final StateListener<Published<S>> follower = new Follow();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private Versioned<S> current;
    /** Guarded by {@link #lock}: the newest publication applied, or null before the first. */
    private @Nullable Published<S> latest;
    /** Guarded by {@link #lock}: submissions appended and not yet resolved, by position. */
    private final TreeMap<Long, Submission<S>> pending = new TreeMap<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    private volatile @Nullable StateSyncException failure;

    /**
     * A replicated state as its builder describes it (the builder has checked every option).
     *
     * @param b the builder
     * @param appendTimeout the command log's append timeout, resolved by the builder
     */
    DefaultReplicatedState(ReplicatedState.Builder<S, C> b, Duration appendTimeout) {
        Coordinator coordinator = b.coordinator;
        String path = b.path;
        S initial = b.initial;
        Codec<S> stateCodec = b.stateCodec;
        this.commandCodec = b.commandCodec;
        this.function = b.function;
        this.maxBatch = b.maxBatch;
        this.commandTimeout = b.commandTimeout;
        this.retainCommands = b.retainCommands;
        this.rejectionRetention = b.rejectionRetention;
        this.undecodablePolicy = b.undecodablePolicy;
        String participantId = b.participantId;
        Duration takeoverDelay = b.takeoverDelay;
        this.coordinator = coordinator;
        this.path = path;
        this.statePath = path + "/state";
        this.commandsPath = path + "/commands";
        this.stateCodec = stateCodec;
        String owner = "ReplicatedState " + path;
        this.lifecycle = new Lifecycle(owner);
        this.listeners = new ListenerSet<>(owner, coordinator);
        this.current = Versioned.of(initial, 0, 0, 0);
        Published.PublishedCodec<S> publishedCodec = new Published.PublishedCodec<>(stateCodec, statePath);
        this.initialPublished = publishedCodec.encode(Published.initial(initial));
        this.log = EventLog.builder(coordinator, commandsPath, Codec.bytes())
                .appendTimeout(appendTimeout)
                .build();
        this.shared = SharedState.builder(coordinator, statePath, publishedCodec, Published.initial(initial))
                .build();
        this.election = LeaderElection.builder(coordinator, path + "/leader")
                .participantId(participantId)
                .task(this::lead)
                .takeoverDelay(takeoverDelay)
                .build();
        this.appender =
                coordinator.internalAccess().newThread("statesync-replication-append " + path, this::appendLoop);
        this.timer = new ScheduledThreadPoolExecutor(
                1, r -> coordinator.internalAccess().newThread("statesync-replication-timer " + path, r));
        this.timer.setRemoveOnCancelPolicy(true);
        // Its parts are reported in its own entry.
        RecipeRegistry recipes = coordinator.internalRecipes();
        recipes.unlist(log);
        recipes.unlist(shared);
        recipes.unlist(election);
        recipes.register("ReplicatedState", path, this);
        coordinator.internalTelemetry().silenceUnder(path); // its parts: it reports its calls itself
        this.probe = coordinator.internalTelemetry().probe(owner, path);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        lifecycle.start();
        log.start();
        shared.addListener(follower, Runnable::run);
        shared.start();
        appender.start();
        election.start();
    }

    @Override
    public LifecycleState state() {
        return lifecycle.state();
    }

    @Override
    public void close() {
        LifecycleState previous = lifecycle.close();
        if (previous == LifecycleState.CLOSED) {
            return;
        }
        // The parts (election, appender, published state, command log) close on a thread of their
        // own; close waits for them at most CLOSE_WAIT, so that it returns in time behind a silent
        // partition, and whatever is still waiting for the server then finishes in the background.
        appender.interrupt();
        Thread closer = coordinator.internalAccess().newThread("statesync-replication-close " + path, () -> {
            election.close();
            if (previous == LifecycleState.STARTED) {
                try {
                    // Interrupted above, the appender ends within moments; bounded all the same.
                    TimeUnit.NANOSECONDS.timedJoin(appender, APPENDER_STOP_WAIT.toNanos());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            timer.shutdownNow();
            shared.close();
            log.close();
            coordinator.internalTelemetry().endSilenceUnder(path);
        });
        closer.start();
        try {
            TimeUnit.NANOSECONDS.timedJoin(closer, CLOSE_WAIT.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Submission<S>> unresolved = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            unresolved.addAll(pending.values());
            pending.clear();
            lock.notifyAll();
        }
        outbox.drainTo(unresolved);
        for (Submission<S> s : unresolved) {
            s.fail(closedError(s));
        }
        listeners.close();
    }

    private StateSyncException closedError(Submission<S> s) {
        return new StateSyncException(
                StateSyncException.Reason.CLOSED,
                path,
                "ReplicatedState " + path + " was closed before the command"
                        + (s.position >= 0 ? " at position " + s.position : "")
                        + " was seen applied; it may still be applied by the leader",
                null);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public Versioned<S> current() {
        synchronized (lock) {
            return current;
        }
    }

    @Override
    public boolean awaitVersion(long version, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        Deadline d = coordinator.internalAccess().deadline(timeout);
        synchronized (lock) {
            if (reached(version)) {
                return true;
            }
            if (lifecycle.state() == LifecycleState.LATENT) {
                throw new IllegalStateException(
                        "ReplicatedState " + path + " is not started; it cannot reach version " + version);
            }
            d.awaitWhile(lock, () -> !reached(version) && !closed);
            if (reached(version)) {
                return true;
            }
            if (closed) {
                throw new IllegalStateException(
                        "ReplicatedState " + path + " is closed; it cannot reach version " + version);
            }
            return false;
        }
    }

    // Guarded by lock.
    private boolean reached(long version) {
        Published<S> p = latest;
        return p != null && p.next >= version;
    }

    @Override
    public boolean isLeader() {
        return election.isLeader();
    }

    @Override
    public void addLeadershipListener(StateListener<Leadership> listener) {
        addLeadershipListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public void addLeadershipListener(StateListener<Leadership> listener, Executor executor) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(executor, "executor");
        if (lifecycle.state() == LifecycleState.CLOSED) {
            throw new IllegalStateException("ReplicatedState " + path + " is closed; cannot add a listener");
        }
        election.addListener(listener, executor);
    }

    @Override
    public boolean removeLeadershipListener(StateListener<Leadership> listener) {
        return election.removeListener(listener);
    }

    /**
     * DOWN once stopped by {@link #failure()}; UP otherwise. Details: the version applied (the
     * position of the next command), the commands submitted here and not yet resolved, and the
     * election: whether this node leads, the leader's epoch and id.
     */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        long version;
        synchronized (lock) {
            Published<S> p = latest;
            version = p == null ? 0 : p.next;
            details.put(ReportKeys.VERSION, version);
            details.put(ReportKeys.PENDING_COMMANDS, pending.size() + outbox.size());
        }
        details.put(ReportKeys.LEADER, election.isLeader());
        election.leadership().ifPresent(l -> {
            details.put(ReportKeys.EPOCH, l.epoch());
            details.put("leaderId", l.leaderId());
        });
        StateSyncException stopped = failure;
        if (stopped != null) {
            return new Health(
                    Health.Status.DOWN, "stopped at version " + version + ": " + stopped.getMessage(), details);
        }
        return new Health(Health.Status.UP, "applied up to version " + version, details);
    }

    @Override
    public Optional<StateSyncException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public void addListener(StateListener<S> listener) {
        addListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public void addListener(StateListener<S> listener, Executor executor) {
        synchronized (lock) {
            listeners.add(listener, executor);
            if (latest != null) {
                StateChange<S> initial = StateChange.of(path, ChangeKind.INITIAL, null, current);
                listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
            }
        }
        listeners.dispatch();
    }

    @Override
    public boolean removeListener(StateListener<S> listener) {
        return listeners.remove(listener);
    }

    /** Follows the published state: applies newer publications, resolves the futures they cover. */
    private final class Follow implements StateListener<Published<S>> {
        @Override
        public void onChange(StateChange<Published<S>> change) {
            Versioned<Published<S>> v = change.current().orElse(null);
            if (v == null) {
                StateSyncException error = new StateSyncException(
                        StateSyncException.Reason.NO_NODE,
                        statePath,
                        "the published state " + statePath + " was deleted; positions cannot be trusted until a"
                                + " leader publishes again",
                        null);
                LOG.warn("{}", error.getMessage());
                listeners.publish(error, l -> l.onError(error));
                return;
            }
            accept(v);
        }

        @Override
        public void onConnection(ConnectionEvent event) {
            listeners.publish(event, l -> l.onConnection(event));
        }

        @Override
        public void onError(StateSyncException error) {
            listeners.publish(error, l -> l.onError(error));
        }
    }

    private void accept(Versioned<Published<S>> v) {
        Published<S> p = v.value();
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            Published<S> before = latest;
            if (closed || (before != null && p.next <= before.next)) {
                return; // never go back, never repeat
            }
            Versioned<S> previous = before == null ? null : current;
            Versioned<S> now = Versioned.of(p.state, (int) Math.min(Integer.MAX_VALUE, p.next), v.czxid(), v.mzxid());
            current = now;
            latest = p;
            StateChange<S> change =
                    StateChange.of(path, previous == null ? ChangeKind.INITIAL : ChangeKind.UPDATED, previous, now);
            listeners.enqueue(change, l -> l.onChange(change));
            Map<Long, Submission<S>> covered = pending.headMap(p.next, false);
            for (Submission<S> s : covered.values()) {
                completions.add(resolution(s, p, now));
            }
            covered.clear();
            lock.notifyAll();
        }
        listeners.dispatch();
        completions.forEach(Runnable::run);
    }

    /** What completes a submission that a publication covers. Call under the lock; run outside. */
    private Runnable resolution(Submission<S> s, Published<S> p, Versioned<S> state) {
        long position = s.position;
        if (position < p.outcomesFrom) {
            StateSyncException unknown = new StateSyncException(
                    StateSyncException.Reason.OTHER,
                    path,
                    "the command at position " + position + " of " + path + " was consumed by the leader, but"
                            + " its outcome is no longer in the published state (more than " + rejectionRetention
                            + " rejections since); read the state to tell",
                    null);
            return () -> s.fail(unknown);
        }
        String why = p.rejections.get(position);
        if (why != null) {
            CommandRejectedException rejected = new CommandRejectedException(path, position, why, null);
            return () -> s.fail(rejected);
        }
        Applied<S> applied = new Applied<>(position, state);
        return () -> s.complete(applied);
    }

    // ---------------------------------------------------------------- submitting

    @Override
    public CompletableFuture<Applied<S>> submit(C command) {
        return submit(command, commandTimeout);
    }

    @Override
    public CompletableFuture<Applied<S>> submit(C command, Duration timeout) {
        Deadline.checkTimeout(timeout, "timeout");
        lifecycle.requireStarted();
        return probe.observeAsync("submit", () -> submitOnce(command, timeout), REJECTED);
    }

    private CompletableFuture<Applied<S>> submitOnce(C command, Duration timeout) {
        byte[] data;
        try {
            data = commandCodec.encode(command);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(commandCodec + " failed to encode the command: " + e, e);
        }
        if (data.length + APPEND_OVERHEAD > coordinator.maxValueBytes()) {
            throw new ValueTooLargeException(commandsPath, data.length + APPEND_OVERHEAD, coordinator.maxValueBytes());
        }
        Submission<S> s = new Submission<>(data);
        try {
            s.timeout = timer.schedule(() -> timeOut(s, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("ReplicatedState " + path + " is closed", e);
        }
        outbox.add(s);
        if (!lifecycle.isStarted() && outbox.remove(s)) {
            s.fail(closedError(s));
        }
        return s.future;
    }

    private void timeOut(Submission<S> s, Duration timeout) {
        synchronized (lock) {
            if (s.position >= 0) {
                pending.remove(s.position, s);
            }
        }
        if (s.withdraw()) {
            s.fail(new OperationTimeoutException(
                    path,
                    "the command was not applied within " + timeout + "; it was never sent and will not be applied",
                    OperationTimeoutException.Outcome.NOT_APPLIED,
                    null));
            return;
        }
        s.fail(new OperationTimeoutException(
                path,
                "the command" + (s.position >= 0 ? " at position " + s.position : "") + " was not applied within "
                        + timeout + "; it may still be applied",
                OperationTimeoutException.Outcome.UNKNOWN,
                null));
    }

    private void appendLoop() {
        int limit = coordinator.maxValueBytes() - APPEND_OVERHEAD;
        while (!Thread.currentThread().isInterrupted()) {
            List<Submission<S>> batch = new ArrayList<>();
            try {
                batch.add(outbox.take());
                long bytes = batch.get(0).data.length + 8L;
                while (batch.size() < maxBatch) {
                    Submission<S> next = outbox.peek();
                    if (next == null || bytes + next.data.length + 8 > limit) {
                        break;
                    }
                    batch.add(outbox.remove());
                    bytes += next.data.length + 8L;
                }
                batch.removeIf(s -> !s.send()); // timed out while waiting: not sent at all
                if (batch.isEmpty()) {
                    continue;
                }
                List<byte[]> commands = new ArrayList<>(batch.size());
                for (Submission<S> s : batch) {
                    commands.add(s.data);
                }
                long first = log.appendAll(commands);
                register(batch, first);
            } catch (InterruptedException e) {
                for (Submission<S> s : batch) {
                    s.fail(closedError(s));
                }
                return;
            } catch (StateSyncException e) {
                LOG.warn("{}: appending {} command(s) failed", path, batch.size(), e);
                for (Submission<S> s : batch) {
                    s.fail(e);
                }
            } catch (RuntimeException e) {
                LOG.error("{}: appending {} command(s) failed", path, batch.size(), e);
                StateSyncException error = new StateSyncException(
                        StateSyncException.Reason.OTHER, commandsPath, "appending the command failed: " + e, e);
                for (Submission<S> s : batch) {
                    s.fail(error);
                }
            }
        }
    }

    private void register(List<Submission<S>> batch, long first) {
        List<Runnable> completions = new ArrayList<>();
        synchronized (lock) {
            for (int i = 0; i < batch.size(); i++) {
                Submission<S> s = batch.get(i);
                s.position = first + i;
                Published<S> p = latest;
                if (closed) {
                    StateSyncException error = closedError(s);
                    completions.add(() -> s.fail(error));
                } else if (p != null && p.next > s.position) {
                    completions.add(resolution(s, p, current));
                } else if (!s.future.isDone()) {
                    pending.put(s.position, s);
                }
            }
        }
        completions.forEach(Runnable::run);
    }

    /** One submitted command and its future. */
    private static final class Submission<S> {
        final byte[] data;
        final CompletableFuture<Applied<S>> future = new CompletableFuture<>();
        /** Written by the appender before the submission is shared through the lock. */
        volatile long position = -1;

        volatile @Nullable ScheduledFuture<?> timeout;

        /** QUEUED, then SENT by the appender or WITHDRAWN by the timeout, whichever comes first. */
        private final AtomicInteger stage = new AtomicInteger(QUEUED);

        private static final int QUEUED = 0;
        private static final int SENT = 1;
        private static final int WITHDRAWN = 2;

        Submission(byte[] data) {
            this.data = data;
        }

        /** Marks the command sent; false if it was withdrawn (or has completed) first. */
        boolean send() {
            return !future.isDone() && stage.compareAndSet(QUEUED, SENT);
        }

        /** Withdraws the command if it was not sent yet. */
        boolean withdraw() {
            return stage.compareAndSet(QUEUED, WITHDRAWN);
        }

        void complete(Applied<S> applied) {
            cancelTimeout();
            future.complete(applied);
        }

        void fail(StateSyncException error) {
            cancelTimeout();
            future.completeExceptionally(error);
        }

        private void cancelTimeout() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    // ---------------------------------------------------------------- leading

    /** The leader's task: resume at the published position, apply, publish, until leadership ends. */
    private void lead(Leadership leadership) throws InterruptedException {
        probe.count(Telemetry.Event.REPLICATED_LEADER);
        while (true) {
            try {
                applyLoop(leadership);
                return;
            } catch (VersionConflictException e) {
                // Our read of the state lagged behind a publication; read again (still guarded).
                LOG.info("{}: the published state moved under the leader; resuming from a fresh read", path);
            }
        }
    }

    private void applyLoop(Leadership leadership) throws InterruptedException {
        Versioned<byte[]> raw = readOrCreateStateUntilConnected();
        Published<S> published;
        try {
            Published.checkLayout(statePath, raw.value());
            published =
                    Codecs.decode(new Published.PublishedCodec<>(stateCodec), statePath, raw.version(), raw.value());
        } catch (DecodingException | IncompatibleLayoutException e) {
            halt(e);
            return;
        }
        int version = raw.version();
        S state = published.state;
        long next = published.next;
        NavigableMap<Long, String> rejections = new TreeMap<>(published.rejections);
        long outcomesFrom = published.outcomesFrom;
        long compactedBefore = 0;
        LOG.info("{}: leading (epoch 0x{}) from position {}", path, Long.toHexString(leadership.epoch()), next);

        LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        EventSubscription<byte[]> sub = log.subscription(next, UndecodablePolicy.SKIP);
        coordinator.internalRecipes().unlist(sub);
        sub.addListener(
                new StateListener<LogEvent<byte[]>>() {
                    @Override
                    public void onChange(StateChange<LogEvent<byte[]>> change) {
                        change.current().ifPresent(v -> inbox.add(v.value()));
                    }

                    @Override
                    public void onError(StateSyncException error) {
                        if (sub.failure().isPresent()) {
                            inbox.add(error);
                        }
                    }
                },
                Runnable::run);
        sub.start();
        try {
            while (true) {
                List<Object> taken = new ArrayList<>();
                taken.add(inbox.take());
                inbox.drainTo(taken, maxBatch - 1);
                List<LogEvent<byte[]>> batch = new ArrayList<>(taken.size());
                for (Object o : taken) {
                    if (o instanceof StateSyncException error) {
                        throw error;
                    }
                    @SuppressWarnings("unchecked")
                    LogEvent<byte[]> event = (LogEvent<byte[]>) o;
                    batch.add(event);
                }
                Batch<S> result = apply(state, next, rejections, outcomesFrom, batch, leadership.epoch());
                if (result.next > next) {
                    try {
                        election.write(GuardedWrite.of().setData(statePath, result.encoded, version));
                    } catch (StateSyncException e) {
                        LOG.info(
                                "{}: publishing positions {} to {} was refused or lost ({}); this apply loop ends",
                                path,
                                next,
                                result.next - 1,
                                e.getMessage());
                        throw e;
                    }
                    version++;
                    probe.record(Telemetry.Event.BATCH, result.next - next);
                    state = result.state;
                    next = result.next;
                    rejections = result.rejections;
                    outcomesFrom = result.outcomesFrom;
                    long keepFrom = next - retainCommands;
                    if (keepFrom >= compactedBefore + COMPACT_STEP) {
                        try {
                            log.truncateBefore(keepFrom);
                            compactedBefore = keepFrom;
                        } catch (StateSyncException e) {
                            LOG.warn("{}: compacting the command log before {} failed; will retry", path, keepFrom, e);
                        }
                    }
                }
                if (result.stop != null) {
                    halt(result.stop);
                    return;
                }
            }
        } finally {
            sub.close();
        }
    }

    /** Stops applying until leadership ends; the error is reported. */
    private void halt(StateSyncException error) throws InterruptedException {
        failure = error;
        LOG.error("{}: the leader stops applying commands: {}", path, error.getMessage());
        new CountDownLatch(1).await(); // until leadership ends and the task is interrupted
    }

    /**
     * Reads the published state, creating it with the initial value if it does not exist. Each try
     * is one pass against the coordinator's operation timeout, every request through the one retry
     * loop; behind a dead connection a pass ends by that deadline and the leader waits for the
     * connection (its leadership's end interrupts the wait) before it tries again.
     */
    private Versioned<byte[]> readOrCreateStateUntilConnected() throws InterruptedException {
        while (true) {
            try {
                return readOrCreateState(coordinator.internalAccess().defaultDeadline());
            } catch (StateSyncException e) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("the leader of " + path + " stopped while reading its state");
                }
                switch (e.reason()) {
                    case TIMEOUT, CONNECTION_LOSS, SESSION_EXPIRED -> {
                        LOG.debug("{}: reading the published state failed; retrying once connected", path, e);
                        awaitConnection();
                    }
                    default -> throw e;
                }
            }
        }
    }

    /** Waits until the coordinator is connected; an interrupt (leadership ended) ends the wait. */
    private void awaitConnection() throws InterruptedException {
        while (true) {
            try {
                coordinator.awaitConnected(coordinator.operationTimeout());
                return;
            } catch (OperationTimeoutException e) {
                // still disconnected: wait on
            }
        }
    }

    private Versioned<byte[]> readOrCreateState(Deadline d) {
        String what = "read of the published state of " + path;
        ZkAccess access = coordinator.internalAccess();
        Optional<Versioned<byte[]>> raw =
                access.read(statePath, d, what, OperationTimeoutException.Outcome.NOT_APPLIED);
        if (raw.isEmpty()) {
            // Safe to repeat: an existing znode is taken as it is.
            access.createIfAbsent(
                    statePath,
                    initialPublished,
                    CreateMode.PERSISTENT,
                    d,
                    what,
                    OperationTimeoutException.Outcome.UNKNOWN);
            raw = access.read(statePath, d, what, OperationTimeoutException.Outcome.NOT_APPLIED);
        }
        return raw.orElseThrow(() -> new StateSyncException(
                StateSyncException.Reason.NO_NODE, statePath, "the published state vanished", null));
    }

    /** The outcome of applying one batch. */
    private static final class Batch<S> {
        final S state;
        final long next;
        final NavigableMap<Long, String> rejections;
        final long outcomesFrom;
        final byte[] encoded;
        final @Nullable StateSyncException stop;

        Batch(
                S state,
                long next,
                NavigableMap<Long, String> rejections,
                long outcomesFrom,
                byte[] encoded,
                @Nullable StateSyncException stop) {
            this.state = state;
            this.next = next;
            this.rejections = rejections;
            this.outcomesFrom = outcomesFrom;
            this.encoded = encoded;
            this.stop = stop;
        }
    }

    /** A decoded command, or why it cannot be applied. */
    private static final class Decoded<C> {
        final @Nullable C command;
        final @Nullable String rejection;

        Decoded(@Nullable C command, @Nullable String rejection) {
            this.command = command;
            this.rejection = rejection;
        }
    }

    private Batch<S> apply(
            S state,
            long next,
            NavigableMap<Long, String> rejectionsBefore,
            long outcomesFromBefore,
            List<LogEvent<byte[]>> batch,
            long epoch) {
        // Decode every command once (an undecodable one is reported once, even if the batch is redone).
        List<Decoded<C>> decoded = new ArrayList<>(batch.size());
        StateSyncException stop = null;
        long position = next;
        for (LogEvent<byte[]> event : batch) {
            if (event.position() != position) {
                throw new IllegalStateException(
                        "command log of " + path + " skipped from " + position + " to " + event.position());
            }
            try {
                decoded.add(new Decoded<>(Codecs.decode(commandCodec, commandsPath, -1, event.event()), null));
            } catch (DecodingException e) {
                CommandRejectedException error =
                        new CommandRejectedException(path, position, "does not decode: " + e.getMessage(), e);
                LOG.warn("{}", error.getMessage());
                listeners.publish(error, l -> l.onError(error));
                if (undecodablePolicy == UndecodablePolicy.STOP) {
                    stop = error;
                    break;
                }
                decoded.add(new Decoded<>(null, Published.clip("does not decode: " + e.getCause())));
            }
            position++;
        }
        // Fast path: the whole batch, encoded once.
        NavigableMap<Long, String> rejections = new TreeMap<>(rejectionsBefore);
        S s = state;
        long n = next;
        for (Decoded<C> d : decoded) {
            String why = d.rejection;
            if (why == null) {
                Step<S> out = step(s, d.command);
                why = out.rejection;
                if (out.state != null) {
                    s = out.state;
                }
            }
            if (why != null) {
                rejections.put(n, why);
            }
            n++;
        }
        long outcomesFrom = trim(rejections, outcomesFromBefore);
        int max = coordinator.maxValueBytes();
        byte[] encoded = null;
        try {
            encoded = Published.encode(n, epoch, outcomesFrom, rejections, stateCodec.encode(s));
        } catch (RuntimeException e) {
            LOG.warn("{}: the state after a batch does not encode; applying the batch command by command", path, e);
        }
        if (encoded != null && encoded.length <= max) {
            return new Batch<>(s, n, rejections, outcomesFrom, encoded, stop);
        }
        // Slow path: one command at a time, rejecting each one that would make the state too large.
        rejections = new TreeMap<>(rejectionsBefore);
        outcomesFrom = outcomesFromBefore;
        s = state;
        n = next;
        for (Decoded<C> d : decoded) {
            String why = d.rejection;
            if (why == null) {
                Step<S> out = step(s, d.command);
                why = out.rejection;
                S candidate = out.state;
                if (candidate != null) {
                    NavigableMap<Long, String> trial = new TreeMap<>(rejections);
                    long trialFrom = trim(trial, outcomesFrom);
                    try {
                        int size =
                                Published.encode(n + 1, epoch, trialFrom, trial, stateCodec.encode(candidate)).length;
                        if (size > max) {
                            why = "the state would publish as " + size + " bytes, over the coordinator's limit of "
                                    + max;
                        } else {
                            s = candidate;
                        }
                    } catch (RuntimeException e) {
                        why = Published.clip("the state codec failed to encode the new state: " + e);
                    }
                }
            }
            if (why != null) {
                rejections.put(n, why);
                outcomesFrom = trim(rejections, outcomesFrom);
            }
            n++;
        }
        encoded = Published.encode(n, epoch, outcomesFrom, rejections, stateCodec.encode(s));
        if (encoded.length > max) {
            throw new ValueTooLargeException(statePath, encoded.length, max);
        }
        return new Batch<>(s, n, rejections, outcomesFrom, encoded, stop);
    }

    /** The new state, or why the function rejected the command. */
    private static final class Step<S> {
        final @Nullable S state;
        final @Nullable String rejection;

        Step(@Nullable S state, @Nullable String rejection) {
            this.state = state;
            this.rejection = rejection;
        }
    }

    private Step<S> step(S state, @Nullable C command) {
        if (command == null) {
            return new Step<>(null, "no command");
        }
        try {
            S out = function.apply(state, command);
            if (out == null) {
                return new Step<>(null, "the function returned null");
            }
            return new Step<>(out, null);
        } catch (RuntimeException e) {
            return new Step<>(null, Published.clip(e.toString()));
        }
    }

    /** Keeps the newest {@code rejectionRetention} rejections; returns the new outcomesFrom. */
    private long trim(NavigableMap<Long, String> rejections, long outcomesFrom) {
        long from = outcomesFrom;
        while (rejections.size() > rejectionRetention) {
            Long oldest = rejections.firstKey();
            rejections.remove(oldest);
            from = oldest + 1;
        }
        return from;
    }
}
