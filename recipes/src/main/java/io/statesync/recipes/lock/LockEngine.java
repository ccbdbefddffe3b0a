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
import io.statesync.core.internal.ServerSilence;
import io.statesync.core.internal.Telemetry;
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
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
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
 *
 * <p>This class owns the lock's state (its lifecycle, the held handles, the waiting attempts, the
 * loss epoch, the lock-lost listeners) and the holding and losing of handles; each attempt in one
 * session runs as a {@link SessionAttempt} against it.
 */
final class LockEngine implements RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(LockEngine.class);
    static final Duration RELEASE_WAIT = Duration.ofSeconds(2);
    private static final Duration RESTART_BACKOFF = Duration.ofMillis(50);

    private static final byte[] NO_DATA = new byte[0];

    private final Coordinator coordinator;
    private final String path;
    final String zkPath;
    final int maxLeases;
    /** What a lease znode holds (see {@link LeaseRecord}), made once. */
    private final byte[] leaseData;

    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<LockLostListener> listeners;
    final Telemetry.Probe probe;
    /** This engine's guaranteed deletes of holder and waiter znodes (no thread of its own). */
    final GuaranteedDelete deleter;

    private final ConnectionListener connectionListener = this::onConnection;
    /** Unregisters {@link #loseOnSilence()} from the coordinator's watchdog; set by {@link #start()}. */
    private ServerSilence.Registration silenceAction = () -> {};

    private final Object lock = new Object();
    /** Whether the lock's znode was checked for a newer layout (once per lock object). */
    private volatile boolean layoutChecked;
    /**
     * Written under {@link #lock}: bumped on every loss; an attempt holds only if it is unchanged
     * since the read it rests on was sent.
     */
    private volatile long lossEpoch;
    /** The last reply before the silence {@link #loseOnSilence()} last acted on; guarded by {@code lock}. */
    private long silenceActedOn = -1;
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

    /** The loss epoch now (see {@link SessionAttempt}: read before each read of the queue is sent). */
    long lossEpoch() {
        return lossEpoch;
    }

    Coordinator coordinator() {
        return coordinator;
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
        silenceAction = coordinator.internalAccess().silence().onPastLimit(this::loseOnSilence);
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
            silenceAction.close();
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
                Object outcome = new SessionAttempt(this, attempt, kind, deadline, wait).run();
                if (outcome instanceof Handle h) {
                    return h;
                }
                if (outcome == SessionAttempt.Outcome.BLOCKED) {
                    return null;
                }
                if (outcome == SessionAttempt.Outcome.PARENT_CREATED && ++parentsCreated <= 10) {
                    // The parent is a container the server may remove again when it is empty.
                    continue;
                }
                if (outcome == SessionAttempt.Outcome.TIMED_OUT) {
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
     * Becomes the holder if no loss was reported since the read of the queue this rests on was sent:
     * the handle, {@link SessionAttempt.Outcome#RESTART} if the session changed or the engine closed,
     * or {@code null} to read the queue again once the loss is over.
     */
    @Nullable
    Object holdIfNoLoss(long epoch, long owner, String myName, LockCalls.Created created) {
        synchronized (lock) {
            if (!lifecycle.isStarted() || owner != coordinator.sessionId()) {
                return SessionAttempt.Outcome.RESTART;
            }
            if (lossEpoch != epoch) {
                return null;
            }
            Handle h = new Handle(this, ZKPaths.makePath(path, myName), created.path, created.stat.getCzxid(), owner);
            held.add(h);
            return h;
        }
    }

    void ensureOpen() {
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
    void ensureParent(Deadline deadline) throws InterruptedException {
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
    byte[] znodeData(LockQueue.Kind kind) {
        return kind == LockQueue.Kind.LEASE ? leaseData : NO_DATA;
    }

    List<ACL> acl() {
        return coordinator.aclMode() == AclMode.CREATOR_ONLY
                ? ZooDefs.Ids.CREATOR_ALL_ACL
                : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    // ---------------------------------------------------------------- holding and losing

    void watchHolder(ZooKeeper zk, Handle h) {
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

    boolean isHeld(Handle h) {
        synchronized (lock) {
            return held.contains(h);
        }
    }

    private void lose(Handle h, String why) {
        synchronized (lock) {
            if (!held.remove(h)) {
                return;
            }
            markLost(List.of(h), why);
        }
        lostNow(List.of(h), why);
    }

    /**
     * The server has been silent past the loss policy's limit (see {@link
     * io.statesync.core.internal.ServerSilence}): every handle held is lost, as if the client had
     * reported the loss already, and waiting acquirers are woken to look again (a queue read sent
     * before now no longer grants the lock, since the loss epoch moved on).
     *
     * @return why, or {@code null} if the server has answered recently enough
     */
    @Nullable
    String loseOnSilence() {
        String why = coordinator.internalAccess().silence().pastLimit();
        if (why == null) {
            return null;
        }
        long since = coordinator.internalAccess().silence().lastReplyMillis();
        List<Handle> lost;
        synchronized (lock) {
            if (since == silenceActedOn && held.isEmpty()) {
                return why; // this silence was acted on already
            }
            silenceActedOn = since;
            lost = new ArrayList<>(held);
            held.clear();
            lossEpoch++;
            if (!lost.isEmpty()) {
                markLost(lost, why);
            }
            for (Attempt a : waiting) {
                a.signal();
            }
        }
        lostNow(lost, why);
        return why;
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
            held.removeAll(lost);
            if (why != null) {
                markLost(lost, why);
            }
            for (Attempt a : waiting) {
                a.signal();
            }
        }
        if (why != null) {
            lostNow(lost, why);
        }
    }

    /** Marks handles no longer held as lost and queues the listeners' calls. Under lock. */
    private void markLost(List<Handle> lost, String why) {
        for (Handle h : lost) {
            h.lostReason = why;
            lostOpen.add(h);
            h.heldFor(probe);
            LockLostException error = new LockLostException(h.holderPath(), name + ": lock lost: " + why, null);
            listeners.enqueue(error, l -> l.lockLost(h, error));
        }
    }

    /** After {@link #markLost}, outside the lock: tells the listeners and deletes the znodes. */
    private void lostNow(List<Handle> lost, String why) {
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
        String invalid = h.checkValid();
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

    /** A deadline {@code times} the restart backoff from now: how long a waiter sleeps before it looks again. */
    Deadline backoff(int times) {
        return coordinator.internalAccess().deadline(RESTART_BACKOFF.multipliedBy(times));
    }
}
