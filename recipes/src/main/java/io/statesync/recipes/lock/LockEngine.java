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
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.recipes.internal.GuardedWrites;
import io.statesync.recipes.internal.LayoutVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
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
    private static final int UUID_LENGTH = 36;
    private static final int SEQUENCE_DIGITS = 10;

    /** What a znode in the queue asks for. */
    enum Kind {
        LOCK("lock", true),
        READ("read", false),
        WRITE("write", true),
        LEASE("lease", false);

        final String prefix;
        final boolean exclusive;

        Kind(String prefix, boolean exclusive) {
            this.prefix = prefix;
            this.exclusive = exclusive;
        }
    }

    private static final Kind[] KINDS = Kind.values();

    private enum Outcome {
        /** The parent was missing and has been created: try again at once. */
        PARENT_CREATED,
        RESTART,
        TIMED_OUT,
        BLOCKED
    }

    private final Coordinator coordinator;
    private final String path;
    private final String zkPath;
    private final int maxLeases;
    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<LockLostListener> listeners;
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
        this.name = recipe + " " + path;
        this.lifecycle = new Lifecycle(name);
        this.listeners = new ListenerSet<>(name, coordinator);
        this.deleter = new GuaranteedDelete(coordinator, name);
        coordinator.internalRecipes().register(recipe, path, this);
    }

    String path() {
        return path;
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
        details.put("held", !tokens.isEmpty());
        details.put("tokens", List.copyOf(tokens));
        details.put("waiting", waiters);
        details.put("lost", lost.size());
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

    LockHandle acquire(Kind kind, Duration timeout) throws InterruptedException {
        Deadline.checkTimeout(timeout, "timeout");
        lifecycle.requireStarted();
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        Handle h = run(kind, deadline, true);
        if (h == null) {
            // Nothing is held: a znode the attempt created is deleted (the guaranteed delete).
            throw new OperationTimeoutException(
                    path,
                    name + ": not acquired (" + kind.prefix + ") within " + timeout + "; nothing is held",
                    OperationTimeoutException.Outcome.NOT_APPLIED,
                    null);
        }
        return h;
    }

    Optional<LockHandle> tryAcquire(Kind kind) throws InterruptedException {
        lifecycle.requireStarted();
        Deadline deadline = coordinator.internalAccess().defaultDeadline();
        return Optional.ofNullable(run(kind, deadline, false));
    }

    private @Nullable Handle run(Kind kind, Deadline deadline, boolean wait) throws InterruptedException {
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
    private Object attemptOnce(Attempt attempt, Kind kind, Deadline deadline, boolean wait)
            throws InterruptedException {
        ZooKeeper zk;
        try {
            zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return Outcome.RESTART;
        }
        long session = zk.getSessionId();
        String id = UUID.randomUUID().toString();
        HolderWatch holderWatch = kind == Kind.LEASE ? null : new HolderWatch(zk);
        // A decision is only taken if no loss was reported since the read it rests on was sent.
        long firstEpoch = lossEpoch;
        CompletableFuture<Created> creating = create(zk, zkPath + "/" + kind.prefix + "-" + id + "-", acl());
        @Nullable QueueRead pendingRead = new QueueRead(readQueue(zk, holderWatch, attempt), firstEpoch);
        Created created;
        try {
            // The read's answer comes after the create's: one wait for both.
            awaitDone(pendingRead.answer, deadline);
            created = await(creating, deadline);
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
            return new QueueRead(readQueue(zk, holderWatch, attempt), epoch);
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
                QueueRead reading = pendingRead != null ? pendingRead : attempt.nextRead();
                pendingRead = null;
                long epoch = reading.epoch;
                List<String> children;
                try {
                    children = await(reading.answer, deadline);
                } catch (KeeperException e) {
                    if (wait && isConnectionError(e)) {
                        continue;
                    }
                    return failedWhileQueued(e);
                } catch (TimeoutException e) {
                    return Outcome.TIMED_OUT;
                }
                List<String> queue = sorted(children);
                int index = queue.indexOf(myName);
                if (index < 0) {
                    // Our znode is gone: the session expired or someone deleted it.
                    return Outcome.RESTART;
                }
                String blocker = blocker(queue, index, kind);
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
                String freeingPath = onlyBlocker(queue, index, kind) ? zkPath + "/" + blocker : null;
                if (!blocker.isEmpty()) {
                    Optional<Stat> stat;
                    try {
                        stat = await(exists(zk, attempt.watchPath(zkPath + "/" + blocker)), deadline);
                    } catch (KeeperException e) {
                        if (isConnectionError(e)) {
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
                    awaitQuietly(
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
    private @Nullable Object holdIfNoLoss(long epoch, long owner, String myName, Created created) {
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
    private @Nullable Object holdAfterDeletion(ZooKeeper zk, long epoch, long owner, String myName, Created created) {
        Object holding = holdIfNoLoss(epoch, owner, myName, created);
        if (holding instanceof Handle h) {
            watchHolder(zk, h);
        }
        return holding;
    }

    /**
     * Whether the deletion of the blocker alone frees the waiter at {@code index}: it is the only
     * znode ahead (a mutex or writer), or the only writer ahead (a reader).
     */
    private static boolean onlyBlocker(List<String> queue, int index, Kind kind) {
        return switch (kind) {
            case LOCK, WRITE -> index == 1;
            case READ -> {
                int exclusives = 0;
                for (int j = 0; j < index; j++) {
                    Kind k = kindOf(queue.get(j));
                    if (k != null && k.exclusive) {
                        exclusives++;
                    }
                }
                yield exclusives == 1;
            }
            case LEASE -> false;
        };
    }

    private static boolean isConnectionError(KeeperException e) {
        return e.code() == KeeperException.Code.CONNECTIONLOSS
                || e.code() == KeeperException.Code.OPERATIONTIMEOUT
                || e.code() == KeeperException.Code.REQUESTTIMEOUT;
    }

    private Outcome failedWhileQueued(KeeperException e) {
        return switch (e.code()) {
            case NONODE, SESSIONEXPIRED, SESSIONMOVED, CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT ->
                Outcome.RESTART;
            default -> throw ZkErrors.translate(e, path);
        };
    }

    /**
     * The child the waiter at {@code index} waits for: {@code null} if nothing blocks it, the empty
     * string if it must watch the children (a lease), else the name of the child to watch.
     */
    private @Nullable String blocker(List<String> queue, int index, Kind kind) {
        return switch (kind) {
            case LOCK, WRITE -> index == 0 ? null : queue.get(index - 1);
            case READ -> lastExclusiveBefore(queue, index);
            case LEASE -> index < maxLeases ? null : "";
        };
    }

    private static @Nullable String lastExclusiveBefore(List<String> queue, int index) {
        for (int j = index - 1; j >= 0; j--) {
            Kind k = kindOf(queue.get(j));
            if (k != null && k.exclusive) {
                return queue.get(j);
            }
        }
        return null;
    }

    /** The lock znodes among {@code children}, in queue order. */
    private static List<String> sorted(List<String> children) {
        List<String> ours = new ArrayList<>(children.size());
        for (String c : children) {
            if (isLockNode(c)) {
                ours.add(c);
            }
        }
        if (ours.size() > 1) {
            ours.sort(Comparator.comparingLong(LockEngine::sequence));
        }
        return ours;
    }

    /**
     * Whether {@code name} is a lock znode, {@code <kind>-<uuid>-<10 digits>} (checked by hand: this
     * runs for every child on every read of the queue).
     */
    static boolean isLockNode(String name) {
        int dash = name.indexOf('-');
        if (dash < 0 || kindOf(name) == null || name.length() != dash + 1 + UUID_LENGTH + 1 + SEQUENCE_DIGITS) {
            return false;
        }
        int uuid = dash + 1;
        for (int i = 0; i < UUID_LENGTH; i++) {
            char c = name.charAt(uuid + i);
            boolean ok = (i == 8 || i == 13 || i == 18 || i == 23)
                    ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                return false;
            }
        }
        if (name.charAt(uuid + UUID_LENGTH) != '-') {
            return false;
        }
        for (int i = name.length() - SEQUENCE_DIGITS; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The sequence suffix of a lock znode's name. */
    private static long sequence(String name) {
        long sequence = 0;
        for (int i = name.length() - SEQUENCE_DIGITS; i < name.length(); i++) {
            sequence = sequence * 10 + (name.charAt(i) - '0');
        }
        return sequence;
    }

    /** The kind a znode name starts with, or {@code null} if none. */
    static @Nullable Kind kindOf(String name) {
        for (Kind k : KINDS) {
            if (name.startsWith(k.prefix)
                    && name.length() > k.prefix.length()
                    && name.charAt(k.prefix.length()) == '-') {
                return k;
            }
        }
        return null;
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

    /**
     * The children watch a mutex, reader or writer sets with each read of the queue: it stands in
     * for the exact watch on the holder's own znode, saving a round trip when the lock is taken and
     * released with nobody else around. Any change among the children (the holder's znode deleted
     * among them) fires it; if the attempt holds by then, the exact watch is set at that moment (an
     * {@code exists}, which also finds the znode gone if that was the change). If it fired between
     * the last read and the moment the attempt holds, the exact watch is set at once.
     */
    private final class HolderWatch implements Watcher {
        private final ZooKeeper zk;
        /** Guarded by {@code this}. */
        private @Nullable Handle handle;
        /** Guarded by {@code this}: fired (or may have) since the last read of the queue was sent. */
        private boolean fired;

        HolderWatch(ZooKeeper zk) {
            this.zk = zk;
        }

        /** Called just before each read of the queue, which sets the watch again. */
        synchronized void rearmed() {
            fired = false;
        }

        /** The attempt holds: {@code true} if the watch is still set and will hand over to the exact one. */
        synchronized boolean hold(Handle h) {
            if (fired) {
                return false;
            }
            handle = h;
            return true;
        }

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() == Watcher.Event.EventType.None) {
                return; // connection states reach the holder through the coordinator's events
            }
            Handle h;
            synchronized (this) {
                fired = true;
                h = handle;
                handle = null;
            }
            if (h != null && isHeld(h)) {
                watchHolder(zk, h);
            }
        }
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
            held.remove(h);
            lostOpen.remove(h);
        }
        CompletableFuture<Void> deleted = deleter.deleteNode(h.zkHolderPath, h.session);
        if (!coordinator.isConnected() || !awaitQuietly(deleted, waitBy)) {
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

    // ---------------------------------------------------------------- async ZooKeeper calls

    private static final class Created {
        final String path;
        final Stat stat;

        Created(String path, Stat stat) {
            this.path = path;
            this.stat = stat;
        }
    }

    /** A read of the queue that was sent, and the loss epoch just before it was sent. */
    private static final class QueueRead {
        final CompletableFuture<List<String>> answer;
        final long epoch;

        QueueRead(CompletableFuture<List<String>> answer, long epoch) {
            this.answer = answer;
            this.epoch = epoch;
        }
    }

    private static CompletableFuture<Created> create(ZooKeeper zk, String prefix, List<ACL> acl) {
        CompletableFuture<Created> f = new CompletableFuture<>();
        zk.create(
                prefix,
                new byte[0],
                acl,
                CreateMode.EPHEMERAL_SEQUENTIAL,
                (rc, p, ctx, created, stat) -> {
                    if (rc == KeeperException.Code.OK.intValue() && created != null && stat != null) {
                        f.complete(new Created(created, stat));
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return f;
    }

    /**
     * Sends a read of the queue that sets the watch the waiter needs: the children watch standing
     * in for the holder's own (a mutex, reader or writer; re-armed here), or the attempt's (a lease).
     */
    private CompletableFuture<List<String>> readQueue(
            ZooKeeper zk, @Nullable HolderWatch holderWatch, Attempt attempt) {
        if (holderWatch != null) {
            holderWatch.rearmed();
            return children(zk, holderWatch, null);
        }
        return children(zk, null, attempt);
    }

    private CompletableFuture<List<String>> children(
            ZooKeeper zk, @Nullable Watcher watcher, @Nullable Attempt watching) {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        zk.getChildren(
                zkPath,
                watching == null ? watcher : watching.watch(zkPath),
                (rc, p, ctx, children) -> {
                    if (watching != null) {
                        watching.answered(zkPath, rc == KeeperException.Code.OK.intValue());
                    }
                    if (rc == KeeperException.Code.OK.intValue() && children != null) {
                        f.complete(children);
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return f;
    }

    private static CompletableFuture<Optional<Stat>> exists(ZooKeeper zk, WatchedPath watched) {
        CompletableFuture<Optional<Stat>> f = new CompletableFuture<>();
        zk.exists(
                watched.path,
                watched.watcher,
                (rc, p, ctx, stat) -> {
                    watched.attempt.answered(
                            watched.path,
                            rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NONODE.intValue());
                    if (rc == KeeperException.Code.OK.intValue() && stat != null) {
                        f.complete(Optional.of(stat));
                    } else if (rc == KeeperException.Code.NONODE.intValue()) {
                        f.complete(Optional.empty());
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return f;
    }

    private static <T> T await(CompletableFuture<T> future, Deadline deadline)
            throws InterruptedException, KeeperException, TimeoutException {
        try {
            return deadline.await(future);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KeeperException ke) {
                throw ke;
            }
            throw new IllegalStateException("unexpected failure of a ZooKeeper call", cause);
        }
    }

    /** Waits until {@code future} is done, however it ends, or the deadline passed. */
    private static void awaitDone(CompletableFuture<?> future, Deadline deadline) throws InterruptedException {
        try {
            deadline.await(future);
        } catch (ExecutionException | TimeoutException e) {
            // judged by the caller, from the future it waits for next
        }
    }

    /** Waits for a delete; {@code true} if it was confirmed in time. */
    private static boolean awaitQuietly(CompletableFuture<Void> future, Deadline waitBy) {
        try {
            waitBy.await(future);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("delete not confirmed within {}; it goes on in the background", waitBy);
        }
        return false;
    }

    /** A deadline {@code times} the restart backoff from now: how long a waiter sleeps before it looks again. */
    private Deadline backoff(int times) {
        return coordinator.internalAccess().deadline(RESTART_BACKOFF.multipliedBy(times));
    }

    // ---------------------------------------------------------------- waiting

    /** A path watched for an attempt, with the watcher that wakes it. */
    private static final class WatchedPath {
        final String path;
        final Watcher watcher;
        final Attempt attempt;

        WatchedPath(String path, Watcher watcher, Attempt attempt) {
            this.path = path;
            this.watcher = watcher;
            this.attempt = attempt;
        }
    }

    /**
     * One caller waiting in acquire: woken by its watches, by connection events and by close.
     *
     * <p>It knows which of its watches are still set: a watch is set when the answer to the request
     * that asked for it arrives, and is gone once it fired; both reach the handle's event thread in
     * the order the server sent them. Only watches still set are removed at the end (a removal is a
     * round trip), unless a request is still unanswered, in which case every watched path is.
     */
    static final class Attempt {
        private final Watcher watcher = this::onEvent;
        /** Guarded by {@code this}: sends a read of the queue; set while queued in one session. */
        private @Nullable Supplier<QueueRead> reader;
        /** Guarded by {@code this}: the next watch event sends the next read. */
        private boolean armed;
        /** Guarded by {@code this}: a read sent by a watch event, not taken yet. */
        private @Nullable QueueRead prefetched;
        /** Guarded by {@code this}: while armed, the path whose deletion frees the caller, if any. */
        private @Nullable String freeingPath;
        /** Guarded by {@code this}: the freeing path was deleted since the caller armed. */
        private boolean freed;
        /** Guarded by {@code this}. */
        private final Set<String> watchedPaths = new LinkedHashSet<>();
        /** Guarded by {@code this}: watched paths whose watch is set and has not fired. */
        private final Set<String> setWatches = new HashSet<>();
        /** Guarded by {@code this}: watching requests sent and not answered yet. */
        private int unanswered;
        /** Guarded by {@code this}. */
        private boolean signaled;

        synchronized Watcher watch(String zkPath) {
            watchedPaths.add(zkPath);
            unanswered++;
            return watcher;
        }

        WatchedPath watchPath(String zkPath) {
            return new WatchedPath(zkPath, watch(zkPath), this);
        }

        /** The answer to a watching request for {@code zkPath}; on the event thread. */
        synchronized void answered(String zkPath, boolean watchSet) {
            unanswered--;
            if (watchSet) {
                setWatches.add(zkPath);
            }
        }

        /** Starts queueing in one session: {@code reader} sends a read of the queue. */
        synchronized void startReading(Supplier<QueueRead> reader) {
            this.reader = reader;
            disarm();
        }

        /** Ends queueing in the session: no read is sent any more. */
        synchronized void stopReading() {
            reader = null;
            disarm();
        }

        /**
         * The caller is about to wait for a watch: the event sends the next read without waiting for
         * it, or, if {@code freeingPath} is given, notes whether that path was deleted.
         */
        synchronized void arm(@Nullable String freeingPath) {
            armed = true;
            prefetched = null;
            this.freeingPath = freeingPath;
            freed = false;
        }

        synchronized void disarm() {
            armed = false;
            prefetched = null;
            freeingPath = null;
            freed = false;
        }

        /** Whether the freeing path given to {@link #arm} was deleted while the caller waited. */
        synchronized boolean sawDeletion() {
            boolean deleted = freed;
            armed = false;
            freeingPath = null;
            freed = false;
            return deleted;
        }

        /**
         * The next read of the queue: the one a watch event sent, or a new one. Reads are sent under
         * this monitor, so they leave in the order the caller takes them; none is sent and dropped.
         */
        synchronized QueueRead nextRead() {
            QueueRead read = prefetched;
            disarm();
            if (read != null) {
                return read;
            }
            return Objects.requireNonNull(reader, "no session to read in").get();
        }

        private void onEvent(WatchedEvent event) {
            String p = event.getPath();
            if (event.getType() != Watcher.Event.EventType.None && p != null) {
                synchronized (this) {
                    setWatches.remove(p);
                    Supplier<QueueRead> r = reader;
                    if (armed && freeingPath != null) {
                        if (event.getType() == Watcher.Event.EventType.NodeDeleted && p.equals(freeingPath)) {
                            armed = false;
                            freed = true;
                        }
                    } else if (armed && r != null) {
                        // Sent from the event thread: a handoff does not wait for the caller to wake first.
                        armed = false;
                        try {
                            prefetched = r.get();
                        } catch (RuntimeException e) {
                            LOG.debug("sending a read of the queue from a watch event failed", e);
                        }
                    }
                }
            }
            signal();
        }

        synchronized void signal() {
            signaled = true;
            notifyAll();
        }

        /** Waits for a signal; {@code false} if the deadline passed first. */
        synchronized boolean await(Deadline deadline) throws InterruptedException {
            if (!deadline.awaitWhile(this, () -> !signaled)) {
                return false;
            }
            signaled = false;
            return true;
        }

        void removeWatches(ZooKeeper zk) {
            List<String> toRemove;
            synchronized (this) {
                toRemove = new ArrayList<>(unanswered > 0 ? watchedPaths : setWatches);
                watchedPaths.clear();
                setWatches.clear();
            }
            for (String p : toRemove) {
                removeWatch(zk, p, watcher);
            }
        }
    }

    static void removeWatch(ZooKeeper zk, String zkPath, Watcher watcher) {
        try {
            zk.removeWatches(zkPath, watcher, Watcher.WatcherType.Any, true, (rc, p, ctx) -> {}, null);
        } catch (RuntimeException e) {
            LOG.debug("removing a watch on {} failed", zkPath, e);
        }
    }

    // ---------------------------------------------------------------- the handle

    static final class Handle implements LockHandle {
        private final LockEngine engine;
        private final String holderPath;
        final String zkHolderPath;
        private final long token;
        final long session;
        /** Written under the engine's lock. */
        volatile boolean released;
        /** Written under the engine's lock. */
        volatile @Nullable String lostReason;

        volatile @Nullable Watcher watcher;

        Handle(LockEngine engine, String holderPath, String zkHolderPath, long token, long session) {
            this.engine = engine;
            this.holderPath = holderPath;
            this.zkHolderPath = zkHolderPath;
            this.token = token;
            this.session = session;
        }

        @Override
        public long token() {
            return token;
        }

        @Override
        public boolean isValid() {
            return invalidReason() == null;
        }

        @Nullable
        String invalidReason() {
            if (released) {
                return "the handle was released";
            }
            String lost = lostReason;
            if (lost != null) {
                return "the lock was lost: " + lost;
            }
            if (engine.coordinator.state() == LifecycleState.CLOSED) {
                return "the coordinator was closed (its session, and the lock with it, ended)";
            }
            return null;
        }

        @Override
        public String holderPath() {
            return holderPath;
        }

        @Override
        public String lockPath() {
            return engine.path;
        }

        @Override
        public void write(GuardedWrite write) throws InterruptedException {
            engine.write(this, write, engine.coordinator.operationTimeout());
        }

        @Override
        public void write(GuardedWrite write, Duration timeout) throws InterruptedException {
            engine.write(this, write, timeout);
        }

        @Override
        public void close() {
            engine.release(this);
        }

        void removeWatch(Coordinator coordinator) {
            Watcher w = watcher;
            if (w == null) {
                return;
            }
            watcher = null;
            try {
                LockEngine.removeWatch(
                        coordinator.curatorFramework().getZookeeperClient().getZooKeeper(), zkHolderPath, w);
            } catch (Exception e) {
                LOG.debug("no ZooKeeper handle to remove the watch on {}", zkHolderPath, e);
            }
        }

        @Override
        public String toString() {
            return "LockHandle{" + holderPath + ", token=" + token + (isValid() ? "" : ", " + invalidReason()) + '}';
        }
    }
}
