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

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turn-taking for the writers of one shared value, so that no writer loses the compare-and-set race
 * without end.
 *
 * <p>A writer that lost several times in a row takes a ticket: an ephemeral sequential znode {@code
 * t-<instance>-<sequence>} under {@code /.statesync/turns<path>}. While tickets exist, a writer
 * without one, or with a later one, holds back (at most {@code maxWaitNanos} per attempt, so a stuck
 * ticket holder slows the others but never stops them); the holder of the earliest ticket writes
 * against no one but the writes already in flight, lands, and gives the ticket up — the next ticket
 * is then earliest. Writers learn of tickets through a persistent recursive watch on the directory
 * set before their first write on each handle, so uncontended writers pay no round trip for any of
 * this; a ticket is created only after losses.
 *
 * <p>A ticket lives in one session: it is gone with its session, and a ticket whose create reply was
 * lost is found by the instance's id and deleted.
 */
final class Turns {
    private static final Logger LOG = LoggerFactory.getLogger(Turns.class);
    private static final byte[] EMPTY = new byte[0];

    private final Coordinator coordinator;
    private final String dir;
    private final String dirFull;
    private final String prefix = "t-" + UUID.randomUUID() + "-";

    private final Object lock = new Object();
    // Guarded by lock.
    private @Nullable ZooKeeper attached;
    private boolean closed;
    /** The tickets this instance knows of, by sequence number. */
    private final TreeMap<Long, String> tickets = new TreeMap<>();
    // Confined to the combiner: this instance's ticket (its sequence number and session), if any.
    private long mine = -1;
    private long mineSession;
    /** Set when a ticket of this instance may exist without its knowing (a reply was lost). */
    private volatile boolean orphans;

    Turns(Coordinator coordinator, String path) {
        this.coordinator = coordinator;
        this.dir = "/.statesync/turns" + path;
        this.dirFull = coordinator.internalAccess().fullPath(dir);
    }

    /**
     * Watches the ticket directory through {@code zk} (once per handle) and reads it; both are
     * pipelined ahead of whatever the caller sends next, so the first write waits for neither.
     */
    void attach(ZooKeeper zk) {
        synchronized (lock) {
            if (zk == attached || closed) {
                return;
            }
            detachLocked();
            attached = zk;
            tickets.clear();
        }
        coordinator.internalAccess().watchAdded(zk, dirFull);
        zk.addWatch(dirFull, event -> onEvent(zk, event), AddWatchMode.PERSISTENT_RECURSIVE, (rc, p, ctx) -> {}, null);
        reread(zk);
    }

    /** Removes the watch for good (on close): a write still in progress does not set it again. */
    void detach() {
        synchronized (lock) {
            closed = true;
            detachLocked();
        }
    }

    // Guarded by lock.
    private void detachLocked() {
        ZooKeeper zk = attached;
        attached = null;
        tickets.clear();
        lock.notifyAll();
        if (zk != null) {
            try {
                coordinator.internalAccess().watchRemoved(zk, dirFull, Watcher.WatcherType.Any);
            } catch (RuntimeException e) {
                LOG.debug("turns {}: removing the watch failed", dir, e);
            }
        }
    }

    private void reread(ZooKeeper zk) {
        zk.getChildren(
                dirFull,
                false,
                (rc, p, ctx, children) -> {
                    synchronized (lock) {
                        if (zk != attached) {
                            return;
                        }
                        tickets.clear();
                        if (rc == 0 && children != null) {
                            for (String child : children) {
                                long seq = sequence(child);
                                if (seq >= 0) {
                                    tickets.put(seq, child);
                                }
                            }
                        }
                        lock.notifyAll();
                    }
                },
                null);
    }

