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

import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guaranteed deletes of holder and waiter znodes: a delete that cannot be confirmed (the
 * connection is down, the answer was lost) is retried, with backoff and on every attempt only
 * while connected, until the node is gone or the coordinator was closed. A node is named by its
 * exact path, or by the attempt id in its name when a create's answer was lost and the node's
 * sequence number is unknown.
 *
 * <p>A node of a session this client has given up (LOST, or a new session after reconnecting) is
 * deleted from the new session too: the server may still hold the old session (a client cut off
 * longer than its session timeout can reconnect before the server, or a partitioned ensemble,
 * expires it), and until then its node would block the lock for everyone. It is deleted only if it
 * still belongs to that old session; if the server already ended the session, it is gone and
 * nothing is left to do.
 *
 * <p>One daemon thread for the whole process; every ZooKeeper call is asynchronous, so a black-holed
 * connection delays nothing else.
 */
final class Cleaner {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);
    private static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "statesync-lock-cleaner");
        t.setDaemon(true);
        return t;
    });

    private Cleaner() {}

    /**
     * Deletes a node by its exact path.
     *
     * @param coordinator the connection
     * @param zkPath the node's full path (with the namespace)
     * @param sessionId the session that created it
     * @return completes when the node is gone or will be removed with its session
     */
    static CompletableFuture<Void> deleteNode(Coordinator coordinator, String zkPath, long sessionId) {
        Task task = new Task(coordinator, zkPath, null, sessionId);
        if (coordinator.isConnected()) {
            task.attempt(); // asynchronous: sent from the caller, without a hand-off to the deleter thread
        } else {
            EXECUTOR.execute(task::attempt);
        }
        return task.done;
    }

    /**
     * Deletes a node by its exact path in the background, without waiting.
     *
     * @param coordinator the connection
     * @param zkPath the node's full path
     * @param sessionId the session that created it
     */
    static void deleteNodeLater(Coordinator coordinator, String zkPath, long sessionId) {
        EXECUTOR.execute(new Task(coordinator, zkPath, null, sessionId)::attempt);
    }

    /**
     * Deletes every child of {@code zkParent} whose name contains {@code id}, in the background.
     *
     * @param coordinator the connection
     * @param zkParent the parent's full path
     * @param id the attempt id in the node's name
     * @param sessionId the session the create was sent in
     */
    static void deleteByIdLater(Coordinator coordinator, String zkParent, String id, long sessionId) {
        EXECUTOR.execute(new Task(coordinator, zkParent, id, sessionId)::attempt);
    }

    /**
     * Deletes every child of {@code zkParent} whose name contains {@code id}.
     *
     * @param coordinator the connection
     * @param zkParent the parent's full path
     * @param id the attempt id in the node's name
     * @param sessionId the session the create was sent in
     * @return completes when no such node is left, or they will be removed with their session
     */
    static CompletableFuture<Void> deleteById(Coordinator coordinator, String zkParent, String id, long sessionId) {
        Task task = new Task(coordinator, zkParent, id, sessionId);
        EXECUTOR.execute(task::attempt);
        return task.done;
    }

    private static final class Task {
        final Coordinator coordinator;
        final String path;
        final @Nullable String id;
        final long sessionId;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int failures;

        Task(Coordinator coordinator, String path, @Nullable String id, long sessionId) {
            this.coordinator = coordinator;
            this.path = path;
            this.id = id;
            this.sessionId = sessionId;
        }

        void attempt() {
            if (done.isDone()) {
                return;
            }
            if (coordinator.state() == LifecycleState.CLOSED) {
                // Closing the coordinator closed the session: its ephemeral nodes are gone.
                done.complete(null);
                return;
            }
            ZooKeeper zk;
            try {
                zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
            } catch (Exception e) {
                retryLater("no ZooKeeper handle: " + e);
                return;
            }
            if (!zk.getState().isConnected()) {
                retryLater("not connected");
                return;
            }
            String childId = id;
            boolean oldSession = zk.getSessionId() != sessionId;
            if (childId == null && oldSession) {
                // Delete it only if it still belongs to the session given up (never a node of another).
                zk.exists(path, false, (rc, p, ctx, stat) -> onOldSessionStat(zk, rc, stat), null);
            } else if (childId == null) {
                zk.delete(path, -1, (rc, p, ctx) -> onDeleted(rc), null);
            } else {
                zk.getChildren(path, false, (rc, p, ctx, children) -> onChildren(zk, rc, childId, children), null);
            }
        }

        private void onOldSessionStat(ZooKeeper zk, int rc, @Nullable Stat stat) {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.NONODE
                    || (code == KeeperException.Code.OK && stat != null && stat.getEphemeralOwner() != sessionId)) {
                done.complete(null); // gone with its session, or not ours
            } else if (code == KeeperException.Code.OK && stat != null) {
                LOG.debug(
                        "deleting {}, left by session 0x{} that this client gave up",
                        path,
                        Long.toHexString(sessionId));
                zk.delete(path, stat.getVersion(), (drc, p, ctx) -> onDeleted(drc), null);
            } else {
                retryLater(String.valueOf(code));
            }
        }

        private void onDeleted(int rc) {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK || code == KeeperException.Code.NONODE) {
                done.complete(null);
            } else {
                retryLater(String.valueOf(code));
            }
        }

        private void onChildren(ZooKeeper zk, int rc, String childId, @Nullable List<String> children) {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.NONODE) {
                done.complete(null);
                return;
            }
            if (code != KeeperException.Code.OK || children == null) {
                retryLater(String.valueOf(code));
                return;
            }
            List<String> mine =
                    children.stream().filter(c -> c.contains(childId)).toList();
            if (mine.isEmpty()) {
                done.complete(null);
                return;
            }
            AtomicInteger pending = new AtomicInteger(mine.size());
            AtomicInteger failed = new AtomicInteger();
            for (String child : mine) {
                zk.delete(
                        path + "/" + child,
                        -1,
                        (drc, p, ctx) -> {
                            KeeperException.Code dc = KeeperException.Code.get(drc);
                            if (dc != KeeperException.Code.OK && dc != KeeperException.Code.NONODE) {
                                failed.incrementAndGet();
                            }
                            if (pending.decrementAndGet() == 0) {
                                if (failed.get() == 0) {
                                    done.complete(null);
                                } else {
                                    retryLater("delete of a node of attempt " + childId + " failed");
                                }
                            }
                        },
                        null);
            }
        }

        private void retryLater(String why) {
            failures++;
            long delayMs = Math.min(1000L, 25L << Math.min(failures, 6));
            if (failures == 1 || failures % 20 == 0) {
                LOG.debug(
                        "deleting {}{} not confirmed ({}); retrying in {} ms",
                        path,
                        id == null ? "" : "/*" + id + "*",
                        why,
                        delayMs);
            }
            ScheduledFuture<?> unused = EXECUTOR.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
        }
    }
}
