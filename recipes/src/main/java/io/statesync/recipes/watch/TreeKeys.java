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

import io.statesync.core.Versioned;
import io.statesync.recipes.internal.WatchedNodes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A tree's per-key bookkeeping ({@link WatchedNodes.Node}), kept only for the keys whose view
 * entry does not describe them: a key being read, a key deleted whose tombstone still matters, a key
 * not verified since the last gap. A settled key costs its view entry alone; its state is rebuilt
 * from the shown value, verified in the clean epoch, when it moves. Not thread-safe: every method
 * runs under the tree's lock.
 */
final class TreeKeys<T> {
    /** The tree's shown values. */
    private final Map<String, Versioned<T>> view;
    // Bookkeeping only for keys whose state the view does not tell (see of).
    private Map<String, WatchedNodes.Node<T>> keys = new HashMap<>();
    // The gap epoch in which every key of the view that has no entry in keys was last verified.
    private int cleanEpoch = -1;

    TreeKeys(Map<String, Versioned<T>> view) {
        this.view = view;
    }

    /**
     * The state of one key, for changing and handing back to {@link #store}: its entry if it has
     * one; otherwise, if it is shown, the shown value's stat, verified in the clean epoch; otherwise
     * nothing known.
     */
    WatchedNodes.Node<T> of(String key) {
        WatchedNodes.Node<T> k = keys.get(key);
        if (k != null) {
            return k;
        }
        Versioned<T> v = view.get(key);
        return v == null ? new WatchedNodes.Node<>() : new WatchedNodes.Node<>(v, cleanEpoch);
    }

    /** Keeps a key's state from {@link #of} after a change: an entry only if needed. */
    void store(String key, WatchedNodes.Node<T> k) {
        if (derivable(k)) {
            keys.remove(key);
        } else {
            keys.put(key, k);
        }
    }

    /** Keeps an entry for a key whatever its state (a read of it is about to be sent). */
    void track(String key, WatchedNodes.Node<T> k) {
        keys.put(key, k);
    }

    /** Adds to {@code out} every key with an entry that exists as last seen. */
    void addExisting(Set<String> out) {
        keys.forEach((key, k) -> {
            if (k.exists) {
                out.add(key);
            }
        });
    }

    /** Drops the tombstones no read is in flight for, once a full re-read has been applied. */
    void dropTombstones() {
        keys.values().removeIf(k -> !k.exists && k.readInFlightOn == null);
    }

    /** A gap: no read is in flight any more; what the view describes is dropped. */
    void gap() {
        for (WatchedNodes.Node<T> k : keys.values()) {
            k.readInFlightOn = null;
        }
        keys.values().removeIf(this::derivable);
    }

    /**
     * Drops the bookkeeping of every key its view entry describes, after a load or re-read: the
     * keys verified in gap epoch {@code gapEpoch} become the clean ones. A shown key with no entry
     * was verified in the old clean epoch, so it gets an entry first if that moves.
     */
    void settle(int gapEpoch) {
        if (cleanEpoch != gapEpoch) {
            for (Map.Entry<String, Versioned<T>> e : view.entrySet()) {
                if (!keys.containsKey(e.getKey())) {
                    keys.put(e.getKey(), new WatchedNodes.Node<>(e.getValue(), cleanEpoch));
                }
            }
            cleanEpoch = gapEpoch;
        }
        keys.values().removeIf(this::derivable);
        if (keys.isEmpty()) {
            keys = new HashMap<>(); // a HashMap never shrinks: let go of the table a load grew
        }
    }

    /** Whether {@link #of} would rebuild exactly this state from the view alone. */
    private boolean derivable(WatchedNodes.Node<T> k) {
        Versioned<T> v = k.shown;
        return v != null
                && k.exists
                && k.readInFlightOn == null
                && k.verifiedEpoch == cleanEpoch
                && k.czxid == v.czxid()
                && k.mzxid == v.mzxid()
                && k.version == v.version();
    }
}
