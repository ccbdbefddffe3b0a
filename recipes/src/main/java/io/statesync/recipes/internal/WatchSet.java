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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server watches one recipe loop sets with one {@link Watcher}, counted through {@link
 * ZkAccess#watchAdded} once per handle and path however often the loop re-arms them, and removed
 * through {@link ZkAccess#watchRemoved} on {@link #removeAll()} (this replaces Curator's
 * watcher-removing client). It keeps at most {@code maxPaths} paths: arming one more forgets the
 * one armed least recently (a watch is a wake-up hint, and the loop re-arms what it still waits
 * on), and arming on a new handle forgets those of the old one. Thread-safe.
 */
public final class WatchSet {
    private static final Logger LOG = LoggerFactory.getLogger(WatchSet.class);

    private final ZkAccess access;
    private final Watcher watcher;
    private final int maxPaths;
    /** Guarded by {@code this}: the counted paths, least recently armed first. */
    private final LinkedHashMap<String, ZooKeeper> counted = new LinkedHashMap<>(16, 0.75f, true);
    /** Guarded by {@code this}. */
    private boolean closed;

    /**
     * Creates an empty set.
     *
     * @param access the coordinator's access
     * @param watcher the watcher every watch of the set calls
     * @param maxPaths the most paths kept counted at once, at least 1
     */
    public WatchSet(ZkAccess access, Watcher watcher, int maxPaths) {
        if (maxPaths < 1) {
            throw new IllegalArgumentException("maxPaths must be at least 1, was " + maxPaths);
        }
        this.access = access;
        this.watcher = watcher;
        this.maxPaths = maxPaths;
    }

    /**
     * The watcher to pass to a watched read.
     *
     * @return the watcher
     */
    public Watcher watcher() {
        return watcher;
    }

    /**
     * Counts a watch about to be set on a path through a handle (call it before sending the watched
     * read, so that a read still in flight at {@link #removeAll()} is removed too); a path already
     * counted on that handle is not counted again. After {@link #removeAll()}, nothing is counted.
     *
     * @param zk the handle the read goes out on
     * @param fullPath the absolute path
     * @return {@code false} if the set was closed (the caller should not set the watch)
     */
    public boolean arming(ZooKeeper zk, String fullPath) {
        List<Map.Entry<String, ZooKeeper>> dropped = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return false;
            }
            ZooKeeper known = counted.get(fullPath);
            if (known == zk) {
                return true;
            }
            Iterator<Map.Entry<String, ZooKeeper>> it = counted.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, ZooKeeper> e = it.next();
                if (e.getValue() != zk || e.getKey().equals(fullPath)) {
                    dropped.add(Map.entry(e.getKey(), e.getValue()));
                    it.remove();
                }
            }
            while (counted.size() >= maxPaths) {
                Map.Entry<String, ZooKeeper> oldest =
                        counted.entrySet().iterator().next();
                dropped.add(Map.entry(oldest.getKey(), oldest.getValue()));
                counted.remove(oldest.getKey());
            }
            access.watchAdded(zk, fullPath);
            counted.put(fullPath, zk);
        }
        remove(dropped);
        return true;
    }

    /** Removes every watch counted here, and counts none from now on. */
    public void removeAll() {
        List<Map.Entry<String, ZooKeeper>> dropped = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Map.Entry<String, ZooKeeper> e : counted.entrySet()) {
                dropped.add(Map.entry(e.getKey(), e.getValue()));
            }
            counted.clear();
        }
        remove(dropped);
    }

    private void remove(List<Map.Entry<String, ZooKeeper>> dropped) {
        for (Map.Entry<String, ZooKeeper> e : dropped) {
            try {
                access.watchRemoved(e.getValue(), e.getKey(), Watcher.WatcherType.Any);
            } catch (RuntimeException ex) {
                LOG.debug("removing the watch on {} failed", e.getKey(), ex);
            }
        }
    }
}
