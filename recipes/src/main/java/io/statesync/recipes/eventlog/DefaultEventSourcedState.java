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
import io.statesync.core.DecodingException;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.recipes.internal.StoredEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The implementation of {@link EventSourcedState}. */
final class DefaultEventSourcedState<S, E> extends LogReadingRecipe<S>
        implements EventSourcedState<S, E>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultEventSourcedState.class);

    private final DefaultEventLog<E> log;
    private final S initial;
    private final BiFunction<S, E, S> reducer;
    private final @Nullable Codec<S> snapshotCodec;
    private final int snapshotEvery;
    private final boolean compactLog;
    private final UndecodablePolicy policy;
    private final @Nullable Snapshots snapshots;

    /** Guarded by {@link #lock}. */
    private Versioned<S> current;
    /** Guarded by {@link #lock}: the exact position of {@link #current}. */
    private long position;
    /** Guarded by {@link #lock}: the last change delivered, the "previous" of the next. */
    private @Nullable Versioned<S> delivered;
    /** Guarded by {@link #lock}. */
    private boolean initialDelivered;
    /** Guarded by {@link #lock}: the position of the snapshot loaded at start, or -1. */
    private long startSnapshot = -1;

    /**
     * A state as its builder describes it (the builder has checked every option).
     *
     * @param b the builder
     * @param log the builder's log, known to be this package's
     */
    DefaultEventSourcedState(EventSourcedState.Builder<S, E> b, DefaultEventLog<E> log) {
        super(log, "EventSourcedState " + log.path(), "statesync-eventsourced " + log.path());
        S initial = b.initial;
        BiFunction<S, E, S> reducer = b.reducer;
        Codec<S> snapshotCodec = b.snapshotCodec;
        int snapshotEvery = b.snapshotEvery;
        int keepSnapshots = b.keepSnapshots;
        boolean compactLog = b.compactLog;
        UndecodablePolicy policy = b.policy;
        this.log = log;
        this.initial = initial;
        this.reducer = reducer;
        this.snapshotCodec = snapshotCodec;
        this.snapshotEvery = snapshotEvery;
        this.compactLog = compactLog;
        this.policy = policy;
        this.snapshots = snapshotCodec == null
                ? null
                : new Snapshots(coordinator, log.store().snapshotsPath(), keepSnapshots);
        this.current = Versioned.of(initial, 0, 0, 0);
        coordinator.internalRecipes().register("EventSourcedState", log.path(), this);
    }

    @Override
    protected void doClose(LifecycleState previous) {
        if (previous == LifecycleState.STARTED) {
            follower.close(coordinator.internalAccess().deadline(Duration.ofMillis(Follower.CLOSE_WAIT_MS)));
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    protected void replayInitial(StateListener<S> listener) {
        if (initialDelivered) {
            StateChange<S> change = StateChange.of(log.path(), ChangeKind.INITIAL, null, current, position);
            listeners.enqueueTo(listener, change, l -> l.onChange(change));
        }
    }

    /**
     * DOWN once stopped by {@link #failure()}; DEGRADED while started and not caught up once yet (no
     * INITIAL change delivered); UP otherwise. Details: the position applied, the snapshot loaded.
     */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean caughtUp;
        long at;
        synchronized (lock) {
            at = position;
            caughtUp = initialDelivered;
            details.put(ReportKeys.POSITION, at);
            details.put("caughtUp", caughtUp);
            if (startSnapshot >= 0) {
                details.put("startSnapshot", startSnapshot);
            }
        }
        details.put("listeners", listeners.size());
        StateSyncException stopped = failure;
        if (stopped != null) {
            return new Health(Health.Status.DOWN, "stopped at position " + at + ": " + stopped.getMessage(), details);
        }
        if (lifecycle.isStarted() && !caughtUp) {
            return new Health(Health.Status.DEGRADED, "replaying the log; at position " + at, details);
        }
        return new Health(Health.Status.UP, "applied the log up to position " + at, details);
    }

    @Override
    public Versioned<S> current() {
        synchronized (lock) {
            return current;
        }
    }

    @Override
    public long position() {
        synchronized (lock) {
            return position;
        }
    }

    @Override
    public boolean awaitPosition(long target, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        Deadline d = coordinator.internalAccess().deadline(timeout);
        synchronized (lock) {
            while (position < target) {
                LifecycleState s = lifecycle.state();
                if (s != LifecycleState.STARTED) {
                    throw new IllegalStateException("EventSourcedState " + log.path() + " is "
                            + (s == LifecycleState.LATENT ? "not started" : "closed") + " at position " + position
                            + "; it cannot reach " + target);
                }
                StateSyncException stopped = failure;
                if (stopped != null) {
                    throw new StateSyncException(
                            stopped.reason(),
                            log.path(),
                            "EventSourcedState " + log.path() + " stopped at position " + position + " before reaching "
                                    + target + ": " + stopped.getMessage(),
                            stopped);
                }
                long left = d.remainingNanos();
                if (left == 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public OptionalLong startSnapshotPosition() {
        synchronized (lock) {
            return startSnapshot < 0 ? OptionalLong.empty() : OptionalLong.of(startSnapshot);
        }
    }

    // ---------------------------------------------------------------- EventStorage.Handler

    @Override
    public long prepare(Deadline d) throws InterruptedException {
        S state = initial;
        long start = 0;
        long zxid = 0;
        long fromSnapshot = -1;
        Snapshots store = snapshots;
        Codec<S> codec = snapshotCodec;
        if (store != null && codec != null) {
            Optional<Snapshots.Loaded> loaded;
            try {
                loaded = store.loadLatest(d);
            } catch (StateSyncException e) {
                if (e.reason() != StateSyncException.Reason.DECODING_FAILED) {
                    throw e;
                }
                LOG.warn("the newest snapshot of {} is unreadable; replaying from the earliest position", log.path());
                listeners.publish(e, li -> li.onError(e));
                loaded = Optional.empty();
            }
            if (loaded.isPresent()) {
                Snapshots.Loaded l = loaded.get();
                try {
                    state = Codecs.decode(codec, l.path(), -1, l.data());
                    start = l.position();
                    zxid = l.zxid();
                    fromSnapshot = l.position();
                } catch (DecodingException e) {
                    LOG.warn(
                            "snapshot {} does not decode; replaying {} from its earliest position",
                            l.path(),
                            log.path());
                    listeners.publish(e, li -> li.onError(e));
                }
            }
        }
        synchronized (lock) {
            position = start;
            startSnapshot = fromSnapshot;
            current = Versioned.of(state, 0, 0, zxid);
            lock.notifyAll();
        }
        return start;
    }

    @Override
    public long onEvents(List<StoredEvent> events) throws InterruptedException {
        S state;
        long pos;
        long zxid;
        synchronized (lock) {
            state = current.value();
            pos = position;
            zxid = current.mzxid();
        }
        StateSyncException stop = null;
        for (StoredEvent raw : events) {
            E event;
            try {
                event = DefaultEventLog.decode(log.codec(), raw);
            } catch (EventDecodingException e) {
                listeners.enqueue(e, l -> l.onError(e));
                if (policy == UndecodablePolicy.STOP) {
                    stop = e;
                    break;
                }
                pos = raw.position() + 1;
                zxid = raw.mzxid();
                continue;
            }
            S next;
            try {
                next = Objects.requireNonNull(reducer.apply(state, event), "the reducer returned null");
            } catch (RuntimeException e) {
                StateSyncException error = new StateSyncException(
                        StateSyncException.Reason.OTHER,
                        log.path(),
                        "the reducer of " + log.path() + " threw at position " + raw.position() + ": " + e,
                        e);
                listeners.enqueue(error, l -> l.onError(error));
                stop = error;
                break;
            }
            state = next;
            pos = raw.position() + 1;
            zxid = raw.mzxid();
            if (snapshotEvery > 0 && pos % snapshotEvery == 0) {
                writeSnapshot(state, pos, zxid);
            }
        }
        publish(state, pos, zxid);
        if (stop != null) {
            failure = stop;
            synchronized (lock) {
                lock.notifyAll();
            }
            return -1;
        }
        return pos;
    }

    private void publish(S state, long pos, long zxid) {
        synchronized (lock) {
            if (pos != position || zxid != current.mzxid()) {
                Versioned<S> next = Versioned.of(state, 0, 0, zxid);
                current = next;
                position = pos;
                if (initialDelivered) {
                    StateChange<S> change = StateChange.of(log.path(), ChangeKind.UPDATED, delivered, next, pos);
                    delivered = next;
                    listeners.enqueue(change, l -> l.onChange(change));
                }
                lock.notifyAll();
            }
        }
        listeners.dispatch();
    }

    private void writeSnapshot(S state, long pos, long zxid) throws InterruptedException {
        Snapshots store = snapshots;
        Codec<S> codec = snapshotCodec;
        if (store == null || codec == null) {
            return;
        }
        try {
            // A pass of its own, bounded by the coordinator's operation timeout (pruning by another).
            long oldestKept = store.write(
                    pos, codec.encode(state), zxid, coordinator.internalAccess().defaultDeadline());
            if (compactLog && oldestKept > 0) {
                log.store()
                        .truncateBefore(oldestKept, coordinator.internalAccess().defaultDeadline());
            }
        } catch (StateSyncException e) {
            LOG.warn("writing a snapshot of {} at position {} failed; the state goes on", log.path(), pos, e);
            listeners.enqueue(e, l -> l.onError(e));
        }
    }

    @Override
    public long onSkipped(long next) {
        S state;
        long zxid;
        synchronized (lock) {
            state = current.value();
            zxid = current.mzxid();
        }
        publish(state, next, zxid);
        return next;
    }

    @Override
    public long onUndeliverable(EventDecodingException error) {
        listeners.publish(error, l -> l.onError(error));
        if (policy == UndecodablePolicy.STOP) {
            failure = error;
            synchronized (lock) {
                lock.notifyAll();
            }
            return -1;
        }
        S state;
        long zxid;
        synchronized (lock) {
            state = current.value();
            zxid = current.mzxid();
        }
        publish(state, error.resumePosition(), zxid);
        return error.resumePosition();
    }

    @Override
    public void onCaughtUp(long next) {
        synchronized (lock) {
            if (initialDelivered) {
                return;
            }
            initialDelivered = true;
            delivered = current;
            StateChange<S> change = StateChange.of(log.path(), ChangeKind.INITIAL, null, current, position);
            listeners.enqueue(change, l -> l.onChange(change));
        }
        listeners.dispatch();
    }

    @Override
    public String toString() {
        return "EventSourcedState{" + log.path() + " at " + position() + ", " + lifecycle.state() + '}';
    }
}
