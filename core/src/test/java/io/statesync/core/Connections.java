package io.statesync.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Records connection events for assertions. */
final class Connections implements ConnectionListener {
    final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onConnection(ConnectionEvent event) {
        events.add(event);
    }

    List<ConnectionEvent.Kind> kinds() {
        return events.stream().map(ConnectionEvent::kind).collect(Collectors.toList());
    }
}
