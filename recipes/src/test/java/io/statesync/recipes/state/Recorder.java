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

/** Records everything a listener is told, for assertions and for {@link HistoryChecker}. */
public final class Recorder<T> implements StateListener<T> {
    public final List<StateChange<T>> changes = new CopyOnWriteArrayList<>();
    public final List<StateSyncException> errors = new CopyOnWriteArrayList<>();
    public final List<ConnectionEvent> connections = new CopyOnWriteArrayList<>();

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

    public List<ChangeKind> kinds() {
        return changes.stream().map(StateChange::kind).collect(Collectors.toList());
    }

    /** The value the listener was last shown for a path: empty if absent or never shown. */
    public Optional<Versioned<T>> last(String path) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            StateChange<T> c = changes.get(i);
            if (c.path().equals(path)) {
                return c.current();
            }
        }
        return Optional.empty();
    }

    public Optional<T> lastValue(String path) {
        return last(path).map(Versioned::value);
    }
}
