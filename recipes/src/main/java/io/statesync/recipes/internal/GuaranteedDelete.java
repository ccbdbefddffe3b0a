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
package io.statesync.recipes.internal;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one guaranteed-delete mechanism of the recipes (lock holders and waiters, election znodes,
 * member znodes): a znode a recipe must remove but whose delete cannot be confirmed now (the
 * connection is down, or the answer was lost) is deleted on the coordinator's next connection, in
 * the session it has then, and only while it still belongs to the session that created it.
 *
 * <p>A znode is named by its exact path, or by the attempt id in its name when a create's answer
 * was lost and its sequence number is unknown. A znode of a session the client has given up (a new
 * session after LOST) is deleted from the new session too, since the server may still hold the old
 * one (a client cut off longer than its session timeout can reconnect before the server expires
 * it), and until then the znode would stand in everyone's way; it is deleted only if its {@code
 * ephemeralOwner} is still that session (version-checked), never a same-named znode of another. If
 * the server already ended the session, the znode is gone and nothing is left to do.
 *
 * <p>No thread and no static state: every ZooKeeper call is asynchronous on the coordinator's
 * current handle, and a delete that was not confirmed is sent again when the coordinator reports
 * the next connection (CONNECTED or RECONNECTED), through a {@link ConnectionListener} registered
 * only while something is pending. Each recipe instance owns one; it needs no shutdown. When the
 * coordinator closes, its session ends and the server deletes what is still pending, so pending
 * deletes are dropped. A delete the server refuses for another reason than a lost connection (for
 * example access denied) is logged and tried again on the next connection.
 *
 * <p>Thread-safe.
 */
public final class GuaranteedDelete implements ConnectionListener {
    private static final Logger LOG = LoggerFactory.getLogger(GuaranteedDelete.class);

    private final Coordinator coordinator;
    private final String owner;
    /** Guarded by {@code this}. */
    private final Set<Task> pending = new LinkedHashSet<>();
    /** Serialises registering and unregistering with the coordinator; never held with {@code this}. */
    private final Object registration = new Object();
    /** Guarded by {@link #registration}: whether this is registered as the coordinator's listener. */
    private boolean listening;

    /**
     * Creates the deleter of one recipe instance.
     *
     * @param coordinator the coordinator whose connection sends the deletes
     * @param owner names the recipe instance in log lines
     */
    public GuaranteedDelete(Coordinator coordinator, String owner) {
        this.coordinator = coordinator;
        this.owner = owner;
    }

    /**
     * Deletes a znode by its exact path: now if connected, else on the next connection; if the
     * current session is not {@code sessionId}, only while the znode still belongs to {@code
     * sessionId}.
     *
     * @param zkPath the znode's full path (with the namespace)
     * @param sessionId the session that created it
     * @return completes when the znode is gone (or not that session's); never completes
     *     exceptionally, and may never complete if the coordinator closes first (the server then
     *     deletes the znode with the session)
     */
    public CompletableFuture<Void> deleteNode(String zkPath, long sessionId) {
        return submit(new Task(zkPath, null, sessionId, false));
    }

    /**
     * Deletes a znode by its exact path only while it belongs to session {@code sessionId}, also
     * when that is the current session (one more round trip than {@link #deleteNode}): for a znode
     * whose name another session may hold (a member id).
     *
     * @param zkPath the znode's full path (with the namespace)
     * @param sessionId the session whose znode it must be
     * @return completes when the znode is gone or is not that session's; never completes
     *     exceptionally
     */
    public CompletableFuture<Void> deleteIfOwned(String zkPath, long sessionId) {
        return submit(new Task(zkPath, null, sessionId, true));
    }

    /**
     * Deletes every child of {@code zkParent} whose name contains {@code id} (the znodes of a create
     * whose answer was lost), now if connected, else on the next connection.
     *
     * @param zkParent the parent's full path (with the namespace)
     * @param id the attempt id in the znode's name, unique to one attempt
     * @param sessionId the session the create was sent in
     * @return completes when no such znode is left; never completes exceptionally
     */
    public CompletableFuture<Void> deleteById(String zkParent, String id, long sessionId) {
        return submit(new Task(zkParent, id, sessionId, false));
    }

    /**
     * How many deletes are not yet confirmed.
     *
     * @return the number pending
     */
    public synchronized int pendingCount() {
        return pending.size();
    }

    private CompletableFuture<Void> submit(Task task) {
        if (sessionIdIsNone(task) || coordinator.state() != LifecycleState.STARTED) {
            // No session created it, or the coordinator closed: the server removes it with the session.
            task.done.complete(null);
            return task.done;
        }
        synchronized (this) {
            pending.add(task);
        }
        updateRegistration();
        // Pending first, then attempted: a connection reported in between sends it again, harmlessly.
        task.attempt();
        return task.done;
    }

    private static boolean sessionIdIsNone(Task task) {
        return task.sessionId == 0;
    }

    @Override
    public void onConnection(ConnectionEvent event) {
        if (!event.isConnected()) {
            return;
        }
        List<Task> tasks;
        synchronized (this) {
            tasks = List.copyOf(pending);
        }
        for (Task t : tasks) {
            t.attempt();
        }
    }

    private void finished(Task task) {
        task.done.complete(null);
        synchronized (this) {
            pending.remove(task);
        }
        updateRegistration();
    }

