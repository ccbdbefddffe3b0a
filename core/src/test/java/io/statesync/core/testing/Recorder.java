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
import io.statesync.core.ConnectionEvent;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A {@link StateListener} that records everything it is told, in order, for a test's assertions and
 * for {@link HistoryChecker}. Any recipe that reports {@link StateChange}s can be recorded; add it
 * with the recipe's {@code addListener} (the recipe's executor or {@code Runnable::run}).
 *
 * <p>Thread-safe: the lists are copy-on-write, so a test may read them while events arrive.
 *
 * @param <T> the recipe's value type
 */
public final class Recorder<T> implements StateListener<T> {
    /** The data changes, in the order they were delivered. */
    public final List<StateChange<T>> changes = new CopyOnWriteArrayList<>();

    /** The errors the recipe reported, in order. */
    public final List<StateSyncException> errors = new CopyOnWriteArrayList<>();

    /** The connection transitions the recipe passed on, in order. */
    public final List<ConnectionEvent> connections = new CopyOnWriteArrayList<>();

    /** A recorder with nothing recorded yet. */
    public Recorder() {}

    @Override
    public void onChange(StateChange<T> change) {
        changes.add(change);
    }

    @Override
    public void onConnection(ConnectionEvent event) {
        connections.add(event);
    }

    @Override
    public void onError(StateSyncException error) {
        errors.add(error);
    }

    /**
     * The kinds of the changes recorded so far, in order.
     *
     * @return the kinds, a copy
     */
    public List<ChangeKind> kinds() {
        return changes.stream().map(StateChange::kind).collect(Collectors.toList());
    }

    /**
     * The value the listener was last shown for a path.
     *
     * @param path the change's path, as the recipe reports it
     * @return the last value, empty if the last change removed it or none was shown for the path
     */
    public Optional<Versioned<T>> last(String path) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            StateChange<T> c = changes.get(i);
            if (c.path().equals(path)) {
                return c.current();
            }
        }
        return Optional.empty();
    }

    /**
     * The value (without its version) the listener was last shown for a path.
     *
     * @param path the change's path, as the recipe reports it
     * @return the last value, empty as for {@link #last(String)}
     */
    public Optional<T> lastValue(String path) {
        return last(path).map(Versioned::value);
    }
}
