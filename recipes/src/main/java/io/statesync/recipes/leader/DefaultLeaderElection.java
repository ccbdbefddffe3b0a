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
import io.statesync.core.ChangeKind;
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
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Ticker;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.AccessDenials;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.recipes.internal.GuardedWrites;
import io.statesync.recipes.internal.OneShotWatches;
import io.statesync.recipes.internal.RawOps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
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
     * Starts the name of a participant znode, followed by the join attempt's id: the form Curator's
     * protected mode uses, so that a create whose answer was lost can be found by its id.
     */
    private static final String ATTEMPT_PREFIX = "_c_";

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
    private final byte[] data;
    private final @Nullable LeaderTask task;
    private final @Nullable Duration period;
    private final Duration stopTimeout;
    private final Duration suspendGrace;
    /** Set by the builder, or {@code null} for the default derived from the granted session timeout. */
    private final @Nullable Duration takeoverDelay;

    private final @Nullable Consumer<TaskStop> onTaskStop;
    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<StateListener<Leadership>> listeners;
    /** Deletes the znodes close could not (the connection was down) on the next connection. */
    private final GuaranteedDelete deleter;

    /** The watches this participant's reads set, removed on close. */
    private final OneShotWatches watches;
    /** The multis of a claim and a clean release, each sent once. */
    private final RawOps ops;

    private final ConnectionListener connectionListener = this::onConnection;
    private final ScheduledThreadPoolExecutor loop;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile @Nullable TaskStop lastStop;

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

    private @Nullable TaskRun running;
    private @Nullable TaskRun lastRun;
    private boolean requeueRequested;
    private final List<CompletableFuture<Void>> requeueWaiters = new ArrayList<>();
    private boolean releaseOnTaskEnd;
    /** The takeover delay after an unclean handover. */
    private final TakeoverRule takeover = new TakeoverRule();

    private long graceToken;
    private @Nullable Future<?> graceFuture;
    /** Access denied to the last refreshes: reported once per episode, retried with a doubling backoff. */
    private final AccessDenials denials = new AccessDenials(RETRY_MILLIS, MAX_DENIED_RETRY_MILLIS);

    private boolean initialized;
    private @Nullable Leadership view;
    private long maxEpochShown;
    private boolean resyncNext;

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
            @Nullable Consumer<TaskStop> onTaskStop) {
        this.coordinator = coordinator;
        this.ticker = coordinator.ticker();
        this.path = path;
        this.participantId = participantId;
        this.metadata = metadata;
        this.data = Participants.encode(participantId, metadata);
        this.task = task;
        this.period = period;
        this.stopTimeout = stopTimeout;
        this.suspendGrace = suspendGrace;
        this.takeoverDelay = takeoverDelay;
        this.onTaskStop = onTaskStop;
        this.name = "LeaderElection " + path + " [" + participantId + "]";
        this.lifecycle = new Lifecycle(name);
        this.listeners = new ListenerSet<>(name, coordinator);
        this.watches = new OneShotWatches(coordinator.internalAccess(), this::scheduleRefresh);
        this.ops = new RawOps(coordinator);
        this.deleter = new GuaranteedDelete(coordinator, name);
        this.loop = executor(coordinator, "statesync-leader-" + participantId);
        this.timer = executor(coordinator, "statesync-leader-timer-" + participantId);
        coordinator.internalRecipes().register("LeaderElection", path, this);
    }

    /** One thread, from the coordinator's thread factory. */
    private static ScheduledThreadPoolExecutor executor(Coordinator coordinator, String threadName) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(
                1, r -> coordinator.internalAccess().newThread(threadName, r));
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setRemoveOnCancelPolicy(true);
        return e;
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
            timer.shutdownNow();
            return;
        }
        coordinator.removeListener(connectionListener);
        TaskRun run;
        List<CompletableFuture<Void>> waiters;
        synchronized (lock) {
            closed = true;
            stepDown(TaskStop.Reason.CLOSED);
            run = lastRun;
            waiters = new ArrayList<>(requeueWaiters);
            requeueWaiters.clear();
            lock.notifyAll();
        }
        waiters.forEach(w -> w.complete(null));
        boolean interrupted = false;
        boolean taskEnded = true;
        if (run != null && run.thread == Thread.currentThread()) {
            taskEnded = false; // closed by the task itself: its znode goes once it returns
        } else if (run != null) {
            try {
                taskEnded = run.awaitEnd(stopTimeout);
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
            if (run != null && run.thread != Thread.currentThread()) {
                run.reportIfOverrun();
            }
            if (run != null && run.thread != Thread.currentThread()) {
                LOG.error(
                        "{}: the task did not end within {} of its interrupt; the election znode is kept until"
                                + " it ends, so that no successor runs beside it",
                        name,
                        stopTimeout);
            }
            loop.shutdown();
        }
        timer.shutdown();
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
            deleteLater(stale, staleOwner);
        }
        if (mine != null && !online) {
            deleteLater(mine, mineSession);
        } else if (mine != null) {
            try {
                // Within the operation timeout, as a pass of the election.
                release(mine, coordinator.internalAccess().defaultDeadline());
            } catch (RuntimeException e) {
                LOG.warn("{}: deleting {} on close failed ({}); retrying on reconnection", name, mine, e.toString());
                deleteLater(mine, mineSession);
            }
        }
        // From the server, and from the handle even if the request cannot reach the server.
        watches.removeAll();
    }

    /**
     * Deletes an election znode (relative to the namespace) on the next connection, in the session
     * the coordinator has then, only while it still belongs to {@code owner}.
     */
    private void deleteLater(String znode, long owner) {
        CompletableFuture<Void> unused =
                deleter.deleteNode(coordinator.internalAccess().fullPath(znode), owner);
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
            return Optional.ofNullable(view);
        }
    }

    @Override
    public Optional<String> currentLeader() {
        return leadership().map(Leadership::leaderId);
    }

    @Override
    public Optional<TaskStop> lastTaskStop() {
        return Optional.ofNullable(lastStop);
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
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        ZkAccess access = coordinator.internalAccess();
        String what = name + ": reading the participants";
        String full = access.fullPath(path);
        ZkAccess.Reply listed = access.call(
                deadline,
                path,
                what,
                OperationTimeoutException.Outcome.NOT_APPLIED,
                zk -> ZkAccess.getChildren(zk, full));
        if (listed.noNode()) {
            return List.of();
        }
        List<String> children = listed.children();
        if (!listed.ok() || children == null) {
            throw ZkAccess.error(listed.rc(), path);
        }
        List<String> ids = new ArrayList<>();
        for (String child : Participants.inLineOrder(children)) {
            String childFull = full + "/" + child;
            ZkAccess.Reply r = access.call(
                    deadline,
                    path + "/" + child,
                    what,
                    OperationTimeoutException.Outcome.NOT_APPLIED,
                    zk -> ZkAccess.getData(zk, childFull));
            byte[] data = r.data();
            if (r.noNode()) {
                continue; // left meanwhile
            }
            if (!r.ok()) {
                throw ZkAccess.error(r.rc(), path + "/" + child);
            }
            ids.add(Participants.id(data == null ? new byte[0] : data));
        }
        return ids;
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
            fromTask = onTaskThread();
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
            if (initialized) {
                StateChange<Leadership> initial = change(ChangeKind.INITIAL, null, view);
                listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
            }
        }
        listeners.dispatch();
    }

    @Override
    public boolean removeListener(StateListener<Leadership> listener) {
        return listeners.remove(listener);
    }

    private StateChange<Leadership> change(
            ChangeKind kind, @Nullable Leadership previous, @Nullable Leadership current) {
        return StateChange.of(path, kind, versioned(previous), versioned(current));
    }

    private static @Nullable Versioned<Leadership> versioned(@Nullable Leadership l) {
        return l == null ? null : Versioned.of(l, 0, l.epoch(), l.epoch());
    }

    /** Shows a new view of the leadership to listeners; never a lower epoch than one shown. Under lock. */
    private void setView(@Nullable Leadership next) {
        Leadership previous = view;
        if (!initialized) {
            initialized = true;
            view = next;
            if (next != null) {
                maxEpochShown = next.epoch();
            }
            StateChange<Leadership> initial = change(ChangeKind.INITIAL, null, next);
            listeners.enqueue(initial, l -> l.onChange(initial));
            return;
        }
        if (next == null) {
            if (previous != null) {
                view = null;
                StateChange<Leadership> deleted = change(ChangeKind.DELETED, previous, null);
                listeners.enqueue(deleted, l -> l.onChange(deleted));
            }
            return;
        }
        if (next.epoch() < maxEpochShown || Objects.equals(next, previous)) {
            return;
        }
        ChangeKind kind = previous != null
                ? ChangeKind.UPDATED
                : (resyncNext || next.epoch() == maxEpochShown) ? ChangeKind.RESYNCED : ChangeKind.CREATED;
        resyncNext = false;
        view = next;
        maxEpochShown = next.epoch();
        StateChange<Leadership> c = change(kind, previous, next);
        listeners.enqueue(c, l -> l.onChange(c));
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
                        if (leader && !suspendGrace.isZero()) {
                            long token = ++graceToken;
                            graceFuture = timer.schedule(
                                    () -> graceExpired(token), suspendGrace.toNanos(), TimeUnit.NANOSECONDS);
                        } else {
                            stepDown(TaskStop.Reason.CONNECTION_SUSPENDED);
                            resyncNext = true;
                            setView(null);
                        }
                    }
                }
                case LOST -> {
                    connected = false;
                    generation++;
                    cancelGrace();
                    stepDown(TaskStop.Reason.SESSION_LOST);
                    forgetOurPath();
                    resyncNext = true;
                    setView(null);
                }
                case READ_ONLY -> {
                    connected = false;
                    generation++;
                }
                case CONNECTED, RECONNECTED -> {
                    connected = true;
                    cancelGrace();
                    if (event.isNewSession() && event.sessionId() != ourSession) {
                        // Even if LOST was never reported (CURATOR-220): the old session is gone.
                        generation++;
                        stepDown(TaskStop.Reason.NEW_SESSION);
                        forgetOurPath();
                        resyncNext = true;
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

    private void cancelGrace() {
        graceToken++;
        Future<?> f = graceFuture;
        graceFuture = null;
        if (f != null) {
            f.cancel(false);
        }
    }

    private void graceExpired(long token) {
        synchronized (lock) {
            if (token != graceToken || closed || connected) {
                return;
            }
            graceFuture = null;
            stepDown(TaskStop.Reason.CONNECTION_SUSPENDED);
            resyncNext = true;
            setView(null);
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
        generation++;
        TaskRun run = running;
        running = null;
        if (run != null) {
            run.cancel(reason);
            if (reason != TaskStop.Reason.TASK_ENDED) {
                try {
                    Future<?> unused =
                            timer.schedule(run::reportIfOverrun, stopTimeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closing: close() itself reports a task that overruns
                }
            }
        }
        LOG.info("{}: gave up leadership ({})", name, reason);
        setView(null);
        lock.notifyAll();
    }

    /** Under lock. */
    private boolean onTaskThread() {
        TaskRun r = lastRun;
        return r != null && r.thread == Thread.currentThread();
    }

    private boolean taskAlive() {
        TaskRun r = lastRun;
        return r != null && !r.isEnded();
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
            stale = taskAlive() ? null : stalePath;
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
                if (taskAlive()) {
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
            Participants.checkLayout(
                    path,
                    access.read(
                                    path,
                                    deadline,
                                    name + ": reading the election's data layout",
                                    OperationTimeoutException.Outcome.NOT_APPLIED)
                            .map(Versioned::value)
                            .orElse(new byte[0]));
            mine = join(gen, deadline);
            completed.forEach(w -> w.complete(null));
            if (mine == null) {
                return;
            }
        }
        String myName = mine.substring(mine.lastIndexOf('/') + 1);
        List<String> line = Participants.inLineOrder(children(deadline));
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
        String leaderFull = access.fullPath(leaderPath);
        ZkAccess.Reply leaderRead =
                watchedRead(deadline, leaderPath, leaderFull, false, (zk, w) -> ZkAccess.getData(zk, leaderFull, w));
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
            if (!predecessor.equals(first) && !exists(path + "/" + predecessor, deadline)) {
                scheduleRefresh();
                return;
            }
            Leadership other = new Leadership(
                    Participants.id(leaderData), Participants.metadata(leaderData), leaderStat.getCzxid(), false);
            synchronized (lock) {
                if (gen == generation && !closed) {
                    setView(other);
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
                setView(null); // the previous leader is gone, and this node does not lead yet
            }
            if (leader || taskAlive() || gen != generation) {
                return; // a task still running from the last leadership: its end refreshes again
            }
        }
        long previousEpoch = Participants.leadingEpoch(
                path,
                access.read(
                                path,
                                deadline,
                                name + ": reading the handover marker",
                                OperationTimeoutException.Outcome.NOT_APPLIED)
                        .map(Versioned::value)
                        .orElse(new byte[0]));
        long wait = 0;
        synchronized (lock) {
            if (TakeoverRule.unclean(previousEpoch, epoch, claimedEpoch)) {
                long now = ticker.read();
                if (takeover.seen(previousEpoch, now)) {
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

    /**
     * Creates this participant's znode at the back of the line, within the pass's deadline. The
     * create is sequential, so it is never resent blindly: its name carries an attempt id, and when
     * its answer is lost the line is listed to find it by that id (taken if the session is the same;
     * else deleted, and a new attempt made after the retry policy's backoff). An attempt still
     * unresolved when the deadline passes is found by its id and deleted on the next connection.
     */
    private @Nullable String join(long gen, Deadline deadline) {
        ZkAccess access = coordinator.internalAccess();
        String what = name + ": joining the line";
        String parentFull = access.fullPath(path);
        int losses = 0;
        String created;
        long owner;
        while (true) {
            ZooKeeper zk = access.handle();
            long session = zk.getSessionId();
            String id = UUID.randomUUID().toString();
            String zkPath = parentFull + "/" + ATTEMPT_PREFIX + id + "-" + Participants.PREFIX;
            ZkAccess.Reply r;
            try {
                r = ZkAccess.await(
                        access.create(zk, zkPath, data, CreateMode.EPHEMERAL_SEQUENTIAL),
                        deadline,
                        path,
                        what,
                        OperationTimeoutException.Outcome.UNKNOWN);
                if (r.noNode()) {
                    // Nothing was created: make the election's path and send it again.
                    access.createParents(zkPath, deadline, path, what, OperationTimeoutException.Outcome.NOT_APPLIED);
                    continue;
                }
                Stat stat = r.stat();
                String createdName = r.createdPath();
                if (r.ok() && stat != null && createdName != null) {
                    created = path + "/" + ZKPaths.getNodeFromPath(createdName);
                    owner = stat.getEphemeralOwner();
                    break;
                }
                if (!ZkAccess.isLoss(r.rc())) {
                    throw ZkAccess.error(r.rc(), path);
                }
                // The answer was lost: the create may have landed. Look for it by its id.
                String found = findAttempt(id, deadline, what);
                if (found != null && access.handle().getSessionId() == session) {
                    created = path + "/" + found;
                    owner = session;
                    break;
                }
                if (found != null) {
                    // Landed in a session this client has since lost: not ours to lead with.
                    CompletableFuture<Void> unused = deleter.deleteById(parentFull, id, session);
                }
            } catch (RuntimeException e) {
                // Past the deadline, interrupted, or the retries used up with the outcome unknown:
                // a znode of this attempt, if it landed, is deleted by its id.
                CompletableFuture<Void> unused = deleter.deleteById(parentFull, id, session);
                throw e;
            }
            access.backoff(++losses, deadline, path, what, OperationTimeoutException.Outcome.UNKNOWN);
        }
        boolean orphan;
        synchronized (lock) {
            orphan = closed || gen != generation || ourPath != null;
            if (!orphan) {
                ourPath = created;
                ourSession = owner;
            }
        }
        if (orphan) {
            deleteLater(created, owner);
            scheduleRefresh();
            return null;
        }
        return created;
    }

    /** The name of the participant znode of a join attempt, or {@code null} if there is none. */
    private @Nullable String findAttempt(String id, Deadline deadline, String what) {
        ZkAccess access = coordinator.internalAccess();
        String full = access.fullPath(path);
        ZkAccess.Reply listed = access.call(
                deadline, path, what, OperationTimeoutException.Outcome.UNKNOWN, zk -> ZkAccess.getChildren(zk, full));
        List<String> children = listed.children();
        if (listed.noNode() || children == null) {
            if (!listed.ok() && !listed.noNode()) {
                throw ZkAccess.error(listed.rc(), path);
            }
            return null;
        }
        for (String child : children) {
            if (child.contains(id)) {
                return child;
            }
        }
        return null;
    }

    /**
     * Marks the handover marker with this leadership's epoch, guarded by our znode, as one multi sent
     * once: a lost answer ends the pass, and the next one reads the marker again (naming our epoch,
     * it lets this node claim at once).
     */
    private void claim(long gen, String mine, long epoch, Deadline deadline) {
        try {
            ops.multi(
                    List.of(ops.check(-1, mine), ops.setData(-1, path, Participants.leadingMarker(epoch))),
                    deadline,
                    mine,
                    name + ": claiming leadership");
        } catch (StateSyncException e) {
            if (e.reason() != StateSyncException.Reason.NO_NODE) {
                throw e;
            }
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
            Leadership self = new Leadership(participantId, metadata, epoch, true);
            LOG.info("{}: leads with epoch 0x{}", name, Long.toHexString(epoch));
            LeaderTask t = task;
            if (t != null) {
                TaskRun run = new TaskRun(t, self);
                running = run;
                lastRun = run;
                run.start();
            }
            setView(self);
            lock.notifyAll();
        }
    }

    /**
     * Deletes our znode; if it was the one this node led with, marks the handover clean in the same
     * multi, sent once (a lost answer ends the pass; the next one sends it again, and finds the
     * znode gone if it landed). A plain delete of our own sequential znode is safe to repeat.
     */
    private void release(String mine, Deadline deadline) {
        long epoch;
        synchronized (lock) {
            epoch = mine.equals(claimedPath) ? claimedEpoch : 0;
        }
        ZkAccess access = coordinator.internalAccess();
        String what = name + ": releasing " + mine;
        if (epoch != 0) {
            try {
                ops.multi(
                        List.of(ops.setData(-1, path, Participants.releasedMarker(epoch)), ops.delete(-1, mine)),
                        deadline,
                        mine,
                        what);
            } catch (StateSyncException e) {
                if (e.reason() != StateSyncException.Reason.NO_NODE) {
                    throw e;
                }
                markReleased(epoch, deadline);
            }
        } else {
            String full = access.fullPath(mine);
            ZkAccess.Reply r = access.call(
                    deadline,
                    mine,
                    what,
                    OperationTimeoutException.Outcome.UNKNOWN,
                    zk -> ZkAccess.delete(zk, full, -1));
            if (!r.ok() && !r.noNode()) {
                throw ZkAccess.error(r.rc(), mine);
            }
        }
        synchronized (lock) {
            if (mine.equals(claimedPath)) {
                claimedPath = null;
            }
        }
    }

    /**
     * Our znode is already gone (the server expired the session we gave up) but the marker may still
     * name our leadership, whose task has ended: say so, unless another leader has written since
     * (version-checked, so safe to repeat).
     */
    private void markReleased(long epoch, Deadline deadline) {
        ZkAccess access = coordinator.internalAccess();
        String what = name + ": marking epoch 0x" + Long.toHexString(epoch) + " released";
        Optional<Versioned<byte[]>> marker =
                access.read(path, deadline, what, OperationTimeoutException.Outcome.NOT_APPLIED);
        if (marker.isPresent() && Participants.leadingEpoch(marker.get().value()) == epoch) {
            String full = access.fullPath(path);
            byte[] released = Participants.releasedMarker(epoch);
            int version = marker.get().version();
            ZkAccess.Reply r = access.call(
                    deadline,
                    path,
                    what,
                    OperationTimeoutException.Outcome.UNKNOWN,
                    zk -> setData(zk, full, released, version));
            if (!r.ok()) {
                LOG.debug(
                        "{}: marking epoch 0x{} released lost a race: {}",
                        name,
                        Long.toHexString(epoch),
                        KeeperException.Code.get(r.rc()));
            }
        }
    }

    private static CompletableFuture<ZkAccess.Reply> setData(ZooKeeper zk, String full, byte[] data, int version) {
        CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
        zk.setData(
                full,
                data,
                version,
                (rc, p, ctx, stat) -> f.complete(new ZkAccess.Reply(rc, null, stat, null, null)),
                null);
        return f;
    }

    private List<String> children(Deadline deadline) {
        ZkAccess access = coordinator.internalAccess();
        String full = access.fullPath(path);
        ZkAccess.Reply r = access.call(
                deadline,
                path,
                name + ": reading the line",
                OperationTimeoutException.Outcome.NOT_APPLIED,
                zk -> ZkAccess.getChildren(zk, full));
        List<String> children = r.children();
        if (r.noNode()) {
            return List.of();
        }
        if (!r.ok() || children == null) {
            throw ZkAccess.error(r.rc(), path);
        }
        return children;
    }

    /** Whether a znode exists, watching it (the watch is set either way). */
    private boolean exists(String znode, Deadline deadline) {
        String full = coordinator.internalAccess().fullPath(znode);
        ZkAccess.Reply r = watchedRead(deadline, znode, full, true, (zk, w) -> ZkAccess.exists(zk, full, w));
        if (r.noNode()) {
            return false;
        }
        if (!r.ok()) {
            throw ZkAccess.error(r.rc(), znode);
        }
        return true;
    }

    /**
     * A read that sets a watch, through the one retry loop against the pass's deadline; the watch is
     * counted once the reply says it was set ({@code setOnNoNode}: an existence watch, set on a
     * missing znode too).
     */
    private ZkAccess.Reply watchedRead(
            Deadline deadline,
            String relative,
            String full,
            boolean setOnNoNode,
            BiFunction<ZooKeeper, Watcher, CompletableFuture<ZkAccess.Reply>> read) {
        AtomicReference<@Nullable ZooKeeper> sentOn = new AtomicReference<>();
        ZkAccess.Reply r = coordinator
                .internalAccess()
                .call(
                        deadline,
                        relative,
                        name + ": reading the line",
                        OperationTimeoutException.Outcome.NOT_APPLIED,
                        zk -> {
                            sentOn.set(zk);
                            return read.apply(zk, watches.watcher(zk));
                        });
        ZooKeeper zk = sentOn.get();
        if (zk != null && (r.ok() || (setOnNoNode && r.noNode()))) {
            watches.set(zk, full);
        }
        return r;
    }

    // ---------------------------------------------------------------- the task

    private void report(TaskStop stop) {
        lastStop = stop;
        if (!TaskTiming.overran(stop, stopTimeout)) {
            LOG.info("{}: task stopped: {}", name, stop);
        } else {
            LOG.warn("{}: task overran its stop timeout {}: {}", name, stopTimeout, stop);
        }
        Consumer<TaskStop> l = onTaskStop;
        if (l != null) {
            try {
                l.accept(stop);
            } catch (RuntimeException e) {
                LOG.error("{}: onTaskStop listener threw on {}", name, stop, e);
            }
        }
    }

    private void taskEnded(TaskRun run) {
        boolean releaseNow;
        synchronized (lock) {
            if (running == run) {
                // The task returned by itself while leading: hand leadership on.
                stepDown(TaskStop.Reason.TASK_ENDED);
                requeueRequested = true;
            }
            releaseNow = closed && releaseOnTaskEnd && lastRun == run;
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

    /** One run of the task, on a thread of its own, for one leadership. */
    private final class TaskRun implements Runnable {
        private final LeaderTask body;
        private final Leadership leadership;
        private final Thread thread;
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean cancelled;
        private volatile long cancelNanos;
        private volatile long endNanos;
        private volatile TaskStop.Reason reason = TaskStop.Reason.TASK_ENDED;

        TaskRun(LeaderTask body, Leadership leadership) {
            this.body = body;
            this.leadership = leadership;
            this.thread = coordinator.internalAccess().newThread("statesync-leader-task-" + participantId, this);
        }

        void start() {
            thread.start();
        }

        void cancel(TaskStop.Reason why) {
            reason = why;
            cancelNanos = ticker.read();
            cancelled = true;
            if (why != TaskStop.Reason.TASK_ENDED) {
                // Also when the task itself relinquished or closed: its next blocking call throws.
                thread.interrupt();
            }
        }

        boolean isEnded() {
            return ended.getCount() == 0;
        }

        boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        void reportIfOverrun() {
            if (!isEnded()) {
                report(new TaskStop(leadership, reason, stopTimeout, false));
            }
        }

        void reportEnd() {
            report(new TaskStop(
                    leadership, reason, TaskTiming.stopDuration(reason, cancelled, cancelNanos, endNanos), true));
        }

        @Override
        public void run() {
            try {
                if (!cancelled) {
                    Duration p = period;
                    if (p == null) {
                        once();
                    } else {
                        scheduled(p.toNanos());
                    }
                }
            } finally {
                endNanos = ticker.read();
                ended.countDown();
                Thread.interrupted();
                taskEnded(this);
            }
        }

        private void once() {
            try {
                body.run(leadership);
            } catch (InterruptedException e) {
                LOG.debug("{}: task interrupted", name);
            } catch (Exception e) {
                if (!cancelled) {
                    LOG.error("{}: task failed; relinquishing leadership", name, e);
                }
            }
        }

        private void scheduled(long periodNanos) {
            long next = ticker.read();
            while (!cancelled) {
                try {
                    body.run(leadership);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    if (cancelled) {
                        return;
                    }
                    LOG.error("{}: scheduled task tick failed; the schedule goes on", name, e);
                }
                long now = ticker.read();
                next = TaskTiming.nextTick(next, now, periodNanos);
                try {
                    TimeUnit.NANOSECONDS.sleep(next - now);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
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
                : stopTimeout.plus(coordinator.negotiatedSessionTimeout().dividedBy(3));
    }

    /** The election's own thread, so that a test in this package can hold it. */
    Executor loopForTests() {
        return loop;
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
            known = view;
            details.put("participating", ourPath != null);
            details.put("leader", leads);
            if (known != null) {
                details.put("epoch", known.epoch());
                details.put("leaderId", known.leaderId());
            }
            if (task != null) {
                details.put("taskRunning", running != null);
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