    /**
     * Registers with the coordinator while something is pending, unregisters once nothing is; one
     * caller at a time, so that a delete submitted while the last one finishes is never left
     * without a listener.
     */
    private void updateRegistration() {
        synchronized (registration) {
            boolean wanted;
            synchronized (this) {
                wanted = !pending.isEmpty();
            }
            if (wanted && !listening) {
                coordinator.addListener(this, Runnable::run);
                listening = true;
            } else if (!wanted && listening) {
                coordinator.removeListener(this);
                listening = false;
            }
        }
    }

    private final class Task {
        final String path;
        final @Nullable String id;
        final long sessionId;
        final boolean checkOwner;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicInteger failures = new AtomicInteger();

        Task(String path, @Nullable String id, long sessionId, boolean checkOwner) {
            this.path = path;
            this.id = id;
            this.sessionId = sessionId;
            this.checkOwner = checkOwner;
        }

        void attempt() {
            if (done.isDone()) {
                return;
            }
            if (coordinator.state() == LifecycleState.CLOSED) {
                // Closing the coordinator closed the session: its ephemeral znodes are gone.
                finished(this);
                return;
            }
            ZooKeeper zk;
            try {
                zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
            } catch (Exception e) {
                notConfirmed("no ZooKeeper handle: " + e);
                return;
            }
            if (!zk.getState().isAlive()) {
                // Closed (the session ended): the next session's connection event sends it again.
                notConfirmed("the handle is closed");
                return;
            }
            // Connected, or reconnecting in the same session: a request sent now waits in the handle
            // and goes out on its next connection.
            String childId = id;
            if (childId != null) {
                zk.getChildren(path, false, (rc, p, ctx, children) -> onChildren(zk, rc, childId, children), null);
            } else if (checkOwner || zk.getSessionId() != sessionId) {
                // Delete it only while it still belongs to its session (never a znode of another).
                zk.exists(path, false, (rc, p, ctx, stat) -> onOwnerStat(zk, rc, stat), null);
            } else {
                zk.delete(path, -1, (rc, p, ctx) -> onDeleted(zk, rc), null);
            }
        }

        private void onOwnerStat(ZooKeeper zk, int rc, @Nullable Stat stat) {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.NONODE
                    || (code == KeeperException.Code.OK && stat != null && stat.getEphemeralOwner() != sessionId)) {
                finished(this); // gone with its session, or not its session's
            } else if (code == KeeperException.Code.OK && stat != null) {
                if (zk.getSessionId() != sessionId) {
                    LOG.debug(
                            "{}: deleting {}, left by session 0x{} that this client gave up",
                            owner,
                            path,
                            Long.toHexString(sessionId));
                }
                zk.delete(path, stat.getVersion(), (drc, p, ctx) -> onDeleted(zk, drc), null);
            } else {
                notConfirmedOn(zk, code);
            }
        }

        private void onDeleted(ZooKeeper zk, int rc) {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK
                    || code == KeeperException.Code.NONODE
                    || code == KeeperException.Code.BADVERSION) {
                // BADVERSION: changed since the ownership check, so no longer that session's.
                finished(this);
            } else {
                notConfirmedOn(zk, code);
            }
        }

        private void onChildren(ZooKeeper zk, int rc, String childId, @Nullable List<String> children) {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.NONODE) {
                finished(this);
                return;
            }
            if (code != KeeperException.Code.OK || children == null) {
                notConfirmedOn(zk, code);
                return;
            }
            List<String> mine =
                    children.stream().filter(c -> c.contains(childId)).toList();
            if (mine.isEmpty()) {
                finished(this);
                return;
            }
            AtomicInteger left = new AtomicInteger(mine.size());
            AtomicReference<KeeperException.Code> failed = new AtomicReference<>();
            for (String child : mine) {
                zk.delete(
                        path + "/" + child,
                        -1,
                        (drc, p, ctx) -> {
                            KeeperException.Code dc = KeeperException.Code.get(drc);
                            if (dc != KeeperException.Code.OK && dc != KeeperException.Code.NONODE) {
                                failed.set(dc);
                            }
                            if (left.decrementAndGet() == 0) {
                                KeeperException.Code f = failed.get();
                                if (f == null) {
                                    finished(this);
                                } else {
                                    notConfirmedOn(zk, f);
                                }
                            }
                        },
                        null);
            }
        }

        /**
         * A request of this handle failed with {@code code}. Lost with its connection: the handle
         * reconnects by itself in the same session (to the same or another server), and the
         * coordinator may not report a reconnection that quick, so the delete is sent again on the
         * handle at once, to wait there for its next connection. Otherwise it stays pending for the
         * coordinator's next connection.
         */
        private void notConfirmedOn(ZooKeeper zk, KeeperException.Code code) {
            notConfirmed(String.valueOf(code));
            if (code == KeeperException.Code.CONNECTIONLOSS
                    && zk.getState().isAlive()
                    && coordinator.state() == LifecycleState.STARTED) {
                attempt();
            }
        }

        /** Stays pending: sent again on the coordinator's next connection. */
        private void notConfirmed(String why) {
            int n = failures.incrementAndGet();
            if (n == 1 || n % 20 == 0) {
                LOG.debug(
                        "{}: deleting {}{} not confirmed ({}); sent again on the next connection",
                        owner,
                        path,
                        id == null ? "" : "/*" + id + "*",
                        why);
            }
        }
    }
}
