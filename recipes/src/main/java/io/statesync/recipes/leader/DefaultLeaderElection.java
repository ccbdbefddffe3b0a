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
package io.statesync.recipes.leader;

import io.statesync.core.AccessDeniedException;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateListener;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.ServerSilence;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.GuaranteedDelete;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The election: its lifecycle, listeners, connection events, queries and the state every part of it
 * shares. All ZooKeeper work runs serially on {@link #loop}, one pass at a time ({@link ElectionPass});
 * connection losses are handled synchronously on the coordinator's event thread ({@link
 * #onConnection}); guarded writes go through {@link LeaderWrites}, the task through {@link
 * TaskRunner}. Every field below {@link #lock} is guarded by it, and the package-private ones are
 * read and written by the pass and the writes under that lock.
 */
final class DefaultLeaderElection extends AbstractRecipe<Leadership>
        implements LeaderElection, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultLeaderElection.class);

    /**
     * How long {@link #close()} waits, while connected, for the handover (the delete of this node's
     * znode) once the task has ended; past it the handover goes on in the background.
     */
    static final Duration CLOSE_BOUND = Coordinator.CLOSE_WAIT;

    final String path;
    final String participantId;
    final String metadata;
    /** Set by the builder, or {@code null} for the default derived from the granted session timeout. */
    private final @Nullable Duration takeoverDelay;

    final String name;

    /** The election's znodes: every request the election sends, and the watches it sets. */
    final ElectionNodes nodes;

    final ScheduledThreadPoolExecutor loop;
    /** The task, its stop reports and the suspend grace. */
    final TaskRunner tasks;
    /** The guarded writes, and the check before each scheduled tick. */
    private final LeaderWrites writes;
    /** The pass that keeps this node's place in line, its scheduling and its retries. */
    private final ElectionPass pass;
    /** Unregisters {@link #stepDownOnSilence()} from the coordinator's watchdog; set on start. */
    private volatile ServerSilence.Registration silenceAction = () -> {};

    // Everything below is guarded by lock.
    boolean closed;

    boolean connected;
    /** Bumped on every connection transition that may invalidate a refresh in flight, and on step-down. */
    long generation;
    /** This participant's znode, or null while it has none. */
    @Nullable
    String ourPath;

    boolean leader;
    /** The znode this node claimed leadership with (kept after a loss step-down for the handover marker). */
    @Nullable
    String claimedPath;

    long claimedEpoch;
    /** The session that owns ourPath. */
    long ourSession;
    /** Our znode of a session this client gave up; deleted (once our task has ended) so it does not hold the line. */
    @Nullable
    String stalePath;
    /** The session that owns stalePath. */
    private long staleSession;

    boolean requeueRequested;
    final List<CompletableFuture<Void>> requeueWaiters = new ArrayList<>();
    private boolean releaseOnTaskEnd;

    final Telemetry.Probe probe;

    /** The leadership shown to listeners. */
    final LeadershipView view;

    DefaultLeaderElection(
            Coordinator coordinator,
            String path,
            String participantId,
            String metadata,
            @Nullable LeaderTask task,
            @Nullable Duration period,
            Duration stopTimeout,
            Duration suspendGrace,
            @Nullable Duration takeoverDelay,
            @Nullable Consumer<TaskStop> onTaskStop,
            ScheduledThreadPoolExecutor loop) {
        super(coordinator, "LeaderElection " + path + " [" + participantId + "]");
        this.path = path;
        this.participantId = participantId;
        this.metadata = metadata;
        this.takeoverDelay = takeoverDelay;
        this.name = "LeaderElection " + path + " [" + participantId + "]";
        this.view = new LeadershipView(path, listeners);
        this.nodes = new ElectionNodes(
                coordinator, path, name, Participants.encode(participantId, metadata), this::scheduleRefresh);
        this.loop = loop;
        this.probe = coordinator.internalTelemetry().probe(name, path);
        this.writes = new LeaderWrites(this);
        this.tasks = new TaskRunner(
                coordinator,
                name,
                participantId,
                task,
                period,
                stopTimeout,
                suspendGrace,
                onTaskStop,
                this::taskEnded,
                writes::stillLeads);
        tasks.probe = probe;
        this.pass = new ElectionPass(this);
        coordinator.internalRecipes().register("LeaderElection", path, this);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    protected void doStart() {
        synchronized (lock) {
            connected = coordinator.isConnected();
        }
        silenceAction = coordinator.internalAccess().silence().onPastLimit(this::stepDownOnSilence);
        scheduleRefresh();
    }

    @Override
    protected void doClose(LifecycleState previous) {
        if (previous == LifecycleState.LATENT) {
            loop.shutdownNow();
            tasks.shutdownNow();
            return;
        }
        silenceAction.close();
        TaskRunner.Run run;
        List<CompletableFuture<Void>> waiters;
        synchronized (lock) {
            closed = true;
            stepDown(TaskStop.Reason.CLOSED);
            run = tasks.last();
            waiters = new ArrayList<>(requeueWaiters);
            requeueWaiters.clear();
            lock.notifyAll();
        }
        waiters.forEach(w -> w.complete(null));
        boolean interrupted = false;
        boolean taskEnded = true;
        if (run != null && run.isCaller()) {
            taskEnded = false; // closed by the task itself: its znode goes once it returns
        } else if (run != null) {
            try {
                taskEnded = run.awaitEnd(tasks.stopTimeout());
            } catch (InterruptedException e) {
                interrupted = true;
                taskEnded = run.isEnded();
            }
        }
        boolean cleanNow;
        boolean online;
        synchronized (lock) {
            online = connected && coordinator.isConnected();
            // If the task ignores its interrupt, keep the znode until it ends: no successor beside it.
            cleanNow = taskEnded || run == null || run.isEnded();
            releaseOnTaskEnd = !cleanNow;
        }
        if (cleanNow) {
            try {
                Future<?> cleanup = loop.submit(this::releaseOnClose);
                loop.shutdown();
                if (!interrupted && online) {
                    // Offline, the delete is left to the guaranteed delete, or to the server when the
                    // session ends: close does not wait on a dead connection, nor past CLOSE_BOUND
                    // on a silent one (the handover then finishes on the election's thread).
                    cleanup.get(CLOSE_BOUND.toNanos(), TimeUnit.NANOSECONDS);
                }
            } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
                LOG.warn("{}: releasing the election znode on close did not finish: {}", name, e.toString());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        } else {
            if (run != null && !run.isCaller()) {
                run.reportIfOverrun();
                LOG.error(
                        "{}: the task did not end within {} of its interrupt; the election znode is kept until"
                                + " it ends, so that no successor runs beside it",
                        name,
                        tasks.stopTimeout());
            }
            loop.shutdown();
        }
        tasks.shutdown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Deletes this node's znode at close, with a clean handover if it led, within the coordinator's
     * operation timeout; removes the watches. Offline, or if the delete is not confirmed in time, the
     * znodes are left to the {@link GuaranteedDelete} (deleted on the next connection, or by the
     * server when the session ends with the coordinator).
     */
    private void releaseOnClose() {
        String mine;
        long mineSession;
        String stale;
        long staleOwner;
        boolean online;
        synchronized (lock) {
            mine = ourPath;
            mineSession = ourSession;
            ourPath = null;
            stale = stalePath;
            staleOwner = staleSession;
            stalePath = null;
            online = connected && coordinator.isConnected();
        }
        if (coordinator.state() == LifecycleState.CLOSED) {
            return; // the session ended with the coordinator, and its znodes and watches with it
        }
        if (stale != null) {
            nodes.deleteLater(stale, staleOwner);
        }
        if (mine != null && !online) {
            nodes.deleteLater(mine, mineSession);
        } else if (mine != null) {
            try {
                // Within the operation timeout, as a pass of the election.
                pass.release(mine, coordinator.internalAccess().defaultDeadline());
            } catch (RuntimeException e) {
                LOG.warn("{}: deleting {} on close failed ({}); retrying on reconnection", name, mine, e.toString());
                nodes.deleteLater(mine, mineSession);
            }
        }
        // From the server, and from the handle even if the request cannot reach the server.
        nodes.removeWatches();
    }

    // ---------------------------------------------------------------- queries

    @Override
    public String participantId() {
        return participantId;
    }

    @Override
    public boolean isLeader() {
        stepDownOnSilence();
        synchronized (lock) {
            return leader;
        }
    }

    @Override
    public Optional<Leadership> leadership() {
        synchronized (lock) {
            return Optional.ofNullable(view.current());
        }
    }

    @Override
    public Optional<String> currentLeader() {
        return leadership().map(Leadership::leaderId);
    }

    @Override
    public Optional<TaskStop> lastTaskStop() {
        return tasks.lastStop();
    }

    @Override
    public List<String> participants() throws InterruptedException {
        return participants(coordinator.operationTimeout());
    }

    @Override
    public List<String> participants(Duration timeout) throws InterruptedException {
        Deadline.checkTimeout(timeout, "timeout");
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException(name + ": interrupted before reading the participants");
        }
        // Reads only, each repeated after a lost connection by the one retry loop, all within one deadline.
        return nodes.participantIds(coordinator.internalAccess().deadline(timeout));
    }

    @Override
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (lifecycle.state() == LifecycleState.LATENT) {
            lifecycle.requireStarted();
        }
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        synchronized (lock) {
            boolean led = deadline.awaitWhile(lock, () -> !leader && !closed && pass.denied() == null) && leader;
            AccessDeniedException error = pass.denied();
            if (!led && error != null && !closed) {
                throw new AccessDeniedException(error.path(), name + ": " + error.getMessage(), error);
            }
            return led;
        }
    }

    @Override
    public void relinquish() throws InterruptedException {
        relinquish(coordinator.operationTimeout());
    }

    @Override
    public void relinquish(Duration timeout) throws InterruptedException {
        Deadline.checkTimeout(timeout, "timeout");
        lifecycle.requireStarted();
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean fromTask;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(name + " is CLOSED");
            }
            fromTask = tasks.onTaskThread();
            stepDown(TaskStop.Reason.RELINQUISHED);
            requeueRequested = true;
            if (!fromTask) {
                requeueWaiters.add(done);
            }
        }
        listeners.dispatch();
        scheduleRefresh();
        if (fromTask) {
            return; // the re-queue waits for the task to return; waiting here would never end
        }
        try {
            deadline.await(done);
        } catch (ExecutionException e) {
            throw ZkErrors.translate(Objects.requireNonNullElse(e.getCause(), e), path);
        } catch (TimeoutException e) {
            // Leadership was given up at once; only the return to the line is not confirmed yet.
            throw new OperationTimeoutException(
                    path,
                    name + ": gave up leadership, but was not back in line within " + timeout
                            + " (a silent partition?); it re-queues in the background",
                    OperationTimeoutException.Outcome.UNKNOWN,
                    null);
        }
    }

    @Override
    public void write(GuardedWrite write) throws InterruptedException {
        write(write, coordinator.operationTimeout());
    }

    @Override
    public void write(GuardedWrite write, Duration timeout) throws InterruptedException {
        writes.write(write, timeout);
    }

    // ---------------------------------------------------------------- listeners

    @Override
    protected void replayInitial(StateListener<Leadership> listener) {
        view.replayTo(listener);
    }

    /** The election's lock, which its parts ({@link ElectionPass}, {@link LeaderWrites}) share. */
    Object lock() {
        return lock;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    ListenerSet<StateListener<Leadership>> listeners() {
        return listeners;
    }

    // ---------------------------------------------------------------- connection events

    /** On the coordinator's event thread, in order: give up first, then tell listeners. */
    @Override
    protected void onConnection(ConnectionEvent event) {
        boolean refresh = false;
        synchronized (lock) {
            if (closed) {
                return;
            }
            switch (event.kind()) {
                case SUSPENDED -> {
                    connected = false;
                    generation++;
                    if (event.isLoss()) {
                        if (leader && tasks.hasGrace()) {
                            tasks.startGrace(this::graceExpired);
                        } else {
                            stepDown(TaskStop.Reason.CONNECTION_SUSPENDED);
                            view.gap();
                            view.show(null);
                        }
                    }
                }
                case LOST -> {
                    connected = false;
                    generation++;
                    tasks.cancelGrace();
                    stepDown(TaskStop.Reason.SESSION_LOST);
                    forgetOurPath();
                    view.gap();
                    view.show(null);
                }
                case READ_ONLY -> {
                    connected = false;
                    generation++;
                }
                case CONNECTED, RECONNECTED -> {
                    connected = true;
                    tasks.cancelGrace();
                    if (event.isNewSession() && event.sessionId() != ourSession) {
                        // Even if LOST was never reported (CURATOR-220): the old session is gone.
                        generation++;
                        stepDown(TaskStop.Reason.NEW_SESSION);
                        forgetOurPath();
                        view.gap();
                    }
                    refresh = true;
                }
            }
            listeners.enqueue(event, l -> l.onConnection(event));
        }
        listeners.dispatch();
        if (refresh) {
            scheduleRefresh();
        }
    }

    /** Our session is gone: its znode goes too (the server deletes it when it expires the session). Under lock. */
    private void forgetOurPath() {
        if (ourPath != null) {
            stalePath = ourPath;
            staleSession = ourSession;
        }
        ourPath = null;
    }

    /**
     * The server silent past the loss policy's limit (see {@link
     * io.statesync.core.internal.ServerSilence}), seen before the client reported it: the task stops
     * now, as on a loss. Without a suspend grace only; with one, the task runs on as it would through
     * SUSPENDED. A refresh follows, which leads again if the session survived.
     */
    private void stepDownOnSilence() {
        synchronized (lock) {
            if (closed || !leader || tasks.hasGrace()) {
                return;
            }
        }
        String why = coordinator.internalAccess().silence().pastLimit();
        if (why == null) {
            return;
        }
        synchronized (lock) {
            if (closed || !leader) {
                return;
            }
            LOG.warn("{}: {}", name, why);
            // The reason the client's report would give: the silence is that report, seen earlier.
            stepDown(
                    coordinator.connectionLossPolicy() == ConnectionLossPolicy.ON_LOST
                            ? TaskStop.Reason.SESSION_LOST
                            : TaskStop.Reason.CONNECTION_SUSPENDED);
            view.gap();
            view.show(null);
        }
        listeners.dispatch();
        scheduleRefresh();
    }

    private void graceExpired(long token) {
        synchronized (lock) {
            if (closed || connected || !tasks.graceExpired(token)) {
                return;
            }
            stepDown(TaskStop.Reason.CONNECTION_SUSPENDED);
            view.gap();
            view.show(null);
        }
        listeners.dispatch();
    }

    // ---------------------------------------------------------------- leading

    /** Gives up leadership, if held: interrupts the task and shows no leader. Under lock. */
    void stepDown(TaskStop.Reason reason) {
        if (!leader) {
            return;
        }
        leader = false;
        probe.count(Telemetry.Event.STEPPED_DOWN);
        generation++;
        tasks.stop(reason);
        LOG.info("{}: gave up leadership ({})", name, reason);
        view.show(null);
        lock.notifyAll();
    }

    /** Asks for a pass of the election on its serial loop (requests coalesce). */
    private void scheduleRefresh() {
        pass.scheduleRefresh();
    }

    // ---------------------------------------------------------------- the task

    /** A run of the task returned, on its thread. */
    private void taskEnded(TaskRunner.Run run) {
        boolean releaseNow;
        synchronized (lock) {
            if (tasks.isCurrent(run)) {
                // The task returned by itself while leading: hand leadership on.
                stepDown(TaskStop.Reason.TASK_ENDED);
                requeueRequested = true;
            }
            releaseNow = closed && releaseOnTaskEnd && tasks.last() == run;
            if (releaseNow) {
                releaseOnTaskEnd = false;
            }
            lock.notifyAll();
        }
        run.reportEnd();
        if (releaseNow) {
            releaseOnClose();
        }
        listeners.dispatch();
        scheduleRefresh();
    }

    /**
     * The wait before leading after an unclean handover: as set, or the stop timeout plus a third of
     * the session timeout the server granted (never the requested one, which the server may have
     * changed).
     */
    Duration takeoverDelay() {
        Duration set = takeoverDelay;
        return set != null
                ? set
                : tasks.stopTimeout()
                        .plus(coordinator.negotiatedSessionTimeout().dividedBy(3));
    }

    /**
     * DOWN while this node stays out of the election because its znode is in a newer release's
     * layout; UP otherwise. Details: whether it leads, the epoch and id of the leader it knows.
     */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("participantId", participantId);
        boolean refused;
        boolean leads;
        Leadership known;
        synchronized (lock) {
            leads = leader;
            known = view.current();
            details.put("participating", ourPath != null);
            details.put(ReportKeys.LEADER, leads);
            if (known != null) {
                details.put(ReportKeys.EPOCH, known.epoch());
                details.put("leaderId", known.leaderId());
            }
            if (tasks.hasTask()) {
                details.put("taskRunning", tasks.isRunning());
            }
            refused = pass.layoutRefused() && ourPath == null;
        }
        if (refused) {
            return new Health(
                    Health.Status.DOWN, "not participating: the election's znode is in a newer layout", details);
        }
        String reason = leads
                ? "leading with epoch " + (known == null ? "unknown" : known.epoch())
                : known == null
                        ? "no leader known"
                        : "following " + known.leaderId() + " (epoch " + known.epoch() + ")";
        return new Health(Health.Status.UP, reason, details);
    }

    @Override
    public String toString() {
        return name + " " + lifecycle.state();
    }
}