    /** A watch event of the directory, or a connection event, on handle {@code zk}. */
    private void onEvent(ZooKeeper zk, WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.None) {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                reread(zk); // tickets may have come and gone while disconnected
                if (orphans) {
                    removeOrphans(zk);
                }
            }
            return;
        }
        String path = event.getPath();
        if (path == null || path.length() <= dirFull.length() + 1 || !path.startsWith(dirFull + "/")) {
            return;
        }
        String name = path.substring(dirFull.length() + 1);
        long seq = name.indexOf('/') < 0 ? sequence(name) : -1;
        if (seq < 0) {
            return; // the directory of a nested path, or not a ticket
        }
        synchronized (lock) {
            if (zk != attached) {
                return;
            }
            if (event.getType() == Watcher.Event.EventType.NodeCreated) {
                tickets.put(seq, name);
            } else if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                tickets.remove(seq);
            }
            lock.notifyAll();
        }
    }

    private static long sequence(String name) {
        if (!name.startsWith("t-") || name.length() < 12) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(name.length() - 10));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether this instance holds a ticket in the session of {@code zk}. */
    boolean holds(ZooKeeper zk) {
        return mine >= 0 && mineSession == zk.getSessionId();
    }

    /** The full path of this instance's ticket in the session of {@code zk}, if it holds one. */
    @Nullable
    String held(ZooKeeper zk) {
        return holds(zk) ? ticketPath(mine) : null;
    }

    /** Records that this instance's ticket is gone (deleted with the write that landed, or lost). */
    void released() {
        mine = -1;
    }

    private String ticketPath(long seq) {
        return dirFull + "/" + prefix + String.format(Locale.ROOT, "%010d", seq);
    }

    /**
     * Waits, at most until {@code bound}, until no ticket is ahead of this instance: none at all if
     * it holds none, none earlier than its own if it does.
     *
     * @param bound the longest wait, on the coordinator's ticker
     * @return whether it had to wait
     */
    boolean awaitTurn(ZooKeeper zk, Deadline bound) {
        long ahead = holds(zk) ? mine : Long.MAX_VALUE;
        synchronized (lock) {
            boolean waited = courtesyWait(lock, () -> zk == attached && anotherAhead(tickets, ahead, prefix), bound);
            if (waited && zk == attached && anotherAhead(tickets, ahead, prefix)) {
                LOG.debug("turns {}: still waiting for {} after the longest wait; writing anyway", dir, tickets);
            }
            return waited;
        }
    }

    /**
     * Waits on {@code monitor} (held by the caller) while {@code blocked} holds, at most until
     * {@code bound} (read on its ticker, so a test's fake ticker decides when the bound has passed;
     * the thread still waits real time between notifications). The wait is a courtesy: an interrupt
     * ends it and is kept for the caller.
     *
     * @return whether it had to wait at all
     */
    static boolean courtesyWait(Object monitor, BooleanSupplier blocked, Deadline bound) {
        if (!blocked.getAsBoolean()) {
            return false;
        }
        try {
            bound.awaitWhile(monitor, blocked);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * Whether a ticket of another instance comes before sequence {@code ahead} (the caller's own
     * ticket, or {@link Long#MAX_VALUE} if it holds none). Tickets named with {@code ownPrefix} are
     * the caller's own: one that is not the current ticket is an orphan being removed, never ahead.
     */
    static boolean anotherAhead(SortedMap<Long, String> tickets, long ahead, String ownPrefix) {
        for (Map.Entry<Long, String> t : tickets.headMap(ahead).entrySet()) {
            if (!t.getValue().startsWith(ownPrefix)) {
                return true; // an own ticket that is not the current one is an orphan being removed
            }
        }
        return false;
    }

    /**
     * Takes a ticket in the session of {@code zk} (one round trip), unless this instance holds one.
     * Failing to take one is not an error: the writer goes on racing.
     */
    void take(ZooKeeper zk, Deadline deadline) {
        if (holds(zk)) {
            return;
        }
        mine = -1;
        for (int tries = 0; tries < 2; tries++) {
            CompletableFuture<Object[]> reply = new CompletableFuture<>();
            zk.create(
                    dirFull + "/" + prefix,
                    EMPTY,
                    coordinator.internalAccess().acl(),
                    CreateMode.EPHEMERAL_SEQUENTIAL,
                    (rc, p, ctx, name) -> reply.complete(new Object[] {rc, name}),
                    null);
            Object[] r;
            try {
                r = deadline.await(reply);
            } catch (InterruptedException | TimeoutException | ExecutionException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt(); // the write's next wait reports it
                }
                orphans = true; // the create may land without its reply being read
                removeOrphans(zk);
                return;
            }
            int rc = (Integer) r[0];
            if (rc == 0 && r[1] instanceof String created) {
                mine = sequence(created.substring(created.lastIndexOf('/') + 1));
                mineSession = zk.getSessionId();
                return;
            }
            if (rc == KeeperException.Code.NONODE.intValue()) {
                try {
                    coordinator
                            .internalAccess()
                            .createParents(
                                    dirFull + "/" + prefix, deadline, dir, "turn on " + dir, Outcome.NOT_APPLIED);
                } catch (StateSyncException e) {
                    LOG.debug("turns {}: cannot create the directory", dir, e);
                    return;
                }
                continue;
            }
            if (ZkAccess.isLoss(rc)) {
                orphans = true; // the create may have landed without its reply
                removeOrphans(zk);
            }
            return;
        }
    }

    /** Gives up this instance's ticket, if it holds one; the delete is not waited for. */
    void release(ZooKeeper zk) {
        long seq = mine;
        if (seq < 0) {
            return;
        }
        mine = -1;
        if (mineSession != zk.getSessionId()) {
            return; // gone with its session
        }
        zk.delete(
                ticketPath(seq),
                -1,
                (rc, p, ctx) -> {
                    if (ZkAccess.isLoss(rc)) {
                        orphans = true; // deleted on the next connection at the latest
                    }
                },
                null);
    }

    /**
     * Deletes every ticket of this instance in the session of {@code zk}, after a lost reply; tried
     * again on each new connection until it succeeds (or the session, and the tickets with it, ends).
     */
    private void removeOrphans(ZooKeeper zk) {
        zk.getChildren(
                dirFull,
                false,
                (rc, p, ctx, children) -> {
                    if (rc != 0 || children == null) {
                        return; // tried again on the next connection
                    }
                    orphans = false;
                    List<String> own =
                            children.stream().filter(c -> c.startsWith(prefix)).toList();
                    for (String orphan : own) {
                        zk.delete(dirFull + "/" + orphan, -1, (rc2, p2, ctx2) -> {}, null);
                    }
                },
                null);
    }
}
