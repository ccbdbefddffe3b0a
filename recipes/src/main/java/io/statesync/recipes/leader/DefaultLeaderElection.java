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
import io.statesync.core.ConnectionListener;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.Health;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.LifecycleState;
import io.statesync.core.NotLeaderException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.SessionExpiredException;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Ticker;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.AccessDenials;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.recipes.internal.GuardedWrites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The election. All ZooKeeper work runs serially on {@link #loop} ({@link #refresh()}); connection
 * losses are handled synchronously on the coordinator's event thread ({@link #onConnection}); every
 * field below {@link #lock} is guarded by it.
 */
final class DefaultLeaderElection implements LeaderElection, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultLeaderElection.class);
    private static final long RETRY_MILLIS = 250;
    /** The longest wait between retries while access is denied. */
    private static final long MAX_DENIED_RETRY_MILLIS = 30_000;

    /**
     * How long {@link #close()} waits, while connected, for the handover (the delete of this node's
     * znode) once the task has ended; past it the handover goes on in the background.
     */
    static final Duration CLOSE_BOUND = Coordinator.CLOSE_WAIT;

    private final Coordinator coordinator;
    /** The coordinator's ticker: every time rule of the election and its task reads it. */
    private final Ticker ticker;

    private final String path;
    private final String participantId;
    private final String metadata;
    /** Set by the builder, or {@code null} for the default derived from the granted session timeout. */
    private final @Nullable Duration takeoverDelay;

    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<StateListener<Leadership>> listeners;

    /** The election's znodes: every request the election sends, and the watches it sets. */
    private final ElectionNodes nodes;

    private final ConnectionListener connectionListener = this::onConnection;
    private final ScheduledThreadPoolExecutor loop;
    /** The task, its stop reports and the suspend grace. */
    private final TaskRunner tasks;

    private final AtomicBoolean refreshQueued = new AtomicBoolean();

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private boolean closed;
    /** Guarded by lock: the newer layout this node refused, reported once. */
    private @Nullable IncompatibleLayoutException layoutError;

    private boolean connected;
    /** Bumped on every connection transition that may invalidate a refresh in flight, and on step-down. */
    private long generation;
    /** This participant's znode, or null while it has none. */
    private @Nullable String ourPath;

    private boolean leader;
    /** The znode this node claimed leadership with (kept after a loss step-down for the handover marker). */
    private @Nullable String claimedPath;

    private long claimedEpoch;
    /** The session that owns ourPath. */
    private long ourSession;
    /** Our znode of a session this client gave up; deleted (once our task has ended) so it does not hold the line. */
    private @Nullable String stalePath;
    /** The session that owns stalePath. */
    private long staleSession;

    private boolean requeueRequested;
    private final List<CompletableFuture<Void>> requeueWaiters = new ArrayList<>();
    private boolean releaseOnTaskEnd;
    /** The takeover delay after an unclean handover. */
    private final TakeoverRule takeover = new TakeoverRule();

    private final Telemetry.Probe probe;

    /** Access denied to the last refreshes: reported once per episode, retried with a doubling backoff. */
    private final AccessDenials denials = new AccessDenials(RETRY_MILLIS, MAX_DENIED_RETRY_MILLIS);

    /** The leadership shown to listeners. */
    private final LeadershipView view;

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
        this.coordinator = coordinator;
        this.ticker = coordinator.ticker();
        this.path = path;
        this.participantId = participantId;
        this.metadata = metadata;
        this.takeoverDelay = takeoverDelay;
        this.name = "LeaderElection " + path + " [" + participantId + "]";
        this.lifecycle = new Lifecycle(name);
        this.listeners = new ListenerSet<>(name, coordinator);
        this.view = new LeadershipView(path, listeners);
        this.nodes = new ElectionNodes(
                coordinator, path, name, Participants.encode(participantId, metadata), this::scheduleRefresh);
        this.loop = loop;
        this.probe = coordinator.internalTelemetry().probe(name, path);
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
                this::stillLeads);
        tasks.probe = probe;
        coordinator.internalRecipes().register("LeaderElection", path, this);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        lifecycle.start();
        coordinator.addListener(connectionListener, Runnable::run);
        synchronized (lock) {
            connected = coordinator.isConnected();
        }
        scheduleRefresh();
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
        listeners.close();
        if (previous == LifecycleState.LATENT) {
            loop.shutdownNow();
            tasks.shutdownNow();
            return;
        }
        coordinator.removeListener(connectionListener);
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
                release(mine, coordinator.internalAccess().defaultDeadline());
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
            boolean led = deadline.awaitWhile(lock, () -> !leader && !closed && denials.current() == null) && leader;
            AccessDeniedException error = denials.current();
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

    /**
     * Before each scheduled tick: a guarded check of this leadership's own znode, committed through
     * the ensemble's leader (one transaction, nothing changed), so the answer is the server's state
     * now. A session that ended while this process was frozen or cut off fails it.
     */
    private boolean stillLeads(Leadership run) throws InterruptedException {
        String guard;
        synchronized (lock) {
            guard = leader && claimedEpoch == run.epoch() ? claimedPath : null;
        }
        if (guard == null) {
            return false;
        }
        try {
            write(GuardedWrite.of().check(guard, -1));
            return true;
        } catch (StateSyncException e) {
            LOG.debug("{}: leadership not confirmed before a tick: {}", name, e.toString());
            return false;
        }
    }

    @Override
    public void write(GuardedWrite write) throws InterruptedException {
        write(write, coordinator.operationTimeout());
    }

    @Override
    public void write(GuardedWrite write, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(write, "write");
        Deadline.checkTimeout(timeout, "timeout");
        if (write.operations().isEmpty()) {
            throw new IllegalArgumentException("a guarded write needs at least one operation");
        }
        String guard;
        synchronized (lock) {
            guard = leader ? claimedPath : null;
        }
        if (guard == null) {
            throw new NotLeaderException(path, participantId + " does not lead election " + path, null);
        }
        try {
            GuardedWrites.write(
                    coordinator,
                    guard,
                    write,
                    p -> new NotLeaderException(
                            path,
                            participantId + " no longer leads election " + path + ": its znode " + p + " is gone",
                            null),
                    coordinator.internalAccess().deadline(timeout),
                    name + ": guarded write");
        } catch (SessionExpiredException e) {
            // The session ended before this node heard of it (always possible under ON_LOST, where a
            // suspended leader keeps leading): its znode went with it, so it no longer leads.
            boolean stepped = false;
            synchronized (lock) {
                if (leader && guard.equals(claimedPath)) {
                    stepDown(TaskStop.Reason.SESSION_LOST);
                    stepped = true;
                }
            }
            if (stepped) {
                listeners.dispatch();
            }
            throw new NotLeaderException(
                    path,
                    participantId + " no longer leads election " + path + ": its session expired (its znode " + guard
                            + " went with it); nothing was written",
                    e);
        }
    }

    // ---------------------------------------------------------------- listeners

    @Override
    public void addListener(StateListener<Leadership> listener) {
        addListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public void addListener(StateListener<Leadership> listener, Executor executor) {
        synchronized (lock) {
            listeners.add(listener, executor);
            view.replayTo(listener);
        }
        listeners.dispatch();
    }

    @Override
    public boolean removeListener(StateListener<Leadership> listener) {
        return listeners.remove(listener);
    }

    // ---------------------------------------------------------------- connection events

    /** On the coordinator's event thread, in order: give up first, then tell listeners. */
    private void onConnection(ConnectionEvent event) {
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
    private void stepDown(TaskStop.Reason reason) {
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

    private void scheduleRefresh() {
        if (lifecycle.state() != LifecycleState.STARTED) {
            return;
        }
        if (refreshQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::refresh);
            } catch (RejectedExecutionException e) {
                refreshQueued.set(false);
            }
        }
    }

    private void scheduleRefreshIn(long nanos) {
        try {
            Future<?> unused = loop.schedule(this::scheduleRefresh, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void refresh() {
        refreshQueued.set(false);
        try {
            doRefresh();
            synchronized (lock) {
                denials.clear();
            }
        } catch (AccessDeniedException e) {
            accessDenied(e);
        } catch (IncompatibleLayoutException e) {
            layoutRefused(e);
        } catch (RuntimeException e) {
            if (lifecycle.isStarted()) {
                LOG.debug("{}: refresh failed, retrying: {}", name, e.toString());
                scheduleRefreshIn(TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS));
            }
        } finally {
            listeners.dispatch();
        }
    }

    /**
     * The election's znode is in a newer release's layout: told once to listeners (nothing was
     * written, this node does not join), then checked again every 30 seconds, in case the newer
     * nodes are rolled back.
     */
    private void layoutRefused(IncompatibleLayoutException e) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (layoutError == null) {
                layoutError = e;
                LOG.error("{}: {}", name, e.getMessage());
                listeners.enqueue(e, l -> l.onError(e));
            }
        }
        scheduleRefreshIn(TimeUnit.MILLISECONDS.toNanos(MAX_DENIED_RETRY_MILLIS));
    }

    /**
     * The election's path may not be accessed with the coordinator's credentials: told once to
     * listeners and to {@link #awaitLeadership} callers, then retried with a backoff that doubles
     * from {@link #RETRY_MILLIS} to {@link #MAX_DENIED_RETRY_MILLIS}, in case the ACL is changed.
     */
    private void accessDenied(AccessDeniedException e) {
        long delay;
        boolean first;
        synchronized (lock) {
            if (closed) {
                return;
            }
            delay = denials.record(e);
            first = denials.episodeBegan();
            if (first) {
                listeners.enqueue(e, l -> l.onError(e));
            }
            lock.notifyAll();
        }
        denials.log(LOG, name, e, delay);
        scheduleRefreshIn(TimeUnit.MILLISECONDS.toNanos(delay));
    }

    /**
     * One pass: hands over a znode of a session given up, re-queues if asked, joins the line if this
     * node has no znode, reads the line and the leader's znode (watching it, or the predecessor), and
     * claims leadership when first. Every request runs against one deadline, the coordinator's
     * operation timeout: reads and version-checked or idempotent writes through the one retry loop
     * of {@link ZkAccess}, the join and the multis sent once (a lost answer is resolved, never
     * blindly resent). Past the deadline the pass ends with an {@link OperationTimeoutException} and
     * {@link #refresh()} schedules the next.
     */
    private void doRefresh() {
        long gen;
        String mine;
        boolean requeue;
        synchronized (lock) {
            if (closed || !connected) {
                return;
            }
            gen = generation;
            mine = ourPath;
            requeue = requeueRequested;
        }
        ZkAccess access = coordinator.internalAccess();
        Deadline deadline = access.defaultDeadline();
        String stale;
        synchronized (lock) {
            stale = tasks.alive() ? null : stalePath;
        }
        if (stale != null) {
            // A session this client gave up (LOST) may live on the server until it times out; its
            // znode would hold the line until then. Our task has ended: hand over now.
            release(stale, deadline);
            synchronized (lock) {
                if (stale.equals(stalePath)) {
                    stalePath = null;
                }
            }
        }
        List<CompletableFuture<Void>> completed = List.of();
        if (requeue) {
            synchronized (lock) {
                if (tasks.alive()) {
                    return; // the task's end triggers another refresh
                }
            }
            if (mine != null) {
                release(mine, deadline);
            }
            synchronized (lock) {
                if (Objects.equals(ourPath, mine)) {
                    ourPath = null;
                }
                mine = ourPath;
                requeueRequested = false;
                completed = new ArrayList<>(requeueWaiters);
                requeueWaiters.clear();
            }
        }
        if (mine == null) {
            Participants.checkLayout(path, nodes.electionData(deadline, "reading the election's data layout"));
            mine = join(gen, deadline);
            completed.forEach(w -> w.complete(null));
            if (mine == null) {
                return;
            }
        }
        String myName = mine.substring(mine.lastIndexOf('/') + 1);
        List<String> line = Participants.inLineOrder(nodes.line(deadline));
        int index = line.indexOf(myName);
        if (index < 0) {
            synchronized (lock) {
                if (Objects.equals(ourPath, mine)) {
                    ourPath = null;
                    if (leader && mine.equals(claimedPath)) {
                        stepDown(TaskStop.Reason.LEADERSHIP_LOST);
                    }
                }
            }
            scheduleRefresh();
            return;
        }
        String first = line.get(0);
        String leaderPath = path + "/" + first;
        ZkAccess.Reply leaderRead = nodes.watchedData(leaderPath, deadline);
        if (leaderRead.noNode()) {
            scheduleRefresh();
            return;
        }
        Stat leaderStat = leaderRead.stat();
        if (!leaderRead.ok() || leaderStat == null) {
            throw ZkAccess.error(leaderRead.rc(), leaderPath);
        }
        byte[] leaderData = Objects.requireNonNullElse(leaderRead.data(), new byte[0]);
        if (index > 0) {
            String predecessor = line.get(index - 1);
            if (!predecessor.equals(first) && !nodes.exists(path + "/" + predecessor, deadline)) {
                scheduleRefresh();
                return;
            }
            Leadership other = new Leadership(
                    Participants.id(leaderData), Participants.metadata(leaderData), leaderStat.getCzxid(), false);
            synchronized (lock) {
                if (gen == generation && !closed) {
                    view.show(other);
                }
            }
            return;
        }
        // This node is first in line.
        long epoch = leaderStat.getCzxid();
        if (leaderStat.getEphemeralOwner() != coordinator.sessionId()) {
            // A znode of an earlier session of ours (CURATOR-696): never lead with it.
            synchronized (lock) {
                if (Objects.equals(ourPath, mine)) {
                    ourPath = null;
                }
            }
            scheduleRefresh();
            return;
        }
        synchronized (lock) {
            if (!leader && gen == generation) {
                view.show(null); // the previous leader is gone, and this node does not lead yet
            }
            if (leader || tasks.alive() || gen != generation) {
                return; // a task still running from the last leadership: its end refreshes again
            }
        }
        long previousEpoch =
                Participants.leadingEpoch(path, nodes.electionData(deadline, "reading the handover marker"));
        long wait = 0;
        synchronized (lock) {
            if (TakeoverRule.unclean(previousEpoch, epoch, claimedEpoch)) {
                long now = ticker.read();
                if (takeover.seen(previousEpoch, now)) {
                    probe.record(Telemetry.Event.TAKEOVER_DELAY, takeoverDelay().toNanos());
                    LOG.info(
                            "{}: the previous leader (epoch 0x{}) did not hand over cleanly; waiting {} before"
                                    + " leading",
                            name,
                            Long.toHexString(previousEpoch),
                            takeoverDelay());
                }
                wait = takeover.remainingNanos(takeoverDelay(), now);
            }
        }
        if (wait > 0) {
            scheduleRefreshIn(wait);
            return;
        }
        claim(gen, mine, epoch, deadline);
    }

    /** Joins the line; {@code null} if the pass became stale meanwhile (the znode is then deleted). */
    private @Nullable String join(long gen, Deadline deadline) {
        ElectionNodes.Joined joined = nodes.join(deadline);
        boolean orphan;
        synchronized (lock) {
            orphan = closed || gen != generation || ourPath != null;
            if (!orphan) {
                ourPath = joined.path();
                ourSession = joined.owner();
            }
        }
        if (orphan) {
            nodes.deleteLater(joined.path(), joined.owner());
            scheduleRefresh();
            return null;
        }
        return joined.path();
    }

    /** Marks the handover marker with our epoch, then leads if the pass is still current. */
    private void claim(long gen, String mine, long epoch, Deadline deadline) {
        if (!nodes.markLeading(mine, epoch, deadline)) {
            scheduleRefresh(); // our znode (or the election) is gone
            return;
        }
        synchronized (lock) {
            if (mine.equals(ourPath)) {
                // The marker now names this znode: a later release must mark the handover clean.
                claimedPath = mine;
                claimedEpoch = epoch;
            }
            if (closed || gen != generation || !connected || !mine.equals(ourPath) || requeueRequested) {
                return;
            }
            leader = true;
            probe.count(Telemetry.Event.ELECTED);
            Leadership self = new Leadership(participantId, metadata, epoch, true);
            LOG.info("{}: leads with epoch 0x{}", name, Long.toHexString(epoch));
            tasks.start(self);
            view.show(self);
            lock.notifyAll();
        }
    }

    /** Deletes our znode, marking the handover clean if it is the one this node led with. */
    private void release(String mine, Deadline deadline) {
        long epoch;
        synchronized (lock) {
            epoch = mine.equals(claimedPath) ? claimedEpoch : 0;
        }
        nodes.release(mine, epoch, deadline);
        synchronized (lock) {
            if (mine.equals(claimedPath)) {
                claimedPath = null;
            }
        }
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
            refused = layoutError != null && ourPath == null;
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
