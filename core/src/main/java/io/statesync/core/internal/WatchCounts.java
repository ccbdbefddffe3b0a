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
package io.statesync.core.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The server watches one coordinator's recipes set, counted per handle and path: ZooKeeper keeps one
 * server watch per connection and path, so it is removed only with the last recipe that set it.
 * Thread-safe; handles of ended sessions drop out with their last reference.
 */
final class WatchCounts {
    private final Map<ZooKeeper, Map<String, Integer>> counts = new WeakHashMap<>();

    /** Counts a watch set on {@code zk} for {@code fullPath}. */
    void added(ZooKeeper zk, String fullPath) {
        synchronized (counts) {
            counts.computeIfAbsent(zk, k -> new HashMap<>()).merge(fullPath, 1, Integer::sum);
        }
    }

    /**
     * Counts a watch removed; when it was the last one on the path, removes the server's watch and
     * every local registration of {@code type} for the path.
     */
    void removed(ZooKeeper zk, String fullPath, Watcher.WatcherType type) {
        if (decrement(zk, fullPath)) {
            zk.removeAllWatches(fullPath, type, true, (rc, p, ctx) -> {}, null);
        }
    }

    /**
     * Counts a watch gone without a request to the server (its trigger removed it there).
     *
     * @return whether it was the last one counted on the path
     */
    boolean decrement(ZooKeeper zk, String fullPath) {
        synchronized (counts) {
            Map<String, Integer> paths = counts.get(zk);
            Integer count = paths == null ? null : paths.get(fullPath);
            if (paths == null || count == null) {
                return false;
            }
            boolean last = count <= 1;
            if (last) {
                paths.remove(fullPath);
                if (paths.isEmpty()) {
                    counts.remove(zk);
                }
            } else {
                paths.put(fullPath, count - 1);
            }
            return last;
        }
    }
}
