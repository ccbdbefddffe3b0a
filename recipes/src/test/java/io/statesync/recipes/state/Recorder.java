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
