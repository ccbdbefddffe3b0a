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
package io.statesync.recipes.watch;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.AsyncCreate;
import io.statesync.recipes.internal.FreshRead;
import io.statesync.recipes.internal.PersistentWatch;
import io.statesync.recipes.internal.WatchedNodes;
import io.statesync.recipes.internal.WriterMarker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * The implementation of {@link StateTree}: the per-key form of the shared-state engine. Watch
 * events, read replies and write replies all arrive on the handle's event thread, in server order,
 * and are applied under {@link #lock} by one rule per key — take a value only if its {@code mzxid}
 * is higher than any seen for that key. Loads and re-reads pipeline up to {@code loadBatch} reads.
 */
final class DefaultStateTree<T> extends AbstractRecipe<T> implements StateTree<T>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultStateTree.class);
    private static final byte[] EMPTY = new byte[0];

    private final ZkAccess access;
    private final WriterMarker marker;
    private final TreeWriter<T> writer;
    private final String path;
    private final String fullPath;
    private final String prefix;
    private final Codec<T> codec;
    private final int loadBatch;
    private final CountDownLatch initializedLatch = new CountDownLatch(1);
    // Every shown value: what get, snapshot and size read without the lock. Written under lock.
    private final ConcurrentHashMap<String, Versioned<T>> view = new ConcurrentHashMap<>();

    // Guarded by lock. Bookkeeping only for keys whose state the view does not tell: empty once a
    // load is done, so a settled key costs its view entry alone.
    private final TreeKeys<T> keys = new TreeKeys<>(view);
    private @Nullable Loader loader;
    private final WatchedNodes<T> nodes;
    final Telemetry.Probe probe;
    private final PersistentWatch watch;

    /** One load or re-read of the whole tree on one handle. */
    private static final class Loader {
        final ZooKeeper zk;
        final ArrayDeque<String> todo = new ArrayDeque<>();
        int inFlight;
        boolean listed;

        Loader(ZooKeeper zk) {
            this.zk = zk;
        }
    }

    DefaultStateTree(Coordinator coordinator, String path, Codec<T> codec, int loadBatch) {
        super(coordinator, "StateTree " + path);
        this.access = coordinator.internalAccess();
        this.marker = new WriterMarker(coordinator);
        this.path = path;
        this.fullPath = coordinator.internalAccess().fullPath(path);
        this.prefix = fullPath.equals("/") ? "/" : fullPath + "/";
        this.codec = codec;
        this.loadBatch = loadBatch;
        this.nodes = new WatchedNodes<>(codec, this::keyPath, new ViewSink());
        this.watch = new PersistentWatch(access, path, AddWatchMode.PERSISTENT_RECURSIVE, lock, new WatchHandler());
        this.probe = coordinator.internalTelemetry().probe("StateTree " + path, path);
        this.writer = new TreeWriter<>(coordinator, codec, marker, lifecycle, this);
        coordinator.internalRecipes().register("StateTree", path, this);
    }

    // ---------------------------------------------------------------- lifecycle and listeners

    @Override
    protected void doStart() {
        if (coordinator.isConnected()) {
            attach();
        }
    }

    @Override
    protected void doClose(LifecycleState previous) {
        if (previous != LifecycleState.STARTED) {
            return;
        }
        synchronized (lock) {
            loader = null;
        }
        ZooKeeper zk = watch.detach();
        if (zk != null) {
            try {
                marker.deleteQuietly(zk);
            } catch (RuntimeException e) {
                LOG.debug("StateTree {}: removing the watch on close failed", path, e);
            }
        }
    }

    @Override
    protected void replayInitial(StateListener<T> listener) {
        if (nodes.initialized()) {
            for (Map.Entry<String, Versioned<T>> e : new TreeMap<>(view).entrySet()) {
                StateChange<T> initial = StateChange.of(keyPath(e.getKey()), ChangeKind.INITIAL, null, e.getValue());
                listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
            }
        }
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean awaitInitialized(Duration timeout) throws InterruptedException {
        return initializedLatch.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public Map<String, Versioned<T>> snapshot() {
        return Map.copyOf(view);
    }

    @Override
    public Optional<Versioned<T>> get(String key) {
        ZPaths.validateKey(key);
        return Optional.ofNullable(view.get(key));
    }

    @Override
    public int size() {
        return view.size();
    }

    /** UP once loaded; DEGRADED before (the view is empty or partial). Details: the keys held. */
    @Override
    public Health describe() {
        boolean initialized = initializedLatch.getCount() == 0;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("initialized", initialized);
        details.put(ReportKeys.KEYS, view.size());
        details.put("listeners", listeners.size());
        if (lifecycle.isStarted() && !initialized) {
            return new Health(Health.Status.DEGRADED, "its first load has not completed; the view is partial", details);
        }
        return new Health(Health.Status.UP, "holding " + view.size() + " keys", details);
    }

    @Override
    public String toString() {
        return "StateTree{" + path + ", " + lifecycle.state() + ", " + view.size() + " keys}";
    }

    String keyPath(String key) {
        return path.equals("/") ? "/" + key : path + "/" + key;
    }

    String keyFull(String key) {
        return prefix + key;
    }

    // ---------------------------------------------------------------- watching

    @Override
    protected void onConnection(ConnectionEvent event) {
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

    private void attach() {
        ZooKeeper zk;
        try {
            zk = access.handle();
        } catch (StateSyncException e) {
            LOG.debug("StateTree {}: no ZooKeeper handle yet", path, e);
            return;
        }
        synchronized (lock) {
            if (!lifecycle.isStarted() || !watch.attachLocked(zk)) {
                return;
            }
            nodes.gap();
        }
        watch.send(zk);
        // The root, created eagerly: one create through ZkAccess (and the missing ancestors as
        // containers), not retried; a missing root is read as an empty tree, and writes create it.
        try {
            CompletableFuture<?> unused = AsyncCreate.createWithParents(
                            access, zk, fullPath, EMPTY, CreateMode.PERSISTENT)
                    .whenComplete((r, failure) -> {
                        int rc = r != null ? r.rc() : KeeperException.Code.SYSTEMERROR.intValue();
                        if (failure != null) {
                            reportError(ZkErrors.translate(failure, path));
                        } else if (rc != 0
                                && rc != KeeperException.Code.NODEEXISTS.intValue()
                                && !ZkAccess.isLoss(rc)) {
                            reportError(ZkAccess.error(rc, path));
                        }
                        resync(zk);
                    });
        } catch (RuntimeException e) {
            reportError(ZkErrors.translate(e, path));
            resync(zk);
        }
    }

    /** Lists the children after a sync, then reads every key, pipelined. */
    private void resync(ZooKeeper zk) {
        Loader l = new Loader(zk);
        synchronized (lock) {
            if (!watch.isAttached(zk)) {
                return;
            }
            loader = l;
        }
        zk.sync(fullPath, (rc, p, ctx) -> {}, null);
        zk.getChildren(fullPath, false, (rc, p, ctx, children) -> onChildren(l, rc, children), null);
    }

    private void onChildren(Loader l, int rc, @Nullable List<String> children) {
        List<String> toRead;
        synchronized (lock) {
            if (loader != l) {
                return;
            }
            if (rc != 0 && rc != KeeperException.Code.NONODE.intValue()) {
                if (!ZkAccess.isLoss(rc)) {
                    reportErrorLocked(ZkAccess.error(rc, path));
                }
                loader = null;
                return;
            }
            Set<String> listed = children == null ? Set.of() : new HashSet<>(children);
            Set<String> existing = new HashSet<>(view.keySet());
            keys.addExisting(existing);
            for (String key : existing) {
                if (!listed.contains(key)) {
                    WatchedNodes.Node<T> k = keyOf(key);
                    applyAbsent(key, k, WatchedEvent.NO_ZXID);
                    store(key, k);
                }
            }
            l.listed = true;
            if (children != null) {
                l.todo.addAll(children);
            }
            toRead = nextReads(l);
            finishIfDone(l);
        }
        issueReads(l, toRead);
        listeners.dispatch();
    }

    // Guarded by lock.
    private List<String> nextReads(Loader l) {
        List<String> out = new ArrayList<>();
        while (l.inFlight < loadBatch && !l.todo.isEmpty()) {
            String key = l.todo.poll();
            l.inFlight++;
            WatchedNodes.Node<T> k = keyOf(key);
            k.readInFlightOn = l.zk;
            keys.track(key, k);
            out.add(key);
        }
        return out;
    }

    private void issueReads(Loader l, List<String> toRead) {
        ZooKeeper zk = l.zk;
        for (String key : toRead) {
            zk.getData(keyFull(key), false, (rc, p, ctx, data, stat) -> onRead(zk, key, rc, data, stat, null, l), null);
        }
    }

    // Guarded by lock.
    private void finishIfDone(Loader l) {
        if (!l.listed || l.inFlight > 0 || !l.todo.isEmpty() || loader != l) {
            return;
        }
        loader = null;
        boolean first = !nodes.initialized();
        if (first) {
            nodes.markInitialized();
            emitInitial();
        } else {
            // Tombstones are no longer needed once a full re-read (after a sync) has been applied.
            keys.dropTombstones();
        }
        keys.settle(nodes.gapEpoch());
        if (first) {
            // Last: whoever awaited the load finds it settled (the load's bookkeeping let go).
            initializedLatch.countDown();
        }
    }

    /** INITIAL for every shown key, in key order. */
    // Guarded by lock.
    private void emitInitial() {
        for (Map.Entry<String, Versioned<T>> e : new TreeMap<>(view).entrySet()) {
            emit(e.getKey(), ChangeKind.INITIAL, null, e.getValue());
        }
    }

    // Guarded by lock.
    private WatchedNodes.Node<T> keyOf(String key) {
        return keys.of(key);
    }

    // Guarded by lock.
    private void store(String key, WatchedNodes.Node<T> k) {
        keys.store(key, k);
    }

    /** The watch's events: node events of the keys, gaps and reconnections of the handle. */
    private final class WatchHandler implements PersistentWatch.Handler {
        @Override
        public void onEvent(ZooKeeper zk, WatchedEvent event) {
            String p = event.getPath();
            if (p == null || !p.startsWith(prefix) || p.length() == prefix.length()) {
                return;
            }
            String key = p.substring(prefix.length());
            if (key.indexOf('/') >= 0) {
                return; // deeper than a key
            }
            onKeyEvent(zk, key, event.getType(), event.getZxid());
        }

        @Override
        public void onGap(ZooKeeper zk) {
            nodes.gap();
            loader = null;
            keys.gap();
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

    private void onKeyEvent(ZooKeeper zk, String key, Watcher.Event.EventType type, long zxid) {
        boolean read = false;
        synchronized (lock) {
            if (!watch.isAttached(zk)) {
                return;
            }
            WatchedNodes.Node<T> k = keyOf(key);
            if (type == Watcher.Event.EventType.NodeDeleted) {
                applyAbsent(key, k, zxid);
            } else if (type == Watcher.Event.EventType.NodeCreated || type == Watcher.Event.EventType.NodeDataChanged) {
                if (k.mayBeNewer(zxid) && k.readInFlightOn != zk) {
                    k.readInFlightOn = zk;
                    read = true;
                }
            }
            store(key, k);
        }
        listeners.dispatch();
        if (read) {
            zk.getData(
                    keyFull(key), false, (rc, p, ctx, data, stat) -> onRead(zk, key, rc, data, stat, null, null), null);
        }
    }

    private void onRead(
            ZooKeeper zk,
            String key,
            int rc,
            byte @Nullable [] data,
            @Nullable Stat stat,
            @Nullable CompletableFuture<ZkAccess.Reply> reply,
            @Nullable Loader fromLoader) {
        List<String> more = List.of();
        Loader l = null;
        synchronized (lock) {
            WatchedNodes.Node<T> k = keyOf(key);
            if (k.readInFlightOn == zk) {
                k.readInFlightOn = null;
            }
            if (rc == 0 && stat != null) {
                applyPresent(key, k, stat.getCzxid(), stat.getMzxid(), stat.getVersion(), data == null ? EMPTY : data);
            } else if (rc == KeeperException.Code.NONODE.intValue()) {
                applyAbsent(key, k, WatchedEvent.NO_ZXID);
            }
            store(key, k);
            if (fromLoader != null && fromLoader == loader && ZkAccess.isLoss(rc)) {
                // The connection went during the load: a complete re-read follows on reconnect.
                loader = null;
            } else if (fromLoader != null && fromLoader == loader) {
                fromLoader.inFlight--;
                more = nextReads(fromLoader);
                finishIfDone(fromLoader);
                l = fromLoader;
            }
        }
        if (l != null) {
            issueReads(l, more);
        }
        listeners.dispatch();
        if (reply != null) {
            reply.complete(new ZkAccess.Reply(rc, data, stat));
        }
    }

    // Guarded by lock.
    private void applyPresent(String key, WatchedNodes.Node<T> k, long czxid, long mzxid, int version, byte[] data) {
        nodes.applyPresent(key, k, czxid, mzxid, version, data);
    }

    // Guarded by lock.
    private void applyAbsent(String key, WatchedNodes.Node<T> k, long zxid) {
        nodes.applyAbsent(key, k, zxid);
    }

    /** The view's decisions: shown values into {@link #view}, changes and errors to listeners. */
    private final class ViewSink implements WatchedNodes.Sink<T> {
        @Override
        public void shown(String key, @Nullable Versioned<T> value) {
            if (value == null) {
                view.remove(key);
            } else {
                view.put(key, value);
            }
        }

        @Override
        public void changed(String key, ChangeKind kind, @Nullable Versioned<T> prev, @Nullable Versioned<T> next) {
            emit(key, kind, prev, next);
        }

        @Override
        public void undecodable(String key, DecodingException e) {
            LOG.warn("StateTree {}: {}", path, e.getMessage());
            listeners.enqueue(e, l -> l.onError(e));
        }
    }

    // Guarded by lock.
    private void emit(String key, ChangeKind kind, @Nullable Versioned<T> prev, @Nullable Versioned<T> next) {
        StateChange<T> change = StateChange.of(keyPath(key), kind, prev, next);
        listeners.enqueue(change, l -> l.onChange(change));
    }

    private void reportError(StateSyncException e) {
        LOG.warn("StateTree {}: {}", path, e.getMessage());
        listeners.publish(e, l -> l.onError(e));
    }

    // Guarded by lock.
    private void reportErrorLocked(StateSyncException e) {
        LOG.warn("StateTree {}: {}", path, e.getMessage());
        listeners.enqueue(e, l -> l.onError(e));
    }

    // ---------------------------------------------------------------- writing

    /** Applies a landed write of {@code key} sent on {@code zk}, if that is still the attached handle. */
    void applyWritten(ZooKeeper zk, String key, Stat stat, byte[] data) {
        synchronized (lock) {
            if (watch.isAttached(zk)) {
                WatchedNodes.Node<T> k = keyOf(key);
                applyPresent(key, k, stat.getCzxid(), stat.getMzxid(), stat.getVersion(), data);
                store(key, k);
            }
        }
        listeners.dispatch();
    }

    /**
     * A quorum operation ({@link FreshRead#barrier}), then a read of the key, on {@code zk}; the
     * reply updates the local view too.
     */
    ZkAccess.Reply readFresh(ZooKeeper zk, String key, Deadline deadline, String what, Outcome outcome) {
        CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
        FreshRead.barrier(zk, keyFull(key));
        zk.getData(keyFull(key), false, (rc, p, ctx, data, stat) -> onRead(zk, key, rc, data, stat, f, null), null);
        return ZkAccess.await(f, deadline, keyPath(key), what, outcome);
    }

    static <V> Versioned<V> written(V value, Stat stat) {
        return Versioned.of(value, stat.getVersion(), stat.getCzxid(), stat.getMzxid());
    }

    @Override
    public Optional<Versioned<T>> read(String key) throws InterruptedException {
        return read(key, coordinator.operationTimeout());
    }

    @Override
    public Optional<Versioned<T>> read(String key, Duration timeout) throws InterruptedException {
        return probe.observe("read", () -> readFresh(key, timeout));
    }

    private Optional<Versioned<T>> readFresh(String key, Duration timeout) throws InterruptedException {
        ZPaths.validateKey(key);
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        String keyPath = keyPath(key);
        String what = "read of " + keyPath;
        if (Thread.interrupted()) {
            throw new InterruptedException(what + " not started: the thread was interrupted");
        }
        int losses = 0;
        while (true) {
            ZkAccess.Reply r = readFresh(access.handle(), key, deadline, what, Outcome.NOT_APPLIED);
            if (ZkAccess.isLoss(r.rc())) {
                access.backoff(++losses, deadline, keyPath, what, Outcome.NOT_APPLIED);
                continue;
            }
            Stat stat = r.stat();
            if (r.rc() == KeeperException.Code.NONODE.intValue() || stat == null) {
                if (r.rc() != 0 && r.rc() != KeeperException.Code.NONODE.intValue()) {
                    throw ZkAccess.error(r.rc(), keyPath);
                }
                return Optional.empty();
            }
            if (r.rc() != 0) {
                throw ZkAccess.error(r.rc(), keyPath);
            }
            byte[] raw = r.data();
            byte[] data = raw == null ? EMPTY : raw;
            return Optional.of(written(Codecs.decode(codec, keyPath, stat.getVersion(), data), stat));
        }
    }

    @Override
    public Versioned<T> put(String key, T value) throws InterruptedException {
        return put(key, value, coordinator.operationTimeout());
    }

    @Override
    public Optional<Versioned<T>> compareAndSet(String key, Versioned<T> expected, T next) throws InterruptedException {
        return compareAndSet(key, expected, next, coordinator.operationTimeout());
    }

    @Override
    public boolean remove(String key) throws InterruptedException {
        return remove(key, coordinator.operationTimeout());
    }

    @Override
    public Versioned<T> put(String key, T value, Duration timeout) throws InterruptedException {
        return probe.observe("put", () -> writer.put(key, value, timeout));
    }

    @Override
    public Optional<Versioned<T>> compareAndSet(String key, Versioned<T> expected, T next, Duration timeout)
            throws InterruptedException {
        return probe.observe("compareAndSet", () -> writer.compareAndSet(key, expected, next, timeout));
    }

    @Override
    public boolean remove(String key, Duration timeout) throws InterruptedException {
        return probe.observe("remove", () -> writer.remove(key, timeout));
    }
}
