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
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of {@link ReplicatedState}; see its Javadoc and docs/replication.md. It owns
 * the lifecycle and the listeners, the follower side (the local view of the published state, and the
 * futures a publication completes) and the submitting side (the appender, which batches this node's
 * commands into the command log). The leader side, applying commands and publishing, is its {@link
 * Writer}; a submitted command is a {@link Submission}. The command log is its own (a ZooKeeper log
 * at {@code path/commands}, started and closed with it) or the builder's {@code commandLog}, which
 * its owner starts and closes.
 */
final class DefaultReplicatedState<S, C> extends AbstractRecipe<S>
        implements ReplicatedState<S, C>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultReplicatedState.class);

    /** Room left in an append batch for the event log's headers. */
    private static final int APPEND_OVERHEAD = 512;

    /**
     * Room counted per command in an append batch: the length prefix in a ZooKeeper log's batch
     * znode; a given log (e.g. on Kafka, about 0.5 KB of headers per record) gets the larger room.
     */
    private static final int OWN_LOG_COMMAND_OVERHEAD = 8;
    /** The longest {@link #close()} waits for its parts to close. */
    static final Duration CLOSE_WAIT = Coordinator.CLOSE_WAIT;

    /** The longest the background part of {@link #close()} waits for the interrupted appender. */
    private static final Duration APPENDER_STOP_WAIT = Duration.ofSeconds(60);

    /** A submit whose command the state refused ends {@code "rejected"} in metrics and traces. */
    private static final Telemetry.Outcomes REJECTED = e -> e instanceof CommandRejectedException ? "rejected" : null;

    private final String path;
    private final String statePath;
    private final String commandsPath;
    private final Codec<C> commandCodec;
    private final int maxBatch;
    private final Duration commandTimeout;
    private final int rejectionRetention;

    private final Telemetry.Probe probe;
    private final EventLog<byte[]> log;
    /** Whether the command log is this recipe's own (started and closed with it). */
    private final boolean ownsLog;

    private final Duration appendTimeout;
    private final SharedState<Published<S>> shared;
    private final LeaderElection election;
    private final Writer<S, C> writer;
    private final LinkedBlockingQueue<Submission<S>> outbox = new LinkedBlockingQueue<>();
    private final Thread appender;
    private final ScheduledThreadPoolExecutor timer;
    private final StateListener<Published<S>> follower = new Follow();

    /** Guarded by {@link #lock}. */
    private Versioned<S> current;
    /** Guarded by {@link #lock}: the newest publication applied, or null before the first. */
    private @Nullable Published<S> latest;
    /** Guarded by {@link #lock}: submissions appended and not yet resolved, by position. */
    private final TreeMap<Long, Submission<S>> pending = new TreeMap<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /**
     * A replicated state as its builder describes it (the builder has checked every option).
     *
     * @param b the builder
     * @param appendTimeout the command log's append timeout, resolved by the builder
     */
    DefaultReplicatedState(ReplicatedState.Builder<S, C> b, Duration appendTimeout) {
        super(b.coordinator, "ReplicatedState " + b.path);
        Coordinator coordinator = b.coordinator;
        String path = b.path;
        S initial = b.initial;
        Codec<S> stateCodec = b.stateCodec;
        this.commandCodec = b.commandCodec;
        this.maxBatch = b.maxBatch;
        this.commandTimeout = b.commandTimeout;
        this.rejectionRetention = b.rejectionRetention;
        String participantId = b.participantId;
        Duration takeoverDelay = b.takeoverDelay;
        this.path = path;
        this.statePath = path + "/state";
        String owner = "ReplicatedState " + path;
        this.current = Versioned.of(initial, 0, 0, 0);
        Published.PublishedCodec<S> publishedCodec = new Published.PublishedCodec<>(stateCodec, statePath);
        EventLog<byte[]> given = b.commandLog;
        this.ownsLog = given == null;
        this.log = given != null
                ? given
                : EventLog.builder(coordinator, path + "/commands", Codec.bytes())
                        .appendTimeout(appendTimeout)
                        .build();
        this.commandsPath = log.path();
        this.appendTimeout = appendTimeout;
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
        if (ownsLog) {
            recipes.unlist(log); // a given log is its owner's, reported as it is
        }
        recipes.unlist(shared);
        recipes.unlist(election);
        recipes.register("ReplicatedState", path, this);
        coordinator.internalTelemetry().silenceUnder(path); // its parts: it reports its calls itself
        this.probe = coordinator.internalTelemetry().probe(owner, path);
        this.writer = new Writer<>(b, log, ownsLog || b.retainCommandsSet, election, listeners, probe);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    protected void doStart() {
        if (ownsLog) {
            log.start();
        } else if (log.state() != LifecycleState.STARTED) {
            throw new IllegalStateException("ReplicatedState " + path + ": its commandLog " + log.path() + " is "
                    + log.state() + "; start it before the replicated state");
        }
        shared.addListener(follower, Runnable::run);
        shared.start();
        appender.start();
        election.start();
    }

    /** Connection transitions reach the listeners through the published state's (see {@link Follow}). */
    @Override
    protected void onConnection(ConnectionEvent event) {}

    @Override
    protected void doClose(LifecycleState previous) {
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
            if (ownsLog) {
                log.close();
            }
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
    public long version() {
        synchronized (lock) {
            Published<S> p = latest;
            return p == null ? 0 : p.next;
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
        StateSyncException stopped = writer.failure();
        if (stopped != null) {
            return new Health(
                    Health.Status.DOWN, "stopped at version " + version + ": " + stopped.getMessage(), details);
        }
        return new Health(Health.Status.UP, "applied up to version " + version, details);
    }

    @Override
    public Optional<StateSyncException> failure() {
        return Optional.ofNullable(writer.failure());
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    protected void replayInitial(StateListener<S> listener) {
        if (latest != null) {
            StateChange<S> initial = StateChange.of(path, ChangeKind.INITIAL, null, current, latest.next);
            listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
        }
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
            Versioned<S> now = Versioned.of(p.state, v.version(), v.czxid(), v.mzxid());
            current = now;
            latest = p;
            StateChange<S> change = StateChange.of(
                    path, previous == null ? ChangeKind.INITIAL : ChangeKind.UPDATED, previous, now, p.next);
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
        if (Writer.SKIPPED.equals(why)) {
            StateSyncException unknown = new StateSyncException(
                    StateSyncException.Reason.OTHER,
                    path,
                    "the command log " + commandsPath + " passed over position " + position + " (a second copy of"
                            + " the append, which its readers skip): the command was consumed once, at an earlier"
                            + " position, with an outcome not known here; read the state to tell",
                    null);
            return () -> s.fail(unknown);
        }
        if (why != null) {
            CommandRejectedException rejected = new CommandRejectedException(path, position, why, null);
            return () -> s.fail(rejected);
        }
        Applied<S> applied = new Applied<>(position, state);
        return () -> s.complete(applied);
    }

    // ---------------------------------------------------------------- leading

    /** The election's task: this node leads; its {@link Writer} applies and publishes. */
    private void lead(Leadership leadership) throws InterruptedException {
        writer.lead(leadership);
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
        int perCommand = ownsLog ? OWN_LOG_COMMAND_OVERHEAD : APPEND_OVERHEAD;
        while (!Thread.currentThread().isInterrupted()) {
            List<Submission<S>> batch = new ArrayList<>();
            try {
                batch.add(outbox.take());
                long bytes = (long) batch.get(0).data.length + perCommand;
                while (batch.size() < maxBatch) {
                    Submission<S> next = outbox.peek();
                    if (next == null || bytes + next.data.length + perCommand > limit) {
                        break;
                    }
                    batch.add(outbox.remove());
                    bytes += (long) next.data.length + perCommand;
                }
                batch.removeIf(s -> !s.send()); // timed out while waiting: not sent at all
                if (batch.isEmpty()) {
                    continue;
                }
                List<byte[]> commands = new ArrayList<>(batch.size());
                for (Submission<S> s : batch) {
                    commands.add(s.data);
                }
                // The own log was built with this timeout; a given log is told it per append.
                long first = ownsLog ? log.appendAll(commands) : log.appendAll(commands, appendTimeout);
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
}
