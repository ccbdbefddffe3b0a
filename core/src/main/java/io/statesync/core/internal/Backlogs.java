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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * The live listener sets of one coordinator's recipes, for {@link Telemetry#backlogs()}: each
 * registers itself when made and unregisters when closed (held weakly, so a recipe never closed is
 * not kept). Thread-safe: the set is guarded by itself; backlogs are read outside that lock.
 */
final class Backlogs {
    private final Set<ListenerSet<?>> sets = Collections.newSetFromMap(new WeakHashMap<>());

    void register(ListenerSet<?> set) {
        synchronized (sets) {
            sets.add(set);
        }
    }

    void unregister(ListenerSet<?> set) {
        synchronized (sets) {
            sets.remove(set);
        }
    }

    /** Queued changes per owner, summed over its listeners and over sets with the same owner. */
    Map<String, Integer> all() {
        List<ListenerSet<?>> open;
        synchronized (sets) {
            open = new ArrayList<>(sets);
        }
        Map<String, Integer> out = new TreeMap<>();
        for (ListenerSet<?> s : open) {
            out.merge(s.owner(), s.backlog(), Integer::sum);
        }
        return out;
    }

    /** Queued changes of the sets named {@code owner}, summed. */
    int of(String owner) {
        List<ListenerSet<?>> named = new ArrayList<>();
        synchronized (sets) {
            for (ListenerSet<?> s : sets) {
                if (s.owner().equals(owner)) {
                    named.add(s);
                }
            }
        }
        int total = 0;
        for (ListenerSet<?> s : named) {
            total += s.backlog();
        }
        return total;
    }
}
