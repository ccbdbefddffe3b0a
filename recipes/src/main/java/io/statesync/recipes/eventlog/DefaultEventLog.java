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
package io.statesync.recipes.eventlog;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.StateListener;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.Telemetry;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.internal.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/** The implementation of {@link EventLog}. */
final class DefaultEventLog<E> implements EventLog<E>, RecipeRegistry.Reporting {
    private final Coordinator coordinator;
    private final Codec<E> codec;
    private final EventStorage store;
    private final Lifecycle lifecycle;
    private final Telemetry.Probe probe;
    private final List<DefaultSubscription<E>> subscriptions = new CopyOnWriteArrayList<>();

    DefaultEventLog(Coordinator coordinator, Codec<E> codec, EventStorage store) {
        this.coordinator = coordinator;
        this.codec = codec;
        this.store = store;
        this.lifecycle = new Lifecycle("EventLog " + store.path());
        this.probe = coordinator.internalTelemetry().probe("EventLog " + store.path(), store.path());
        coordinator.internalRecipes().register("EventLog", store.path(), this);
    }

    /** Decodes one raw event; a failure names its position. */
    static <E> E decode(Codec<E> codec, StoredEvent raw) {
        try {
            return Codecs.decode(codec, raw.label(), -1, raw.data());
        } catch (DecodingException e) {
            throw new EventDecodingException(raw.label(), raw.position(), e);
        }
    }

    @Override
    public void start() {
        lifecycle.start();
    }

    @Override
    public LifecycleState state() {
        return lifecycle.state();
    }

    @Override
    public void close() {
        if (lifecycle.close() == LifecycleState.CLOSED) {
            return;
        }
        // One bound for all: each subscription's thread is interrupted, and the wait for them
        // shares one deadline; a thread still busy then finishes in the background.
        Deadline d = coordinator.internalAccess().deadline(Duration.ofMillis(Follower.CLOSE_WAIT_MS));
        for (DefaultSubscription<E> s : subscriptions) {
            s.close(d);
        }
        subscriptions.clear();
        store.close();
    }

    /** The log's storage, shared with its subscriptions and an {@link EventSourcedState} built on it. */
    EventStorage store() {
        return store;
    }

    void forget(DefaultSubscription<E> subscription) {
        subscriptions.remove(subscription);
    }

    @Override
    public long append(E event) throws InterruptedException {
        return append(event, store.appendTimeout());
    }

    @Override
    public long append(E event, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(event, "event");
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        List<byte[]> encoded = List.of(codec.encode(event));
        return probe.observe("append", () -> store.append(encoded, d));
    }

    @Override
    public long appendAll(List<? extends E> events) throws InterruptedException {
        return appendAll(events, store.appendTimeout());
    }

    @Override
    public long appendAll(List<? extends E> events, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(events, "events");
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (events.isEmpty()) {
            throw new IllegalArgumentException("appendAll needs at least one event");
        }
        lifecycle.requireStarted();
        List<byte[]> encoded = new ArrayList<>(events.size());
        for (E e : events) {
            encoded.add(codec.encode(Objects.requireNonNull(e, "events contains null")));
        }
        return probe.observe("append", () -> store.append(encoded, d));
    }

    @Override
    public List<LogEvent<E>> read(long fromPosition, int max) throws InterruptedException {
        return read(fromPosition, max, coordinator.operationTimeout());
    }

    @Override
    public List<LogEvent<E>> read(long fromPosition, int max, Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (fromPosition < 0) {
            throw new IllegalArgumentException("fromPosition must be >= 0, was " + fromPosition);
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        lifecycle.requireStarted();
        List<StoredEvent> raw = store.read(fromPosition, max, d);
        List<LogEvent<E>> out = new ArrayList<>(raw.size());
        for (StoredEvent r : raw) {
            out.add(new LogEvent<>(r.position(), decode(codec, r), r.mzxid()));
        }
        return out;
    }

    @Override
    public long endPosition() throws InterruptedException {
        return endPosition(coordinator.operationTimeout());
    }

    @Override
    public long endPosition(Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        return store.endPosition(d);
    }

    @Override
    public long earliestPosition() throws InterruptedException {
        return earliestPosition(coordinator.operationTimeout());
    }

    @Override
    public long earliestPosition(Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        return store.earliestPosition(d);
    }

    @Override
    public void truncateBefore(long position) throws InterruptedException {
        truncateBefore(position, coordinator.operationTimeout());
    }

    @Override
    public void truncateBefore(long position, Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        lifecycle.requireStarted();
        store.truncateBefore(position, d);
    }

    @Override
    public EventSubscription<E> subscription(long fromPosition, UndecodablePolicy policy) {
        if (fromPosition < 0) {
            throw new IllegalArgumentException("fromPosition must be >= 0, was " + fromPosition);
        }
        Objects.requireNonNull(policy, "policy");
        lifecycle.requireStarted();
        DefaultSubscription<E> s = new DefaultSubscription<>(this, coordinator, codec, fromPosition, policy);
        subscriptions.add(s);
        return s;
    }

    @Override
    public EventSubscription<E> subscribe(long fromPosition, StateListener<LogEvent<E>> listener) {
        Objects.requireNonNull(listener, "listener");
        EventSubscription<E> s = subscription(fromPosition, UndecodablePolicy.STOP);
        s.addListener(listener);
        s.start();
        return s;
    }

    @Override
    public String path() {
        return store.path();
    }

    @Override
    public Codec<E> codec() {
        return codec;
    }

    /** UP (an append or read reports its own failure). Details: the open subscriptions. */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("subscriptions", subscriptions.size());
        return new Health(Health.Status.UP, "open for appends and reads", details);
    }

    @Override
    public String toString() {
        return "EventLog{" + store.path() + ", " + lifecycle.state() + '}';
    }
}
