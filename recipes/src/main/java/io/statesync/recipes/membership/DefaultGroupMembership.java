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
package io.statesync.recipes.membership;

import io.statesync.core.AccessDeniedException;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.RequestSize;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.recipes.internal.LayoutVersion;
import io.statesync.recipes.internal.PersistentWatch;
import io.statesync.recipes.internal.RefreshLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group. ZooKeeper work runs serially on {@link #loop}, in passes that register this member and
 * read the group; a persistent recursive watch on the group's path ({@link PersistentWatch}) asks for
 * a pass on every change, and the members shown follow the one rule of {@link MemberView}. Fields
 * below {@link #lock} are guarded by it.
 */
final class DefaultGroupMembership<T> extends AbstractRecipe<Member<T>>
        implements GroupMembership<T>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultGroupMembership.class);
    private static final long RETRY_MILLIS = RefreshLoop.RETRY_MILLIS;
    /**
     * How long {@link #close()} waits, while connected, for the server to confirm the member's
     * znode is deleted; past it the delete is sent again on the next connection.
     */
    static final Duration CLOSE_BOUND = Coordinator.CLOSE_WAIT;

    private final String path;
    private final Codec<T> codec;
    private final String memberId;
    private final String memberPath;
    private final String name;
    /** The group's watch, set once per handle by a pass, removed on close. */
    private final PersistentWatch watch;
    /** Deletes the member znode close or an orphaned registration could not confirm. */
    private final GuaranteedDelete deleter;

    private final ScheduledThreadPoolExecutor loop;
    /** The serial pass on {@link #loop}, and its retries. */
    private final RefreshLoop<StateListener<Member<T>>> refresh;

    /** Serialises metadata updates. */
    private final ReentrantLock updating = new ReentrantLock();

    // Guarded by lock.
    private T metadata;
    private boolean closed;

    private boolean connected;
    /** The session our member znode belongs to, or 0 if not registered. */
    private long registeredSession;
    /** A session of ours this client gave up; its znode, if the server still holds it, is ours to delete. */
    private long abandonedSession;

    /** Guarded by lock: the members shown. */
    private final MemberView<T> view;

    DefaultGroupMembership(Coordinator coordinator, String path, Codec<T> codec, String memberId, T metadata) {
        super(coordinator, "GroupMembership " + path + " [" + memberId + "]");
        this.path = path;
        this.codec = codec;
        this.memberId = memberId;
        this.memberPath = ZPaths.join(path, memberId);
        this.metadata = metadata;
        this.name = "GroupMembership " + path + " [" + memberId + "]";
        this.view = new MemberView<>(path, name, codec, listeners);
        this.watch = new PersistentWatch(
                coordinator.internalAccess(), path, AddWatchMode.PERSISTENT_RECURSIVE, lock, new WatchHandler());
        this.deleter = new GuaranteedDelete(coordinator, name);
        // One thread, from the coordinator's thread factory.
        this.loop = new ScheduledThreadPoolExecutor(
                1, r -> coordinator.internalAccess().newThread("statesync-membership-" + memberId, r));
        loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.refresh = new RefreshLoop<>(loop, lock, name, lifecycle, listeners, () -> closed, this::doRefresh);
        coordinator.internalRecipes().register("GroupMembership", path, this);
    }

    @Override
    protected void doStart() {
        synchronized (lock) {
            connected = coordinator.isConnected();
        }
        scheduleRefresh();
    }

    @Override
    protected void doClose(LifecycleState previous) {
        loop.shutdownNow();
        if (previous == LifecycleState.LATENT) {
            return;
        }
        boolean online;
        long session;
        synchronized (lock) {
            closed = true;
            online = connected && coordinator.isConnected();
            session = registeredSession != 0 ? registeredSession : coordinator.sessionId();
            registeredSession = 0;
            lock.notifyAll();
        }
        // Only our own znode: never delete a same-named member of another session. Offline, or past
        // the wait, the delete is sent on the next connection, or the server deletes the znode when
        // the session ends.
        CompletableFuture<Void> left = deleteOwn(session);
        if (online) {
            try {
                left.get(CLOSE_BOUND.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.info(
                        "{}: leaving the group not confirmed within {}; sent again on reconnection", name, CLOSE_BOUND);
            }
        }
        if (coordinator.state() != LifecycleState.CLOSED) {
            // From the server, and from the handle even if the request cannot reach the server.
            ZooKeeper unused = watch.detach();
        }
    }

    private CompletableFuture<Void> deleteOwn(long session) {
        return deleter.deleteIfOwned(coordinator.internalAccess().fullPath(memberPath), session);
    }

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public Map<String, Versioned<Member<T>>> members() {
        synchronized (lock) {
            return view.members();
        }
    }

    @Override
    public boolean isRegistered() {
        synchronized (lock) {
            return connected && registeredSession != 0 && registeredSession == coordinator.sessionId();
        }
    }

    @Override
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        synchronized (lock) {
            boolean registered =
                    deadline.awaitWhile(lock, () -> !closed && registeredSession == 0 && refresh.denied() == null)
                            && !closed;
            AccessDeniedException error = refresh.denied();
            if (registeredSession == 0 && error != null) {
                throw new AccessDeniedException(error.path(), name + ": " + error.getMessage(), error);
            }
            return registered && registeredSession != 0;
        }
    }

    @Override
    public void updateMetadata(T value) throws InterruptedException {
        updateMetadata(value, coordinator.operationTimeout());
    }

    @Override
    public void updateMetadata(T value, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(value, "metadata");
        Deadline.checkTimeout(timeout, "timeout");
        lifecycle.requireStarted();
        byte[] encoded = codec.encode(value);
        coordinator.checkValueSize(memberPath, encoded);
        RequestSize.checkSetData(coordinator, memberPath, encoded);
        Deadline deadline = coordinator.internalAccess().deadline(timeout);
        String what = name + ": metadata update";
        // One update at a time: a resent older value never lands after a newer one.
        if (!updating.tryLock(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
            throw deadline.expired(memberPath, what + " (waiting for an earlier update)", Outcome.NOT_APPLIED);
        }
        try {
            synchronized (lock) {
                metadata = value;
            }
            ZkAccess access = coordinator.internalAccess();
            String full = access.fullPath(memberPath);
            ZkAccess.Reply r = access.call(deadline, memberPath, what, Outcome.UNKNOWN, zk -> {
                CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
                zk.setData(
                        full,
                        encoded,
                        -1,
                        (rc, p, ctx, stat) -> f.complete(new ZkAccess.Reply(rc, null, stat, null, null)),
                        null);
                return f;
            });
            if (!r.ok()) {
                throw ZkAccess.error(r.rc(), memberPath);
            }
        } finally {
            updating.unlock();
        }
    }

    @Override
    protected void replayInitial(StateListener<Member<T>> listener) {
        if (view.initialized()) {
            for (StateChange<Member<T>> c : view.initialChanges()) {
                listeners.enqueueTo(listener, c, l -> l.onChange(c));
            }
        }
    }

    @Override
    protected void onConnection(ConnectionEvent event) {
        boolean refresh = false;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (!event.isConnected()) {
                view.gap();
            }
            switch (event.kind()) {
                case SUSPENDED, READ_ONLY -> connected = false;
                case LOST -> {
                    connected = false;
                    if (registeredSession != 0) {
                        abandonedSession = registeredSession;
                    }
                    registeredSession = 0;
                }
                case CONNECTED, RECONNECTED -> {
                    connected = true;
                    if (event.isNewSession() && event.sessionId() != registeredSession) {
                        if (registeredSession != 0) {
                            abandonedSession = registeredSession;
                        }
                        registeredSession = 0;
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

    private void scheduleRefresh() {
        refresh.request();
    }

    /**
     * One pass: registers if this session has no member znode, then lists the members and reads
     * each, setting watches. Every request goes through the one retry loop of {@link ZkAccess}
     * against one deadline, the coordinator's operation timeout; past it the pass ends with an
     * {@link io.statesync.core.OperationTimeoutException} and the {@link RefreshLoop} schedules the next.
     */
    private void doRefresh() {
        synchronized (lock) {
            if (closed || !connected) {
                return;
            }
        }
        ZkAccess access = coordinator.internalAccess();
        Deadline deadline = access.defaultDeadline();
        register(deadline);
        watchGroup(access);
        String reading = name + ": reading the members";
        String full = access.fullPath(path);
        ZkAccess.Reply listed =
                access.call(deadline, path, reading, Outcome.NOT_APPLIED, zk -> ZkAccess.getChildren(zk, full));
        List<String> children;
        if (listed.noNode()) {
            children = List.of();
        } else if (!listed.ok() || listed.children() == null) {
            throw ZkAccess.error(listed.rc(), path);
        } else {
            children = Objects.requireNonNull(listed.children());
        }
        Map<String, ZkAccess.Reply> read = new HashMap<>();
        for (String child : children) {
            String childPath = ZPaths.join(path, child);
            String childFull = access.fullPath(childPath);
            ZkAccess.Reply r = access.call(
                    deadline, childPath, reading, Outcome.NOT_APPLIED, zk -> ZkAccess.getData(zk, childFull));
            if (r.noNode()) {
                continue;
            }
            r.statOrThrow(childPath);
            read.put(child, r);
        }
        boolean reRegister = false;
        synchronized (lock) {
            if (closed) {
                return;
            }
            ZkAccess.Reply mine = read.get(memberId);
            long mineOwner = mine == null ? 0 : mine.statOrThrow(memberPath).getEphemeralOwner();
            // Only within the session it registered in: a session change is handled as such.
            if (registeredSession != 0
                    && registeredSession == coordinator.sessionId()
                    && (mine == null || mineOwner != registeredSession)) {
                // Our znode was deleted (or replaced) by another client while our session lives: we are
                // not registered until we have created it again, and listeners are told.
                String what = mine == null
                        ? "was deleted by another client"
                        : "was replaced by session 0x" + Long.toHexString(mineOwner);
                StateSyncException gone = new StateSyncException(
                        StateSyncException.Reason.NO_NODE,
                        memberPath,
                        name + ": the member znode " + memberPath + " " + what + " while session 0x"
                                + Long.toHexString(registeredSession) + " lives; registering again",
                        null);
                LOG.warn("{}", gone.getMessage());
                registeredSession = 0;
                reRegister = true;
                listeners.enqueue(gone, l -> l.onError(gone));
                lock.notifyAll();
            }
            view.applyPass(read);
        }
        if (reRegister) {
            scheduleRefresh();
        }
    }

    /**
     * Sets the group's watch on the current handle unless it is set there already; a new handle is a
     * gap. The request goes out ahead of the pass's reads on the same handle, so a change after a read
     * is always told.
     */
    private void watchGroup(ZkAccess access) {
        ZooKeeper zk = access.handle();
        synchronized (lock) {
            if (closed || !watch.attachLocked(zk)) {
                return;
            }
            view.gap();
        }
        watch.send(zk);
    }

    /** What the group does with its watch: a pass on every change and after every gap. */
    private final class WatchHandler implements PersistentWatch.Handler {
        @Override
        public void onEvent(ZooKeeper zk, WatchedEvent event) {
            scheduleRefresh();
        }

        @Override
        public void onGap(ZooKeeper zk) {
            view.gap();
        }

        @Override
        public void onReconnected(ZooKeeper zk) {
            scheduleRefresh();
        }

        @Override
        public void onError(StateSyncException error) {
            if (error instanceof AccessDeniedException) {
                return; // the passes report it, once per episode
            }
            LOG.warn("{}: watching the group failed: {}", name, error.getMessage());
            synchronized (lock) {
                listeners.enqueue(error, l -> l.onError(error));
            }
            listeners.dispatch();
        }
    }

    /**
     * Creates our member znode if this session has none, within the pass's deadline. The create is
     * safe to repeat after a lost answer: a znode already there is resolved by its owner (ours in
     * this session: registered; ours from a session this client gave up: deleted and created again;
     * another session's: reported and retried later).
     */
    private void register(Deadline deadline) {
        long session = coordinator.sessionId();
        byte[] encoded;
        synchronized (lock) {
            if (registeredSession == session && session != 0) {
                return;
            }
            encoded = codec.encode(metadata);
        }
        ZkAccess access = coordinator.internalAccess();
        LayoutVersion.checkHeader(
                path,
                "group",
                access.read(path, deadline, name + ": reading the group's data layout", Outcome.NOT_APPLIED)
                        .map(Versioned::value)
                        .orElse(new byte[0]));
        String full = access.fullPath(memberPath);
        String what = name + ": registering";
        ZkAccess.Reply created = access.call(
                deadline,
                memberPath,
                what,
                Outcome.UNKNOWN,
                zk -> access.create(zk, full, encoded, CreateMode.EPHEMERAL));
        if (created.noNode()) {
            access.createParents(full, deadline, memberPath, what, Outcome.NOT_APPLIED);
            created = access.call(
                    deadline,
                    memberPath,
                    what,
                    Outcome.UNKNOWN,
                    zk -> access.create(zk, full, encoded, CreateMode.EPHEMERAL));
        }
        long owner;
        Stat createdStat = created.stat();
        if (created.ok() && createdStat != null) {
            owner = createdStat.getEphemeralOwner();
        } else if (created.rc() == KeeperException.Code.NODEEXISTS.intValue()) {
            ZkAccess.Reply found =
                    access.call(deadline, memberPath, what, Outcome.NOT_APPLIED, zk -> ZkAccess.exists(zk, full));
            Stat existing = found.stat();
            if (found.noNode()) {
                scheduleRefresh();
                return;
            }
            if (!found.ok() || existing == null) {
                throw ZkAccess.error(found.rc(), memberPath);
            }
            owner = existing.getEphemeralOwner();
            boolean abandoned;
            synchronized (lock) {
                abandoned = owner != 0 && owner == abandonedSession;
            }
            if (abandoned) {
                // Our own member from a session this client gave up: replace it now rather than wait
                // for the server to expire it. Version-checked, so safe to repeat.
                int version = existing.getVersion();
                ZkAccess.Reply deleted = access.call(
                        deadline, memberPath, what, Outcome.UNKNOWN, zk -> ZkAccess.delete(zk, full, version));
                if (!deleted.ok()) {
                    LOG.debug(
                            "{}: deleting our abandoned member lost a race: {}",
                            name,
                            ZkAccess.error(deleted.rc(), memberPath).toString());
                }
                scheduleRefresh();
                return;
            }
            if (owner != session) {
                // Another live session holds this id (or our expired one, until the server removes it).
                StateSyncException taken = new StateSyncException(
                        StateSyncException.Reason.NODE_EXISTS,
                        memberPath,
                        "member id " + memberId + " is held by session 0x" + Long.toHexString(owner)
                                + "; retrying until it leaves",
                        null);
                LOG.warn("{}: {}", name, taken.getMessage());
                synchronized (lock) {
                    listeners.enqueue(taken, l -> l.onError(taken));
                }
                refresh.requestIn(4 * RETRY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
        } else {
            throw ZkAccess.error(created.rc(), memberPath);
        }
        boolean orphan;
        synchronized (lock) {
            orphan = closed;
            if (!orphan) {
                registeredSession = owner;
                lock.notifyAll();
            }
        }
        if (orphan) {
            CompletableFuture<Void> unused = deleteOwn(owner);
        }
    }

    /**
     * DOWN while this member stays out because the group's znode is in a newer layout; DEGRADED while
     * started, connected and not (yet, or no longer) registered; UP otherwise. Details: the members
     * seen, whether this member is registered.
     */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("memberId", memberId);
        boolean registered;
        boolean online;
        boolean refused;
        synchronized (lock) {
            online = connected;
            registered = connected && registeredSession != 0;
            refused = refresh.layoutRefused();
            details.put(ReportKeys.MEMBERS, view.members().size());
            details.put("registered", registered);
        }
        if (refused && !registered) {
            return new Health(Health.Status.DOWN, "not registered: the group's znode is in a newer layout", details);
        }
        if (online && !registered && lifecycle.isStarted()) {
            return new Health(Health.Status.DEGRADED, "connected and not registered yet", details);
        }
        return new Health(Health.Status.UP, registered ? "registered" : "not registered", details);
    }

    @Override
    public String toString() {
        return name + " " + lifecycle.state();
    }
}
