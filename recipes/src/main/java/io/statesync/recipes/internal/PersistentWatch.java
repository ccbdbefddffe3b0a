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

import io.statesync.core.StateSyncException;
import io.statesync.core.internal.ZkAccess;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent watch (plain or recursive) on one path, set once per ZooKeeper handle: a recipe's
 * view learns of every change through it, in server order with the replies of its reads. The
 * handle's connection states become gaps ({@link Handler#onGap}, under the caller's lock) and
 * re-reads after a reconnection ({@link Handler#onReconnected}); a new handle (a new session) is
 * attached again by the recipe through {@link #attachLocked} and {@link #send}, and so is a handle
 * whose watch request was lost with the connection, on its reconnection; {@link #detach()} removes
 * the watch on close. Only events of the attached handle reach the handler: one of an old
 * handle is dropped.
 *
 * <p>The lock is the caller's: every method named {@code ...Locked}, and {@link #isAttached}, must
 * be called holding it; the others must be called without it.
 */
public final class PersistentWatch {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentWatch.class);

    /** What the recipe does with the watch's events. */
    public interface Handler {
        /**
         * A watch event of a node on the attached handle (not a connection state). Called without
         * the lock, on the handle's event thread.
         *
         * @param zk the handle
         * @param event the event
         */
        void onEvent(ZooKeeper zk, WatchedEvent event);

        /**
         * The attached handle lost its connection (or its session ended): events may be missed
         * from here on. Called holding the lock.
         *
         * @param zk the handle
         */
        void onGap(ZooKeeper zk);

        /**
         * The attached handle is connected again after a gap: the recipe re-reads. Called without
         * the lock.
         *
         * @param zk the handle
         */
        void onReconnected(ZooKeeper zk);

        /**
         * The server refused the watch (other than for a lost connection, which is retried with
         * the next handle or connection).
         *
         * @param error the error
         */
        void onError(StateSyncException error);
    }

    private final ZkAccess access;
    private final String path;
    private final String fullPath;
    private final AddWatchMode mode;
    private final Object lock;
    private final Handler handler;
    // Guarded by lock.
    private @Nullable ZooKeeper attached;
    private boolean disconnected;
    /**
     * The request that set the watch on the attached handle was lost with the connection: the client
     * registers a watch only on a successful reply and the server forgets the watches of a closed
     * connection, so the recipe's next attach on the same handle sends it again.
     */
    private boolean resend;
    /** The handle the watch is counted on ({@link ZkAccess#watchAdded}), once per handle. */
    private @Nullable ZooKeeper counted;

    /**
     * A watch, not set yet.
     *
     * @param access the coordinator's door to ZooKeeper
     * @param path the path, relative to the namespace (for errors)
     * @param mode {@link AddWatchMode#PERSISTENT} or {@link AddWatchMode#PERSISTENT_RECURSIVE}
     * @param lock the caller's lock, under which the handle is compared and gaps are applied
     * @param handler what to do with the events
     */
    public PersistentWatch(ZkAccess access, String path, AddWatchMode mode, Object lock, Handler handler) {
        this.access = access;
        this.path = path;
        this.fullPath = access.fullPath(path);
        this.mode = mode;
        this.lock = lock;
        this.handler = handler;
    }

    /**
     * Makes {@code zk} the attached handle, unless it already is; call {@link #send} for it after
     * releasing the lock.
     *
     * @param zk the current handle
     * @return {@code true} if {@code zk} is newly attached, or is attached and the request that set
     *     its watch was lost with the connection (a gap for the caller: it sends and re-reads)
     */
    public boolean attachLocked(ZooKeeper zk) {
        if (zk == attached && !resend) {
            return false;
        }
        attached = zk;
        disconnected = false;
        resend = false;
        return true;
    }

    /**
     * Sets the watch through a handle {@link #attachLocked} attached; the request goes out ahead of
     * whatever the caller sends next on it.
     *
     * @param zk the handle
     */
    public void send(ZooKeeper zk) {
        boolean count;
        synchronized (lock) {
            count = zk != counted;
            counted = zk;
        }
        if (count) {
            access.watchAdded(zk, fullPath);
        }
        zk.addWatch(
                fullPath,
                new HandleWatcher(zk),
                mode,
                (rc, p, ctx) -> {
                    if (ZkAccess.isLoss(rc)) {
                        synchronized (lock) {
                            if (zk == attached) {
                                resend = true;
                            }
                        }
                    } else if (rc != 0) {
                        handler.onError(ZkAccess.error(rc, path));
                    }
                },
                null);
    }

    /**
     * Whether {@code zk} is the attached handle. Call holding the lock.
     *
     * @param zk a handle
     * @return whether events and replies of {@code zk} still count
     */
    public boolean isAttached(@Nullable ZooKeeper zk) {
        return zk != null && zk == attached;
    }

    /**
     * The attached handle. Call holding the lock.
     *
     * @return the handle, {@code null} if none (before the first attach, after close)
     */
    public @Nullable ZooKeeper attachedLocked() {
        return attached;
    }

    /**
     * Whether the attached handle is disconnected. Call holding the lock.
     *
     * @return {@code true} between a gap and the reconnection of the same handle
     */
    public boolean disconnectedLocked() {
        return disconnected;
    }

    /**
     * Forgets the attached handle and removes the watch from it (on close).
     *
     * @return the handle it was attached to, {@code null} if none
     */
    public @Nullable ZooKeeper detach() {
        ZooKeeper zk;
        synchronized (lock) {
            zk = attached;
            attached = null;
            counted = null;
        }
        if (zk != null) {
            try {
                access.watchRemoved(zk, fullPath, Watcher.WatcherType.Any);
            } catch (RuntimeException e) {
                LOG.debug("{}: removing the watch failed", path, e);
            }
        }
        return zk;
    }

    private void onState(ZooKeeper zk, Watcher.Event.KeeperState state) {
        boolean reread = false;
        synchronized (lock) {
            if (zk != attached) {
                return;
            }
            switch (state) {
                case Disconnected, Expired, Closed, AuthFailed -> {
                    disconnected = true;
                    handler.onGap(zk);
                }
                case SyncConnected, ConnectedReadOnly -> {
                    reread = disconnected;
                    disconnected = false;
                }
                default -> {}
            }
        }
        if (reread) {
            handler.onReconnected(zk);
        }
    }

    private final class HandleWatcher implements Watcher {
        private final ZooKeeper zk;

        HandleWatcher(ZooKeeper zk) {
            this.zk = zk;
        }

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() == Event.EventType.None) {
                onState(zk, event.getState());
            } else {
                handler.onEvent(zk, event);
            }
        }
    }
}
