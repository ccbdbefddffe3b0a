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
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the listener-delivery engine of one coordinator reports for metrics: how long each change
 * waited in a listener's queue, listeners that threw, RESYNCED changes, and the changes queued and
 * not yet delivered. One per {@code Coordinator} ({@code coordinator.internalTelemetry()}); not API.
 *
 * <p>Costs nothing while no {@link Sink} is added: the engine then reads no clock. With a sink, it
 * reads the clock twice per change and listener.
 */
public final class Telemetry {
    /** Receives the engine's reports; called on the thread that delivers, so it must be cheap. */
    public interface Sink {
        /**
         * A change was handed to a listener.
         *
         * @param owner the recipe, e.g. {@code "SharedState /config"}
         * @param queuedNanos how long the change waited between being queued and the call starting
         */
        void delivered(String owner, long queuedNanos);

        /**
         * A listener threw (it stays registered).
         *
         * @param owner the recipe
         */
        void listenerFailed(String owner);

        /**
         * A recipe queued a RESYNCED change (once per change, not per listener).
         *
         * @param owner the recipe
         */
        void resynced(String owner);
    }

    private final CopyOnWriteArrayList<Sink> sinks = new CopyOnWriteArrayList<>();
    // the live listener sets of the coordinator's recipes (weak: a recipe never closed is not kept)
    private final Set<ListenerSet<?>> sets = Collections.newSetFromMap(new WeakHashMap<>());

    /**
     * Adds a sink.
     *
     * @param sink the sink
     */
    public void addSink(Sink sink) {
        sinks.add(sink);
    }

    /**
     * Removes a sink.
     *
     * @param sink the sink, as added
     */
    public void removeSink(Sink sink) {
        sinks.remove(sink);
    }

    /**
     * Whether a sink listens: the engine measures only then.
     *
     * @return {@code true} if at least one sink is added
     */
    public boolean active() {
        return !sinks.isEmpty();
    }

    void delivered(String owner, long queuedNanos) {
        for (Sink s : sinks) {
            s.delivered(owner, queuedNanos);
        }
    }

    void listenerFailed(String owner) {
        for (Sink s : sinks) {
            s.listenerFailed(owner);
        }
    }

    void resynced(String owner) {
        for (Sink s : sinks) {
            s.resynced(owner);
        }
    }

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

    /**
     * The changes queued and not yet delivered, per recipe, summed over its listeners, for the
     * recipes open now. Two recipes with the same owner name are summed together.
     *
     * @return owner to queued changes
     */
    public Map<String, Integer> backlogs() {
        List<ListenerSet<?>> open;
        synchronized (sets) {
            open = new ArrayList<>(sets);
        }
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (ListenerSet<?> s : open) {
            out.merge(s.owner(), s.backlog(), Integer::sum);
        }
        return out;
    }

    /**
     * The changes queued and not yet delivered for one recipe, summed over its listeners (and over
     * open recipes with the same owner name).
     *
     * @param owner the recipe, as in {@link #backlogs()}
     * @return the queued changes, 0 if no open recipe has that name
     */
    public int backlog(String owner) {
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
