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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sinks added to one {@link Telemetry}: what they follow, recomputed when one is added or
 * removed, and the fan-out of each report to the sinks that follow it. Thread-safe: reads go
 * through a copy-on-write list and two volatile flags.
 */
final class TelemetrySinks {
    private final CopyOnWriteArrayList<Telemetry.Sink> sinks = new CopyOnWriteArrayList<>();
    // recomputed when a sink is added or removed: whether any sink follows deliveries, inner events
    private volatile boolean deliveries;
    private volatile boolean events;

    void add(Telemetry.Sink sink) {
        synchronized (sinks) {
            sinks.add(sink);
            follow();
        }
    }

    void remove(Telemetry.Sink sink) {
        synchronized (sinks) {
            sinks.remove(sink);
            follow();
        }
    }

    private void follow() {
        boolean d = false;
        boolean e = false;
        for (Telemetry.Sink s : sinks) {
            d |= s.followsDeliveries();
            e |= s.followsEvents();
        }
        deliveries = d;
        events = e;
    }

    /** Whether no sink is added. */
    boolean isEmpty() {
        return sinks.isEmpty();
    }

    /** Whether a sink follows deliveries. */
    boolean followsDeliveries() {
        return deliveries;
    }

    /** Whether a sink follows inner events. */
    boolean followsEvents() {
        return events;
    }

    /** Tells every sink that a call started; the scopes of those that follow calls. */
    List<Telemetry.Scope> started(String owner, String operation, String path) {
        List<Telemetry.Scope> scopes = new ArrayList<>(1);
        for (Telemetry.Sink s : sinks) {
            Telemetry.Scope scope = s.started(owner, operation, path);
            if (scope != null) {
                scopes.add(scope);
            }
        }
        return scopes;
    }

    void recorded(String owner, Telemetry.Event event, long value) {
        for (Telemetry.Sink s : sinks) {
            if (s.followsEvents()) {
                s.recorded(owner, event, value);
            }
        }
    }

    void delivered(String owner, long queuedNanos) {
        for (Telemetry.Sink s : sinks) {
            if (s.followsDeliveries()) {
                s.delivered(owner, queuedNanos);
            }
        }
    }

    void listenerFailed(String owner) {
        for (Telemetry.Sink s : sinks) {
            if (s.followsDeliveries()) {
                s.listenerFailed(owner);
            }
        }
    }

    void resynced(String owner) {
        for (Telemetry.Sink s : sinks) {
            if (s.followsDeliveries()) {
                s.resynced(owner);
            }
        }
    }
}
