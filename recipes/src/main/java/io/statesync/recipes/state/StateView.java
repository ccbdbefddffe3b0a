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
package io.statesync.recipes.state;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.AsyncCreate;
import io.statesync.recipes.internal.FreshRead;
import io.statesync.recipes.internal.PersistentWatch;
import io.statesync.recipes.internal.WatchedNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of a {@link SharedState}: the local view of its znode, kept by a {@link
 * PersistentWatch} and changed only by the rules of {@link WatchedNodes}.
 *
 * <p>Everything that changes the view — watch events, read replies, the replies of this instance's
 * writes — arrives on the ZooKeeper handle's event thread, in the order the server sent it (a write
 * answered on the caller's thread is applied there, which the mzxid rule makes safe), and is applied
 * under {@link #lock}: a value is taken only if its {@code mzxid} is higher than any the instance has
 * seen. A connection gap (Disconnected/Expired, or a new handle) starts a new gap epoch; the first
 * observation after a gap is UPDATED only if it is the direct successor, RESYNCED otherwise. It also
 * creates the node with the initial value on each new handle until a create is answered.
 */
final class StateView<T> {
    private static final Logger LOG = LoggerFactory.getLogger(StateView.class);
    private static final byte[] EMPTY = new byte[0];

    private final ZkAccess access;
    private final String path;
    private final String fullPath;
    private final T initialValue;
    private final byte[] initialBytes;
    private final Lifecycle lifecycle;
    private final ListenerSet<StateListener<T>> listeners;
    private final CountDownLatch initializedLatch = new CountDownLatch(1);

    private final Object lock;
    // Guarded by lock.
    private final WatchedNodes<T> nodes;
    private final PersistentWatch watch;
    /** The one node: what this instance has seen of it, and the value it shows. */
    private final WatchedNodes.Node<T> node = new WatchedNodes.Node<>();

    private boolean initialCreated;
    /** The initial value's create is in flight. */
    private boolean creatingInitial;

    private @Nullable ZooKeeper readInFlightOn;
    private int writesInFlight;
    private long pendingEventZxid = -1;
    /** The highest zxid a node event announced on the attached handle (a change the view may not have read yet). */
    private long announcedZxid = -1;

    private volatile @Nullable Versioned<T> current;

    StateView(
            Coordinator coordinator,
            String path,
            Codec<T> codec,
            T initialValue,
            byte[] initialBytes,
            Lifecycle lifecycle,
            ListenerSet<StateListener<T>> listeners,
            Object lock) {
        this.lock = lock;
        this.access = coordinator.internalAccess();
        this.path = path;
        this.fullPath = access.fullPath(path);
        this.initialValue = initialValue;
        this.initialBytes = initialBytes;
        this.lifecycle = lifecycle;
        this.listeners = listeners;
        this.nodes = new WatchedNodes<>(codec, key -> path, new ViewSink());
        this.watch = new PersistentWatch(access, path, AddWatchMode.PERSISTENT, lock, new WatchHandler());
    }

    // ---------------------------------------------------------------- watching

    /** A transition of the coordinator's connection: a gap if not connected; attaches again if connected. */
    void onConnection(ConnectionEvent event) {
        synchronized (lock) {
            if (!event.isConnected()) {
                nodes.gap();
            }
            listeners.enqueue(event, l -> l.onConnection(event));
        }
        listeners.dispatch();
        if (event.isConnected() && lifecycle.isStarted()) {
            attach();
        }
    }

    /** Sets the persistent watch on the current handle (once per handle) and re-reads. */
    void attach() {
        ZooKeeper zk;
        try {
            zk = access.handle();
        } catch (StateSyncException e) {
            LOG.debug("SharedState {}: no ZooKeeper handle yet", path, e);
            return;
        }
        boolean fresh;
        boolean create;
        synchronized (lock) {
            if (!lifecycle.isStarted()) {
                return;
            }
            fresh = watch.attachLocked(zk);
            if (!fresh) {
                // The connection is back on the same handle: the initial value's create, if its
                // reply was lost, goes out again (safe: an existing znode is taken as it is).
                if (initialCreated || creatingInitial) {
                    return;
                }
                creatingInitial = true;
                create = true;
            } else {
                nodes.gap();
                readInFlightOn = null;
                create = !initialCreated;
                if (create) {
                    creatingInitial = true;
                }
            }
        }
        if (!fresh) {
            createInitial(zk);
            return;
        }
        watch.send(zk);
        if (create) {
            createInitial(zk);
        } else {
            resync(zk);
        }
    }

    /**
     * Creates the node with the initial value unless it exists: one create through ZkAccess (and
     * the missing ancestors as containers), never retried here; a lost reply leaves it to the next
     * reconnection ({@link #attach()}). Re-reads the node once the reply is in.
     */
    private void createInitial(ZooKeeper zk) {
        CompletableFuture<ZkAccess.Reply> sent;
        try {
            sent = AsyncCreate.createWithParents(access, zk, fullPath, initialBytes, CreateMode.PERSISTENT);
        } catch (RuntimeException e) {
            synchronized (lock) {
                creatingInitial = false;
            }
            reportError(ZkErrors.translate(e, path));
            resync(zk);
            return;
        }
        CompletableFuture<?> unused = sent.whenComplete((r, failure) -> {
            int rc = r != null ? r.rc() : KeeperException.Code.SYSTEMERROR.intValue();
            synchronized (lock) {
                creatingInitial = false;
                if (rc == 0 || rc == KeeperException.Code.NODEEXISTS.intValue()) {
                    initialCreated = true;
                }
            }
            if (failure != null) {
                reportError(ZkErrors.translate(failure, path));
            } else if (rc != 0 && rc != KeeperException.Code.NODEEXISTS.intValue() && !ZkAccess.isLoss(rc)) {
                reportError(ZkAccess.error(rc, path));
            }
            resync(zk);
        });
    }

    /** Re-reads the node after a sync, in order with the watch events of {@code zk}. */
    private void resync(ZooKeeper zk) {
        synchronized (lock) {
            if (!watch.isAttached(zk)) {
                return;
            }
            readInFlightOn = zk;
        }
        zk.sync(fullPath, (rc, p, ctx) -> {}, null);
        zk.getData(fullPath, false, (rc, p, ctx, data, stat) -> onRead(zk, rc, data, stat, null), null);
    }

    /** The watch's events: node events of the path, gaps and reconnections of the handle. */
    private final class WatchHandler implements PersistentWatch.Handler {
        @Override
        public void onEvent(ZooKeeper zk, WatchedEvent event) {
            if (fullPath.equals(event.getPath())) {
                onNodeEvent(zk, event.getType(), event.getZxid());
            }
        }

        @Override
        public void onGap(ZooKeeper zk) {
            nodes.gap();
            readInFlightOn = null;
        }

        @Override
        public void onReconnected(ZooKeeper zk) {
            if (lifecycle.isStarted()) {
                resync(zk);
            }
        }

        @Override
        public void onError(StateSyncException e) {
            reportError(e);
        }
    }

    private void onNodeEvent(ZooKeeper zk, Watcher.Event.EventType type, long zxid) {
        List<Runnable> after = new ArrayList<>(1);
        synchronized (lock) {
            if (!watch.isAttached(zk)) {
                return;
            }
            if (type == Watcher.Event.EventType.NodeDeleted) {
                applyAbsent(zxid);
            } else if (type == Watcher.Event.EventType.NodeCreated || type == Watcher.Event.EventType.NodeDataChanged) {
                if (zxid != WatchedEvent.NO_ZXID && zxid <= node.mzxid) {
                    return; // already seen (our own write's reply, or a read that was newer)
                }
                if (zxid != WatchedEvent.NO_ZXID) {
                    announcedZxid = Math.max(announcedZxid, zxid);
                }
                if (writesInFlight > 0) {
                    pendingEventZxid = Math.max(pendingEventZxid, zxid == WatchedEvent.NO_ZXID ? Long.MAX_VALUE : zxid);
                    return;
                }
                if (readInFlightOn == zk) {
                    return; // its reply comes after this event, so it reflects it
                }
                readInFlightOn = zk;
                after.add(() -> zk.getData(
                        fullPath, false, (rc, p, ctx, data, stat) -> onRead(zk, rc, data, stat, null), null));
            }
        }
        listeners.dispatch();
        after.forEach(Runnable::run);
    }

    /**
     * A read reply. Applies it; completes {@code reply} if given. Runs on the event thread of {@code
     * zk}.
     */
    private void onRead(
            ZooKeeper zk,
            int rc,
            byte @Nullable [] data,
            @Nullable Stat stat,
            @Nullable CompletableFuture<ZkAccess.Reply> reply) {
        boolean initNow = false;
        synchronized (lock) {
            lock.notifyAll(); // a combiner may wait for the local value to catch up
            if (readInFlightOn == zk) {
                readInFlightOn = null;
            }
            if (rc == 0 && stat != null) {
                applyPresent(stat.getCzxid(), stat.getMzxid(), stat.getVersion(), data == null ? EMPTY : data);
            } else if (rc == KeeperException.Code.NONODE.intValue()) {
                applyAbsent(WatchedEvent.NO_ZXID);
            }
            if (!nodes.initialized()
                    && watch.isAttached(zk)
                    && (rc == 0 || rc == KeeperException.Code.NONODE.intValue())) {
                nodes.markInitialized();
                initNow = true;
                StateChange<T> initial = StateChange.of(path, ChangeKind.INITIAL, null, node.shown);
                listeners.enqueue(initial, l -> l.onChange(initial));
            }
        }
        listeners.dispatch();
        if (initNow) {
            initializedLatch.countDown();
        }
        if (rc != 0 && rc != KeeperException.Code.NONODE.intValue() && !ZkAccess.isLoss(rc) && reply == null) {
            reportError(ZkAccess.error(rc, path));
        }
        if (reply != null) {
            reply.complete(new ZkAccess.Reply(rc, data, stat));
        }
    }

    // Guarded by lock.
    private void applyPresent(long czxid, long mzxid, int version, byte[] data) {
        nodes.applyPresent(path, node, czxid, mzxid, version, data);
    }

    // Guarded by lock.
    private void applyAbsent(long zxid) {
        nodes.applyAbsent(path, node, zxid);
    }

    /** The view's decisions: the shown value, the changes and undecodable values of the one node. */
    private final class ViewSink implements WatchedNodes.Sink<T> {
        @Override
        public void shown(String key, @Nullable Versioned<T> value) {
            current = value;
        }

        @Override
        public void changed(String key, ChangeKind kind, @Nullable Versioned<T> prev, @Nullable Versioned<T> next) {
            StateChange<T> change = StateChange.of(path, kind, prev, next);
            listeners.enqueue(change, l -> l.onChange(change));
        }

        @Override
        public void undecodable(String key, DecodingException e) {
            LOG.warn("SharedState {}: {}", path, e.getMessage());
            listeners.enqueue(e, l -> l.onError(e));
        }
    }

    private void reportError(StateSyncException e) {
        LOG.warn("SharedState {}: {}", path, e.getMessage());
        listeners.publish(e, l -> l.onError(e));
    }

    // ---------------------------------------------------------------- reading

    /**
     * A quorum operation ({@link FreshRead#barrier}), then a read, on the current handle; retries
     * lost connections by the retry policy until the deadline.
     *
     * @param outcome what running out of time means for the operation the read is part of
     */
    ZkAccess.Reply readFresh(Deadline deadline, String what, Outcome outcome) {
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            CompletableFuture<ZkAccess.Reply> reply = new CompletableFuture<>();
            FreshRead.barrier(zk, fullPath);
            zk.getData(fullPath, false, (rc, p, ctx, data, stat) -> onRead(zk, rc, data, stat, reply), null);
            ZkAccess.Reply r = ZkAccess.await(reply, deadline, path, what, outcome);
            if (ZkAccess.isLoss(r.rc())) {
                access.backoff(++losses, deadline, path, what, outcome);
                continue;
            }
            if (r.rc() != 0 && r.rc() != KeeperException.Code.NONODE.intValue()) {
                throw ZkAccess.error(r.rc(), path);
            }
            return r;
        }
    }

    // ---------------------------------------------------------------- for the writer and the API

    /** Removes the watch (on close). */
    @Nullable
    ZooKeeper detach() {
        return watch.detach();
    }

    /** For a listener just added: INITIAL, if the first read is in. Called under the recipe's lock. */
    void replayInitial(StateListener<T> listener) {
        if (nodes.initialized()) {
            StateChange<T> initial = StateChange.of(path, ChangeKind.INITIAL, null, node.shown);
            listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
        }
    }

    /** The value shown, {@code null} if none (or before the first read). */
    @Nullable
    Versioned<T> current() {
        return current;
    }

    boolean isInitialized() {
        return initializedLatch.getCount() == 0;
    }

    boolean awaitInitialized(Duration timeout) throws InterruptedException {
        return initializedLatch.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Whether the node, as this view currently knows it, is an incarnation other than the one
     * created at {@code czxid} (then a compare-and-set against that one cannot match).
     */
    boolean otherIncarnation(long czxid) {
        synchronized (lock) {
            return nodes.initialized() && !watch.disconnectedLocked() && node.exists && node.czxid != czxid;
        }
    }

    /** Reads the node on {@code zk}; the reply is applied to the view, then completes {@code reply} if given. */
    void read(ZooKeeper zk, @Nullable CompletableFuture<ZkAccess.Reply> reply) {
        zk.getData(fullPath, false, (rc, p, ctx, data, stat) -> onRead(zk, rc, data, stat, reply), null);
    }

    /** A write of this instance is about to be sent: watch events meanwhile wait for its reply. */
    void writeSent() {
        synchronized (lock) {
            writesInFlight++;
        }
    }

    /**
     * A write's reply: applies what it wrote, if it landed, before anyone hears of it.
     *
     * @return whether the node must be read again on {@code zk} now (an event came in meanwhile that
     *     the write does not account for); the caller calls {@link #read} after dispatching
     */
    boolean writeReplied(ZooKeeper zk, @Nullable Versioned<byte[]> written, byte[] data) {
        synchronized (lock) {
            writesInFlight--;
            if (written != null) {
                applyPresent(written.czxid(), written.mzxid(), written.version(), data);
            }
            boolean reread = writesInFlight == 0
                    && pendingEventZxid > node.mzxid
                    && watch.isAttached(zk)
                    && readInFlightOn != zk;
            if (writesInFlight == 0) {
                pendingEventZxid = -1;
            }
            if (reread) {
                readInFlightOn = zk;
            }
            return reread;
        }
    }

    /** The base for computing a write: the znode's coordinates and decoded value, or absent. */
    static final class Base<T> {
        final boolean exists;
        final long czxid;
        final int version;
        final T value;

        Base(boolean exists, long czxid, int version, T value) {
            this.exists = exists;
            this.czxid = czxid;
            this.version = version;
            this.value = value;
        }
    }

    /**
     * The local value as a base for a write, if it is known to be current: read since the last gap
     * and not behind an event seen; {@code null} otherwise (the writer reads afresh).
     */
    @Nullable
    Base<T> localBase() {
        synchronized (lock) {
            if (!nodes.initialized() || watch.disconnectedLocked()) {
                return null;
            }
            Versioned<T> v = node.shown;
            if (!node.exists) {
                return new Base<>(false, -1, -1, initialValue);
            }
            if (v != null && v.mzxid() == node.mzxid) {
                return new Base<>(true, v.czxid(), v.version(), v.value());
            }
            return null;
        }
    }

    /**
     * Waits (a courtesy, at most until {@code bound}) while the view knows of a change it has not
     * read yet and the read that brings it is in flight: a write computed on the local value until
     * then would lose for certain. Costs no request; the read was sent for the change's event (or
     * after the reply of a write that lost to it).
     */
    void awaitAnnouncedChange(Deadline bound) {
        synchronized (lock) {
            Turns.courtesyWait(lock, () -> announcedZxid > node.mzxid && readInFlightOn != null, bound);
        }
    }

    /** Waits (a courtesy, at most until {@code bound}) until no read of the value is in flight. */
    void awaitReadInFlight(Deadline bound) {
        synchronized (lock) {
            Turns.courtesyWait(lock, () -> readInFlightOn != null, bound);
        }
    }
}
