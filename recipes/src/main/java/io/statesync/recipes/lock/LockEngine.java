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
package io.statesync.recipes.lock;

import io.statesync.core.AclMode;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.SessionExpiredException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.recipes.internal.GuardedWrites;
import io.statesync.recipes.internal.LayoutVersion;
import io.statesync.recipes.internal.LeaseRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one queue algorithm behind the mutex, the read-write lock and the semaphore: every waiter
 * creates an ephemeral sequential child {@code <kind>-<uuid>-<sequence>} of the lock's path and
 * holds once no earlier child blocks it (any earlier child for a mutex or writer, an earlier writer
 * for a reader, N earlier children for a semaphore lease); until then it watches the child it waits
 * for (or, for a lease, the children).
 *
 * <p>Acquisition talks to ZooKeeper asynchronously through the raw handle so that every wait is
 * bounded by the caller's deadline (on the coordinator's ticker) and interruptible; Curator's retry
 * loops would block past it. An attempt belongs to one session: it keeps its place in the queue
 * through a dropped connection, but if the session changes or its znode disappears it is abandoned
 * (its znode deleted by the engine's {@link GuaranteedDelete}) and a fresh one starts. It becomes the holder only on a
 * read of the queue during which no loss was reported, or on the deletion of the one znode such a
 * read showed blocking it, with no loss reported since that read was sent (every znode created later
 * sorts after ours: sequence numbers only grow while our znode keeps the parent alive). A znode whose
 * create answer was lost is found by the attempt's uuid and deleted.
 *
 * <p>Round trips, and what the caller waits for: the create and the first read of the queue are sent
 * back to back (ZooKeeper answers a session's requests in order, so the read lists the new child),
 * so an uncontended acquire waits for one round trip; a release is one delete. A waiter sets one
 * {@code exists} watch on its blocker; when that blocker was the only one and is deleted, it holds
 * with no further read (its own znode's watch is set without waiting); otherwise the watch event sends
 * the next read at once from the event thread, before the waiting thread is even woken.
 */
final class LockEngine implements RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(LockEngine.class);
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(2);
    private static final Duration RESTART_BACKOFF = Duration.ofMillis(50);

    private enum Outcome {
        /** The parent was missing and has been created: try again at once. */
        PARENT_CREATED,
        RESTART,
        TIMED_OUT,
        BLOCKED
    }

    private static final byte[] NO_DATA = new byte[0];

    private final Coordinator coordinator;
    private final String path;
    private final String zkPath;
    private final int maxLeases;
    /** What a lease znode holds (see {@link LeaseRecord}), made once. */
    private final byte[] leaseData;

    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<LockLostListener> listeners;
    final Telemetry.Probe probe;
    /** This engine's guaranteed deletes of holder and waiter znodes (no thread of its own). */
    private final GuaranteedDelete deleter;

    private final ConnectionListener connectionListener = this::onConnection;
    private final Object lock = new Object();
    /** Whether the lock's znode was checked for a newer layout (once per lock object). */
    private volatile boolean layoutChecked;
    /**
     * Written under {@link #lock}: bumped on every loss; an attempt holds only if it is unchanged
     * since the read it rests on was sent.
     */
    private volatile long lossEpoch;
    /** Guarded by {@link #lock}. */
    private final Set<Handle> held = new HashSet<>();
    /** Guarded by {@link #lock}. */
    private final Set<Attempt> waiting = new HashSet<>();
    /** Guarded by {@link #lock}: handles lost and not yet closed by the application (weak). */
    private final Set<Handle> lostOpen = Collections.newSetFromMap(new WeakHashMap<>());

    LockEngine(Coordinator coordinator, String path, int maxLeases, String recipe) {
        this.coordinator = coordinator;
        this.path = path;
        String namespace = coordinator.namespace();
        this.zkPath = ZKPaths.fixForNamespace(namespace.isEmpty() ? null : namespace, path);
        this.maxLeases = maxLeases;
        this.leaseData = LeaseRecord.encode(maxLeases);
        this.name = recipe + " " + path;
        this.lifecycle = new Lifecycle(name);
        this.listeners = new ListenerSet<>(name, coordinator);
        this.probe = coordinator.internalTelemetry().probe(name, path);
        this.deleter = new GuaranteedDelete(coordinator, name);
        coordinator.internalRecipes().register(recipe, path, this);
    }

    String path() {
        return path;
    }

    Coordinator coordinator() {
        return coordinator;
    }

    /** The path rule shared by the lock recipes, checked in {@code build()}. */
    static void validateLockPath(String path) {
        ZPaths.validate(path);
        if (path.equals("/")) {
            throw new IllegalArgumentException("invalid lock path \"/\": a lock needs a path of its own");
        }
    }

    @Override
    public LifecycleState state() {
        return lifecycle.state();
    }

    /**
     * DEGRADED while a handle of this lock was lost and the application has not closed it (it may
     * still act as if it held the lock); UP otherwise. Details: the tokens held, the acquires
     * waiting, the lost handles not closed.
     */
    @Override
    public Health describe() {
        List<Long> tokens = new ArrayList<>();
        List<Handle> lost;
        int waiters;
        synchronized (lock) {
            for (Handle h : held) {
                tokens.add(h.token());
            }
            waiters = waiting.size();
            lost = new ArrayList<>(lostOpen);
        }
        tokens.sort(null);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ReportKeys.HELD, !tokens.isEmpty());
        details.put("tokens", List.copyOf(tokens));
        details.put(ReportKeys.WAITING, waiters);
        details.put(ReportKeys.LOST, lost.size());
        if (maxLeases > 1) {
            details.put("maxLeases", maxLeases);
        }
        if (!lost.isEmpty()) {
            Handle h = lost.get(0);
            return new Health(
                    Health.Status.DEGRADED,
                    lost.size() + " handle(s) lost and not closed; token " + h.token() + ": " + h.invalidReason(),
                    details);
        }
        return new Health(
                Health.Status.UP, tokens.isEmpty() ? "not held here" : "held here with token(s) " + tokens, details);
    }

    void start() {
        lifecycle.start();
        coordinator.addListener(connectionListener, Runnable::run);
    }

    void addListener(LockLostListener listener) {
        listeners.add(listener);
    }

    void addListener(LockLostListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    boolean removeListener(LockLostListener listener) {
        return listeners.remove(listener);
    }

    void close() {
        LifecycleState previous = lifecycle.close();
        if (previous == LifecycleState.CLOSED) {
            return;
        }
        if (previous == LifecycleState.STARTED) {
            coordinator.removeListener(connectionListener);
        }
        List<Handle> toRelease;
        synchronized (lock) {
            toRelease = new ArrayList<>(held);
            for (Attempt a : waiting) {
                a.signal();
            }
        }
        listeners.close();
        // All deletes are sent at once; together they are waited for at most RELEASE_WAIT.
        Deadline releaseBy = coordinator.internalAccess().deadline(RELEASE_WAIT);
        for (Handle h : toRelease) {
            release(h, releaseBy);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    // ---------------------------------------------------------------- acquiring

    LockHandle acquire(LockQueue.Kind kind, Duration timeout) throws InterruptedException {
        Deadline.checkTimeout(timeout, "timeout");
        lifecycle.requireStarted();
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        return probe.observe("acquire", () -> {
            Handle h = run(kind, deadline, true);
            if (h == null) {
                probe.count(Telemetry.Event.LOCK_TIMEOUT);
                // Nothing is held: a znode the attempt created is deleted (the guaranteed delete).
                throw new OperationTimeoutException(
                        path,
                        name + ": not acquired (" + kind.prefix + ") within " + timeout + "; nothing is held",
                        OperationTimeoutException.Outcome.NOT_APPLIED,
                        null);
            }
            return h;
        });
    }

    Optional<LockHandle> tryAcquire(LockQueue.Kind kind) throws InterruptedException {
        lifecycle.requireStarted();
        Deadline deadline = coordinator.internalAccess().defaultDeadline();
        return probe.observe("tryAcquire", () -> Optional.ofNullable(run(kind, deadline, false)));
    }

    private @Nullable Handle run(LockQueue.Kind kind, Deadline deadline, boolean wait) throws InterruptedException {
        Attempt attempt = new Attempt();
        synchronized (lock) {
            waiting.add(attempt);
        }
        int parentsCreated = 0;
        try {
            while (true) {
                ensureOpen();
                if (!coordinator.isConnected()) {
                    if (!wait) {
                        throw new ConnectionLossException(path, name + ": not connected to ZooKeeper", null);
                    }
                    // Woken by the next connection event (or close); re-checked in the loop.
                    if (!attempt.await(deadline.min(backoff(4))) && deadline.passed()) {
                        return null;
                    }
                    continue;
                }
                if (!layoutChecked) {
                    checkLayout(deadline);
                }
                Object outcome = attemptOnce(attempt, kind, deadline, wait);
                if (outcome instanceof Handle h) {
                    return h;
                }
                if (outcome == Outcome.BLOCKED) {
                    return null;
                }
                if (outcome == Outcome.PARENT_CREATED && ++parentsCreated <= 10) {
                    // The parent is a container the server may remove again when it is empty.
                    continue;
                }
                if (outcome == Outcome.TIMED_OUT) {
                    if (!wait) {
                        throw new OperationTimeoutException(
                                path,
                                name + ": ZooKeeper did not answer within the operation timeout "
                                        + coordinator.operationTimeout() + "; not acquired, nothing is held",
                                OperationTimeoutException.Outcome.NOT_APPLIED,
                                null);
                    }
                    return null;
                }
                // RESTART: a loss, a session change or a lost answer; back off briefly and try again.
                if (!wait) {
                    throw new ConnectionLossException(path, name + ": the connection was lost while trying", null);
                }
                if (deadline.passed()) {
                    return null;
                }
                attempt.await(deadline.min(backoff(1)));
            }
        } finally {
            synchronized (lock) {
                waiting.remove(attempt);
            }
        }
    }

    /**
     * One attempt in one session: a Handle, or an Outcome.
     *
     * <p>The create and the first read of the queue are sent back to back without waiting in between:
     * ZooKeeper answers a session's requests in the order they were sent, so the read already lists
     * the new child, and an uncontended acquire waits for one round trip instead of two.
     */
    private Object attemptOnce(Attempt attempt, LockQueue.Kind kind, Deadline deadline, boolean wait)
            throws InterruptedException {
        ZooKeeper zk;
        try {
            zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return Outcome.RESTART;
        }
        long session = zk.getSessionId();
        String id = UUID.randomUUID().toString();
        HolderWatch holderWatch = kind == LockQueue.Kind.LEASE
                ? null
                : new HolderWatch(h -> {
                    if (isHeld(h)) {
                        watchHolder(zk, h);
                    }
                });
        // A decision is only taken if no loss was reported since the read it rests on was sent.
        long firstEpoch = lossEpoch;
        CompletableFuture<LockCalls.Created> creating =
                LockCalls.create(zk, zkPath + "/" + kind.prefix + "-" + id + "-", znodeData(kind), acl());
        Attempt.@Nullable QueueRead pendingRead =
                new Attempt.QueueRead(readQueue(zk, holderWatch, attempt), firstEpoch);
        LockCalls.Created created;
        try {
            // The read's answer comes after the create's: one wait for both.
            LockCalls.awaitDone(pendingRead.answer, deadline);
            created = LockCalls.await(creating, deadline);
        } catch (KeeperException e) {
            attempt.removeWatches(zk);
            switch (e.code()) {
                case NONODE -> {
                    ensureParent(deadline);
                    return Outcome.PARENT_CREATED;
                }
                case SESSIONEXPIRED, SESSIONMOVED -> {
                    return Outcome.RESTART;
                }
                case CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT -> {
                    // The create may have landed with its answer lost: find it by its id and delete it.
                    CompletableFuture<Void> unused = deleter.deleteById(zkPath, id, session);
                    return Outcome.RESTART;
                }
                default -> throw ZkErrors.translate(e, path);
            }
        } catch (TimeoutException e) {
            attempt.removeWatches(zk);
            CompletableFuture<Void> unused = deleter.deleteById(zkPath, id, session);
            return Outcome.TIMED_OUT;
        } catch (InterruptedException e) {
            attempt.removeWatches(zk);
            CompletableFuture<Void> unused = deleter.deleteById(zkPath, id, session);
            throw e;
        }

        String myName = ZKPaths.getNodeFromPath(created.path);
        long owner = created.stat.getEphemeralOwner();
        Handle handle = null;
        attempt.startReading(() -> {
            long epoch = lossEpoch; // read before the read is sent
            return new Attempt.QueueRead(readQueue(zk, holderWatch, attempt), epoch);
        });
        try {
            while (true) {
                ensureOpen();
                if (coordinator.isConnected() && owner != coordinator.sessionId()) {
                    // Connected on another session: ours ended, and our znode with it.
                    return Outcome.RESTART;
                }
                if (!coordinator.isConnected()) {
                    if (!wait) {
                        return Outcome.RESTART;
                    }
                    pendingRead = null; // answered with a connection loss, or too old to rely on
                    attempt.disarm();
                    // Keep our place in the queue through the outage; woken by connection events.
                    if (!attempt.await(deadline.min(backoff(4))) && deadline.passed()) {
                        return Outcome.TIMED_OUT;
                    }
                    continue;
                }
                Attempt.QueueRead reading = pendingRead != null ? pendingRead : attempt.nextRead();
                pendingRead = null;
                long epoch = reading.epoch;
                List<String> children;
                try {
                    children = LockCalls.await(reading.answer, deadline);
                } catch (KeeperException e) {
                    if (wait && LockCalls.isConnectionError(e)) {
                        continue;
                    }
                    return failedWhileQueued(e);
                } catch (TimeoutException e) {
                    return Outcome.TIMED_OUT;
                }
                List<String> queue = LockQueue.sorted(children);
                int index = queue.indexOf(myName);
                if (index < 0) {
                    // Our znode is gone: the session expired or someone deleted it.
                    return Outcome.RESTART;
                }
                String blocker = LockQueue.blocker(queue, index, kind, maxLeases);
                if (blocker == null) {
                    Object holding = holdIfNoLoss(epoch, owner, myName, created);
                    if (holding == null) {
                        continue; // read again once the loss is over
                    }
                    if (holding instanceof Handle h) {
                        handle = h;
                        if (holderWatch == null || !holderWatch.hold(h)) {
                            watchHolder(zk, h);
                        }
                    }
                    return holding;
                }
                if (!wait) {
                    return Outcome.BLOCKED;
                }
                // The blocker is the only znode ahead that blocks us: its deletion alone frees us, since
                // every znode created later has a higher sequence number than ours.
                String freeingPath = LockQueue.onlyBlocker(queue, index, kind) ? zkPath + "/" + blocker : null;
                if (!blocker.isEmpty()) {
                    Optional<Stat> stat;
                    try {
                        stat = LockCalls.await(
                                LockCalls.exists(zk, attempt.watchPath(zkPath + "/" + blocker)), deadline);
                    } catch (KeeperException e) {
                        if (LockCalls.isConnectionError(e)) {
                            continue;
                        }
                        return failedWhileQueued(e);
                    } catch (TimeoutException e) {
                        return Outcome.TIMED_OUT;
                    }
                    if (stat.isEmpty()) {
                        if (freeingPath == null) {
                            continue;
                        }
                        Object holding = holdAfterDeletion(zk, epoch, owner, myName, created);
                        if (holding == null) {
                            continue;
                        }
                        handle = holding instanceof Handle h ? h : null;
                        return holding;
                    }
                }
                // The watch that wakes us sends the next read at once, from the event thread; or, if
                // the blocker's deletion alone frees us, it notes that deletion and nothing is read.
                attempt.arm(freeingPath);
                if (!attempt.await(deadline)) {
                    return Outcome.TIMED_OUT;
                }
                if (freeingPath != null && attempt.sawDeletion()) {
                    Object holding = holdAfterDeletion(zk, epoch, owner, myName, created);
                    if (holding == null) {
                        continue;
                    }
                    handle = holding instanceof Handle h ? h : null;
                    return holding;
                }
            }
        } finally {
            attempt.stopReading();
            attempt.removeWatches(zk);
            if (handle == null) {
                CompletableFuture<Void> deleted = deleter.deleteNode(created.path, owner);
                if (!wait && coordinator.isConnected()) {
                    // A try that failed waits for its znode to go, so that an immediate retry is not
                    // queued behind its own leftover.
                    // Within the call's deadline: a silent partition does not stretch it.
                    LockCalls.awaitQuietly(
                            deleted, deadline.min(coordinator.internalAccess().deadline(RELEASE_WAIT)));
                }
            }
        }
    }

    /**
     * Becomes the holder if no loss was reported since the read of the queue this rests on was sent:
     * the handle, {@link Outcome#RESTART} if the session changed or the engine closed, or {@code null}
     * to read the queue again once the loss is over.
     */
    private @Nullable Object holdIfNoLoss(long epoch, long owner, String myName, LockCalls.Created created) {
        synchronized (lock) {
            if (!lifecycle.isStarted() || owner != coordinator.sessionId()) {
                return Outcome.RESTART;
            }
            if (lossEpoch != epoch) {
                return null;
            }
            Handle h = new Handle(this, ZKPaths.makePath(path, myName), created.path, created.stat.getCzxid(), owner);
            held.add(h);
            return h;
        }
    }

    /**
     * Holds once the only znode ahead that blocked us was deleted, without reading the queue again.
     * The exact watch on our own znode is set at once (its answer finds the znode gone if it is).
     */
    private @Nullable Object holdAfterDeletion(
            ZooKeeper zk, long epoch, long owner, String myName, LockCalls.Created created) {
        Object holding = holdIfNoLoss(epoch, owner, myName, created);
        if (holding instanceof Handle h) {
            watchHolder(zk, h);
        }
        return holding;
    }

    private Outcome failedWhileQueued(KeeperException e) {
        return switch (e.code()) {
            case NONODE, SESSIONEXPIRED, SESSIONMOVED, CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT ->
                Outcome.RESTART;
            default -> throw ZkErrors.translate(e, path);
        };
    }

    private void ensureOpen() {
        if (!lifecycle.isStarted()) {
            throw new StateSyncException(
                    StateSyncException.Reason.CLOSED, path, name + " is " + lifecycle.state(), null);
        }
        if (coordinator.state() == LifecycleState.CLOSED) {
            throw new StateSyncException(
                    StateSyncException.Reason.CLOSED, path, name + ": its coordinator is closed", null);
        }
    }

    /**
     * Reads the lock's znode once per lock object, before its first znode is made: a newer release's
     * layout there is refused (nothing is created).
     */
    private void checkLayout(Deadline deadline) {
        LayoutVersion.checkZnode(coordinator, path, "lock", deadline, OperationTimeoutException.Outcome.NOT_APPLIED);
        layoutChecked = true;
    }

    /**
     * Creates the lock's path (containers) through the coordinator's one retry loop, within the
     * call's deadline: a connection loss or a lost session is left to the caller's loop.
     */
    private void ensureParent(Deadline deadline) throws InterruptedException {
        try {
            coordinator
                    .internalAccess()
                    .createParents(
                            zkPath + "/-",
                            deadline,
                            path,
                            name + ": creating the lock's path",
                            OperationTimeoutException.Outcome.NOT_APPLIED);
        } catch (OperationTimeoutException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(name + ": interrupted while creating the lock's path; nothing is held");
            }
            throw e;
        } catch (ConnectionLossException | SessionExpiredException e) {
            // retried by the caller's loop, within its deadline
        }
    }

    /** A lease records its {@code maxLeases} (for operators: see {@link LeaseRecord}); a lock holds nothing. */
    private byte[] znodeData(LockQueue.Kind kind) {
        return kind == LockQueue.Kind.LEASE ? leaseData : NO_DATA;
    }

    private List<ACL> acl() {
        return coordinator.aclMode() == AclMode.CREATOR_ONLY
                ? ZooDefs.Ids.CREATOR_ALL_ACL
                : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    // ---------------------------------------------------------------- holding and losing

    private void watchHolder(ZooKeeper zk, Handle h) {
        Watcher watcher = event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                lose(h, "its znode " + h.holderPath() + " was deleted (session expired, or deleted by another client)");
            }
        };
        h.watcher = watcher;
        zk.exists(
                h.zkHolderPath,
                watcher,
                (rc, p, ctx, stat) -> {
                    if (rc == KeeperException.Code.NONODE.intValue()) {
                        lose(h, "its znode " + h.holderPath() + " is gone");
                    }
                },
                null);
    }

    private boolean isHeld(Handle h) {
        synchronized (lock) {
            return held.contains(h);
        }
    }

    private void lose(Handle h, String why) {
        LockLostException error;
        synchronized (lock) {
            if (!held.remove(h)) {
                return;
            }
            h.lostReason = why;
            lostOpen.add(h);
            h.heldFor(probe);
            error = new LockLostException(h.holderPath(), name + ": lock lost: " + why, null);
            listeners.enqueue(error, l -> l.lockLost(h, error));
        }
        LOG.warn("{}: handle with token {} lost: {}", name, h.token(), why);
        listeners.dispatch();
        h.removeWatch(coordinator);
        CompletableFuture<Void> unused = deleter.deleteNode(h.zkHolderPath, h.session);
    }

    private void onConnection(ConnectionEvent event) {
        List<Handle> lost = new ArrayList<>();
        String why = null;
        synchronized (lock) {
            if (event.isLoss()) {
                lost.addAll(held);
                why = "connection " + event.kind() + " (a loss under " + coordinator.connectionLossPolicy() + ")";
            } else if (event.isConnected()) {
                for (Handle h : held) {
                    if (h.session != event.sessionId()) {
                        lost.add(h);
                    }
                }
                why = "reconnected with a new session";
            }
            if (!lost.isEmpty() || event.isLoss()) {
                lossEpoch++;
            }
            for (Handle h : lost) {
                held.remove(h);
                h.lostReason = why;
                lostOpen.add(h);
                h.heldFor(probe);
                LockLostException error = new LockLostException(h.holderPath(), name + ": lock lost: " + why, null);
                listeners.enqueue(error, l -> l.lockLost(h, error));
            }
            for (Attempt a : waiting) {
                a.signal();
            }
        }
        listeners.dispatch();
        for (Handle h : lost) {
            LOG.warn("{}: handle with token {} lost: {}", name, h.token(), why);
            h.removeWatch(coordinator);
            // If the session survives (SUSPENDED then RECONNECTED), the znode must go, or it blocks
            // every later acquire; if it expired, the server removed it already.
            CompletableFuture<Void> unused = deleter.deleteNode(h.zkHolderPath, h.session);
        }
    }

    void release(Handle h) {
        release(h, coordinator.internalAccess().deadline(RELEASE_WAIT));
    }

    /**
     * Marks the handle released and deletes its znode, waiting for the answer until {@code waitBy}
     * while connected; past it (or disconnected) the delete goes on through the guaranteed delete.
     */
    private void release(Handle h, Deadline waitBy) {
        synchronized (lock) {
            if (h.released) {
                return;
            }
            h.released = true;
            if (held.remove(h)) {
                h.heldFor(probe);
            }
            lostOpen.remove(h);
        }
        CompletableFuture<Void> deleted = deleter.deleteNode(h.zkHolderPath, h.session);
        if (!coordinator.isConnected() || !LockCalls.awaitQuietly(deleted, waitBy)) {
            h.removeWatch(coordinator);
        }
        // Otherwise the delete fired the holder watch on the server, whose event reached the client
        // before the delete's answer: nothing is left to remove, and no extra round trip is spent.
    }

    void write(Handle h, GuardedWrite write, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(write, "write");
        Deadline.checkTimeout(timeout, "timeout");
        if (write.size() == 0) {
            throw new IllegalArgumentException("a guarded write needs at least one operation");
        }
        String invalid = h.invalidReason();
        if (invalid != null) {
            throw new LockLostException(h.holderPath(), name + ": " + invalid + "; nothing was written", null);
        }
        try {
            GuardedWrites.write(
                    coordinator,
                    h.holderPath(),
                    write,
                    p -> {
                        lose(h, "its znode " + p + " is gone");
                        return new LockLostException(
                                p,
                                name + ": the lock is no longer held (its znode is gone); nothing was written",
                                null);
                    },
                    coordinator.internalAccess().deadline(timeout),
                    name + ": guarded write");
        } catch (SessionExpiredException e) {
            lose(h, "the session expired");
            throw new LockLostException(
                    h.holderPath(), name + ": the session expired, the lock is gone; nothing was written", e);
        }
    }

    /**
     * Sends a read of the queue that sets the watch the waiter needs: the children watch standing
     * in for the holder's own (a mutex, reader or writer; re-armed here), or the attempt's (a lease).
     */
    private CompletableFuture<List<String>> readQueue(
            ZooKeeper zk, @Nullable HolderWatch holderWatch, Attempt attempt) {
        if (holderWatch != null) {
            holderWatch.rearmed();
            return LockCalls.children(zk, zkPath, holderWatch, null);
        }
        return LockCalls.children(zk, zkPath, null, attempt);
    }

    /** A deadline {@code times} the restart backoff from now: how long a waiter sleeps before it looks again. */
    private Deadline backoff(int times) {
        return coordinator.internalAccess().deadline(RESTART_BACKOFF.multipliedBy(times));
    }
}
