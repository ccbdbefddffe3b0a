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
package io.statesync.core.testing;

import io.statesync.core.ChangeKind;
import io.statesync.core.StateChange;
import io.statesync.core.Versioned;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the changes a listener recorded (e.g. with a {@link Recorder}) against the server's
 * history: per path, the sequence of INITIAL/CREATED/UPDATED/DELETED/RESYNCED must be one the
 * server's history allows, every value shown must be one the server stored, and zxids never go
 * back. Not eyeballing: every violation is collected and reported with the change that broke it.
 *
 * <p>Works for any recipe that reports {@link StateChange}s of znode values (shared state, state
 * tree, ...): it depends only on core's types. A test records what its writers stored in a {@link
 * ServerHistory}, then calls {@link #assertConsistent} (or {@link #assertMonotonic} when it has no
 * server history).
 */
public final class HistoryChecker {
    /**
     * What the server stored: every value by (czxid, version), and which incarnations ended.
     * Thread-safe, so concurrent writers may record into one history.
     *
     * @param <T> the value type
     */
    public static final class ServerHistory<T> {
        /** An empty history. */
        public ServerHistory() {}

        private final Map<String, Map<Long, Map<Integer, Versioned<T>>>> values = new ConcurrentHashMap<>();
        private final Set<String> ended = ConcurrentHashMap.newKeySet();

        /**
         * Records a value the server stored (as a write returned it, or a read saw it).
         *
         * @param path the value's path, as the listener's changes name it
         * @param value the stored value with its czxid and version
         */
        public void stored(String path, Versioned<T> value) {
            values.computeIfAbsent(path, p -> new ConcurrentHashMap<>())
                    .computeIfAbsent(value.czxid(), c -> new ConcurrentHashMap<>())
                    .put(value.version(), value);
        }

        /**
         * Records that the incarnation with this czxid was deleted.
         *
         * @param path the path, as the listener's changes name it
         * @param czxid the ended incarnation's creation zxid
         */
        public void deleted(String path, long czxid) {
            ended.add(path + "@" + czxid);
        }

        @org.jspecify.annotations.Nullable
        Versioned<T> lookup(String path, long czxid, int version) {
            Map<Long, Map<Integer, Versioned<T>>> byC = values.get(path);
            if (byC == null) {
                return null;
            }
            Map<Integer, Versioned<T>> byV = byC.get(czxid);
            return byV == null ? null : byV.get(version);
        }

        boolean hasEnded(String path, long czxid) {
            return ended.contains(path + "@" + czxid);
        }
    }

    private HistoryChecker() {}

    /**
     * Checks only the rules that need no server history (order, kinds, previous links).
     *
     * @param changes what the listener received, in order
     * @param <T> the value type
     * @throws AssertionError listing every violation
     */
    public static <T> void assertMonotonic(List<StateChange<T>> changes) {
        List<String> violations = check(changes, null, true);
        if (!violations.isEmpty()) {
            throw new AssertionError(String.join("\n", violations));
        }
    }

    /**
     * Checks a listener's recorded changes against the server's history.
     *
     * @param changes what the listener received, in order
     * @param server what the server stored; values the listener was shown must be in it
     * @param resyncAllowed whether connection gaps happened (so RESYNCED may appear)
     * @param <T> the value type
     * @throws AssertionError with the number of violations and the first ten
     */
    public static <T> void assertConsistent(
            List<StateChange<T>> changes, ServerHistory<T> server, boolean resyncAllowed) {
        List<String> violations = check(changes, server, resyncAllowed);
        if (!violations.isEmpty()) {
            throw new AssertionError(violations.size() + " violations, first ones:\n"
                    + String.join("\n", violations.subList(0, Math.min(10, violations.size()))));
        }
    }

    /** Every violation, in order of the changes; for the assertions above and the checker's test. */
    static <T> List<String> check(
            List<StateChange<T>> changes,
            @org.jspecify.annotations.Nullable ServerHistory<T> server,
            boolean resyncAllowed) {
        Map<String, List<StateChange<T>>> byPath = new LinkedHashMap<>();
        for (StateChange<T> c : changes) {
            byPath.computeIfAbsent(c.path(), p -> new ArrayList<>()).add(c);
        }
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<StateChange<T>>> e : byPath.entrySet()) {
            String path = e.getKey();
            Optional<Versioned<T>> shown = Optional.empty();
            long maxZxid = -1;
            Set<Long> endedSeen = new HashSet<>();
            int i = 0;
            for (StateChange<T> c : e.getValue()) {
                String where = path + " change #" + i + " " + c + ": ";
                if (i == 0 && c.kind() != ChangeKind.INITIAL && c.kind() != ChangeKind.CREATED) {
                    violations.add(where + "the first change must be INITIAL or CREATED");
                }
                if (i > 0 && c.kind() == ChangeKind.INITIAL) {
                    violations.add(where + "INITIAL after other changes");
                }
                if (!c.previous().equals(c.kind() == ChangeKind.INITIAL ? Optional.empty() : shown)) {
                    violations.add(where + "previous is not the last value shown (" + shown + ")");
                }
                Optional<Versioned<T>> cur = c.current();
                if (cur.isPresent()) {
                    Versioned<T> v = cur.get();
                    if (v.mzxid() <= maxZxid) {
                        violations.add(where + "went back: mzxid 0x" + Long.toHexString(v.mzxid()) + " after 0x"
                                + Long.toHexString(maxZxid));
                    }
                    maxZxid = Math.max(maxZxid, v.mzxid());
                    if (server != null) {
                        Versioned<T> stored = server.lookup(path, v.czxid(), v.version());
                        if (stored == null) {
                            violations.add(where + "the server never stored this version");
                        } else if (!Objects.equals(stored, v)) {
                            violations.add(where + "the server stored " + stored + " at this version");
                        }
                    }
                }
                switch (c.kind()) {
                    case UPDATED -> {
                        if (shown.isEmpty() || cur.isEmpty()) {
                            violations.add(where + "UPDATED needs a previous and a current value");
                        } else if (shown.get().czxid() != cur.get().czxid()) {
                            violations.add(where + "UPDATED across incarnations (czxid changed)");
                        } else if (cur.get().version() <= shown.get().version()) {
                            violations.add(where + "UPDATED to a version that is not newer");
                        }
                    }
                    case CREATED -> {
                        if (shown.isPresent()) {
                            violations.add(where + "CREATED while a value is shown");
                        }
                    }
                    case DELETED -> {
                        if (shown.isEmpty() || cur.isPresent()) {
                            violations.add(where + "DELETED needs a previous and no current value");
                        } else if (server != null
                                && !server.hasEnded(path, shown.get().czxid())) {
                            violations.add(where + "the server never deleted incarnation czxid 0x"
                                    + Long.toHexString(shown.get().czxid()));
                        } else {
                            endedSeen.add(shown.get().czxid());
                        }
                    }
                    case RESYNCED -> {
                        if (!resyncAllowed) {
                            violations.add(where + "RESYNCED without any connection gap");
                        }
                    }
                    case INITIAL -> {}
                }
                if (cur.isPresent() && endedSeen.contains(cur.get().czxid())) {
                    violations.add(where + "a value of an incarnation already reported DELETED");
                }
                shown = cur;
                i++;
            }
        }
        return violations;
    }
}
