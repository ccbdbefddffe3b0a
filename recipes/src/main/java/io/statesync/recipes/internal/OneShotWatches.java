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

import io.statesync.core.internal.ZkAccess;
import java.util.HashMap;
import java.util.Map;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-shot server watches of one recipe instance (set by the watched reads of {@link
 * ZkAccess}), counted in the coordinator's {@link ZkAccess} once per handle and path, so that
 * {@link #removeAll()} on close removes them from the server without silencing another instance
 * that watches the same path through the same handle.
 *
 * <p>A path stays counted while the instance may watch it again (its watch fired on a change and
 * the next read sets it again); it is forgotten when its znode is deleted, so the paths of znodes
 * that came and went do not pile up. A watch set after {@link #removeAll()} (a read that was under
 * way during close) is removed at once.
 *
 * <p>Thread-safe.
 */
public final class OneShotWatches {
    private static final Logger LOG = LoggerFactory.getLogger(OneShotWatches.class);

    private final ZkAccess access;
    private final Runnable onEvent;
    /** Per absolute path, the handle its watch was counted on. Guarded by {@code this}. */
    private final Map<String, ZooKeeper> counted = new HashMap<>();
    /** Guarded by {@code this}. */
    private boolean removed;
    /** The handle {@link #current} watches through. Guarded by {@code this}. */
    private @Nullable ZooKeeper watcherHandle;
    /**
     * The watcher of the current handle: one object per handle, since ZooKeeper keeps a watcher
     * object once per path. Guarded by {@code this}.
     */
    private @Nullable Watcher current;

    /**
     * Creates the watches of one recipe instance.
     *
     * @param access the coordinator's ZooKeeper access, which counts the watches per handle and path
     * @param onEvent run on ZooKeeper's event thread when a watch fires (the recipe schedules a
     *     refresh); must not block
     */
    public OneShotWatches(ZkAccess access, Runnable onEvent) {
        this.access = access;
        this.onEvent = onEvent;
    }

    /**
     * The watcher to pass to a watched read sent on {@code zk}.
     *
     * @param zk the handle the read is sent on
     * @return a watcher that forgets a deleted znode's path and runs the recipe's callback; the same
     *     object for every read on the same handle, so that repeated reads of a path whose watch has
     *     not fired yet keep one registration
     */
    public synchronized Watcher watcher(ZooKeeper zk) {
        Watcher w = current;
        if (w == null || watcherHandle != zk) {
            w = event -> fired(zk, event);
            current = w;
            watcherHandle = zk;
        }
        return w;
    }

    private void fired(ZooKeeper zk, WatchedEvent event) {
        String p = event.getPath();
        if (event.getType() == Watcher.Event.EventType.NodeDeleted && p != null) {
            boolean forget;
            synchronized (this) {
                forget = counted.get(p) == zk;
                if (forget) {
                    counted.remove(p);
                }
            }
            if (forget) {
                // Its watches fired with the delete, and the server dropped them: only the count goes.
                // A read sent after the delete sets a new watch, counted again.
                access.watchFiredByDelete(zk, p);
            }
        }
        if (event.getType() != Watcher.Event.EventType.None) {
            onEvent.run();
        }
    }

    /**
     * Counts a watch that a watched read's reply says was set (once per handle and path).
     *
     * @param zk the handle the read was sent on
     * @param fullPath the absolute path watched
     */
    public void set(ZooKeeper zk, String fullPath) {
        boolean late;
        synchronized (this) {
            late = removed;
            if (!late && counted.get(fullPath) == zk) {
                return;
            }
            if (!late) {
                // A path counted on an earlier handle is not decremented: that session's watches
                // and its count went with it.
                counted.put(fullPath, zk);
            }
        }
        access.watchAdded(zk, fullPath);
        if (late) {
            remove(zk, fullPath);
        }
    }

    /**
     * Removes every watch counted (on close), once no other instance counts it on the same handle
     * and path: from the server, and from the handle also when the request cannot reach the server
     * (ZooKeeper then removes it locally). Watches counted on a handle that is no longer the
     * coordinator's went with their session.
     */
    public void removeAll() {
        Map<String, ZooKeeper> all;
        synchronized (this) {
            removed = true;
            all = Map.copyOf(counted);
            counted.clear();
        }
        ZooKeeper current;
        try {
            current = access.handle();
        } catch (RuntimeException e) {
            return; // no handle: the session and its watches are gone
        }
        for (Map.Entry<String, ZooKeeper> e : all.entrySet()) {
            if (e.getValue() == current) {
                remove(current, e.getKey());
            }
        }
    }

    private void remove(ZooKeeper zk, String fullPath) {
        try {
            access.watchRemoved(zk, fullPath, Watcher.WatcherType.Any);
        } catch (RuntimeException e) {
            LOG.debug("removing the watch on {} failed", fullPath, e);
        }
    }
}
