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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.recipes.internal.StoredEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The implementation of {@link EventSubscription}. */
final class DefaultSubscription<E> extends LogReadingRecipe<LogEvent<E>>
        implements EventSubscription<E>, RecipeRegistry.Reporting {
    private final DefaultEventLog<E> log;
    private final Codec<E> codec;
    private final long from;
    private final UndecodablePolicy policy;
    private volatile long position;
    private final Telemetry.Probe probe;
    /** Set by {@link #close(Deadline)} before it closes: how long the close may wait. */
    private volatile @Nullable Deadline closeDeadline;

    DefaultSubscription(
            DefaultEventLog<E> log, Coordinator coordinator, Codec<E> codec, long from, UndecodablePolicy policy) {
        super(log, owner(log, from), "statesync-eventlog " + log.path());
        this.log = log;
        this.codec = codec;
        this.from = from;
        this.position = from;
        this.policy = policy;
        this.probe = coordinator.internalTelemetry().probe(owner(log, from), log.path());
        coordinator.internalRecipes().register("EventSubscription", log.path(), this);
    }

    private static String owner(DefaultEventLog<?> log, long from) {
        return "EventSubscription " + log.path() + " from " + from;
    }

    /** Closes, waiting for the following thread until the deadline at most (the event log's close shares one). */
    void close(Deadline d) {
        closeDeadline = d;
        close();
    }

    @Override
    protected void doClose(LifecycleState previous) {
        if (previous == LifecycleState.STARTED) {
            Deadline d = closeDeadline;
            follower.close(
                    d != null ? d : coordinator.internalAccess().deadline(Duration.ofMillis(Follower.CLOSE_WAIT_MS)));
        }
        log.forget(this);
    }

    @Override
    public long position() {
        return position;
    }

    // ---------------------------------------------------------------- EventStorage.Handler

    @Override
    public long prepare(Deadline d) {
        return from;
    }

    @Override
    public long onEvents(List<StoredEvent> events) {
        long next = position;
        try {
            for (StoredEvent raw : events) {
                E event;
                try {
                    event = DefaultEventLog.decode(codec, raw);
                } catch (EventDecodingException e) {
                    listeners.enqueue(e, l -> l.onError(e));
                    if (policy == UndecodablePolicy.STOP) {
                        failure = e;
                        position = raw.position();
                        return -1;
                    }
                    next = raw.position() + 1;
                    continue;
                }
                LogEvent<E> logEvent = new LogEvent<>(raw.position(), event, raw.mzxid());
                StateChange<LogEvent<E>> change = StateChange.of(
                        log.path(),
                        ChangeKind.CREATED,
                        null,
                        Versioned.of(logEvent, 0, raw.czxid(), raw.mzxid()),
                        raw.position());
                long at = raw.position();
                listeners.enqueue(change, l -> lagged(l, change, at));
                next = raw.position() + 1;
            }
            position = next;
            return next;
        } finally {
            listeners.dispatch();
        }
    }

    /** Hands an event to a listener, reporting how many later events the subscription has read. */
    private void lagged(StateListener<LogEvent<E>> listener, StateChange<LogEvent<E>> change, long at) {
        probe.record(Telemetry.Event.SUBSCRIBER_LAG, Math.max(0, position - 1 - at));
        listener.onChange(change);
    }

    @Override
    public long onSkipped(long next) {
        position = next;
        return next;
    }

    @Override
    public long onUndeliverable(EventDecodingException error) {
        listeners.publish(error, l -> l.onError(error));
        if (policy == UndecodablePolicy.STOP) {
            position = error.position();
            failure = error;
            return -1;
        }
        position = error.resumePosition();
        return position;
    }

    @Override
    public void onCaughtUp(long next) {}

    /** DOWN once stopped by {@link #failure()}; UP otherwise. Details: the next position delivered. */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", from);
        details.put(ReportKeys.POSITION, position);
        details.put("listeners", listeners.size());
        StateSyncException stopped = failure;
        if (stopped != null) {
            return new Health(
                    Health.Status.DOWN, "stopped at position " + position + ": " + stopped.getMessage(), details);
        }
        return new Health(Health.Status.UP, "delivering from position " + position, details);
    }

    @Override
    public String toString() {
        return "EventSubscription{" + log.path() + " at " + position + ", " + lifecycle.state() + '}';
    }
}
