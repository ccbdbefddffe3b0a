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

import io.statesync.core.ChangeKind;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.Ticker;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one listener-delivery engine of statesync. Every recipe (and the coordinator's connection
 * listeners) delivers through an instance of this class.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Per-listener order.</b> Each listener has its own queue; its calls are serial and in the
 *       order the events were enqueued.
 *   <li><b>No user code under a lock.</b> {@link #enqueue} only queues; {@link #dispatch()} hands
 *       the queues to the executors. A recipe enqueues while it holds its lock and dispatches after
 *       it released it (or calls {@link #publish}, which does both, when it holds none). The engine
 *       itself calls listeners without holding any lock.
 *   <li><b>Isolation.</b> A listener that throws is logged with the listener and the event; it and
 *       every other listener keep receiving later events.
 *   <li><b>No head-of-line blocking.</b> A slow listener occupies its own executor task only; other
 *       listeners' queues are drained by other tasks.
 *   <li><b>Nothing after removal or close.</b> Once {@link #remove} or {@link #close} returned, no
 *       further call to that listener starts (a call already running on another thread finishes).
 *   <li><b>Rejection.</b> If an executor rejects a task, the queue is drained on the calling thread
 *       and the rejection is logged.
 * </ul>
 *
 * <p>Thread-safe.
 *
 * @param <L> the listener type
 */
public final class ListenerSet<L> {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerSet.class);

    private final String owner;
    private final Executor defaultExecutor;
    private final @Nullable Telemetry telemetry;
    private final Ticker ticker;
    private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * Creates an empty set.
     *
     * @param owner what the listeners listen to, for log messages (e.g. "SharedState /config")
     * @param defaultExecutor the executor for listeners added without one
     */
    public ListenerSet(String owner, Executor defaultExecutor) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.defaultExecutor = Objects.requireNonNull(defaultExecutor, "defaultExecutor");
        this.telemetry = null;
        this.ticker = Ticker.system();
    }

    /**
     * Creates an empty set for a recipe of a coordinator: listeners added without an executor run
     * on the coordinator's listener executor, and deliveries are reported to the coordinator's
     * {@link Telemetry}.
     *
     * @param owner what the listeners listen to, for log messages and metrics (e.g. "SharedState
     *     /config")
     * @param coordinator the recipe's coordinator
     */
    public ListenerSet(String owner, Coordinator coordinator) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.defaultExecutor = coordinator.listenerExecutor();
        Telemetry t = coordinator.internalTelemetry();
        this.telemetry = t;
        this.ticker = coordinator.ticker();
        t.register(this);
    }

    /**
     * What the listeners listen to, as given.
     *
     * @return the owner's name
     */
    public String owner() {
        return owner;
    }

    /**
     * The events queued and not yet handed to a listener, over every listener.
     *
     * @return the number of queued events
     */
    public int backlog() {
        int n = 0;
        for (Subscriber s : subscribers) {
            n += s.queued();
        }
        return n;
    }

    /**
     * Adds a listener that runs on the default executor.
     *
     * @param listener the listener
     * @throws IllegalStateException if this set is closed
     */
    public void add(L listener) {
        add(listener, defaultExecutor);
    }

    /**
     * Adds a listener that runs on the given executor. Adding the same listener twice registers it
     * twice.
     *
     * @param listener the listener
     * @param executor where its calls run; {@code Runnable::run} runs them on the thread that
     *     dispatches
     * @throws IllegalStateException if this set is closed
     */
    public void add(L listener, Executor executor) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(executor, "executor");
        if (closed) {
            throw new IllegalStateException(owner + " is closed; cannot add a listener");
        }
        subscribers.add(new Subscriber(listener, executor));
    }

    /**
     * Removes a listener (its first registration, if it was added twice). Events queued for it and
     * not yet started are dropped.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    public boolean remove(L listener) {
        for (Subscriber s : subscribers) {
            if (s.listener == listener) {
                if (subscribers.remove(s)) {
                    s.deactivate();
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Queues an event for every current listener. Does not call anything; follow with {@link
     * #dispatch()} once no lock is held.
     *
     * @param event the event, for log messages
     * @param call what to call on each listener
     */
    public void enqueue(Object event, Consumer<? super L> call) {
        if (closed) {
            return;
        }
        Telemetry t = telemetry;
        if (t != null
                && t.timesDeliveries()
                && event instanceof StateChange<?> change
                && change.kind() == ChangeKind.RESYNCED) {
            t.resynced(owner);
        }
        for (Subscriber s : subscribers) {
            s.offer(event, call);
        }
    }

    /**
     * Queues an event for one listener only (e.g. the INITIAL change of a listener just added).
     *
     * @param listener the listener, as it was added
     * @param event the event, for log messages
     * @param call what to call on it
     */
    public void enqueueTo(L listener, Object event, Consumer<? super L> call) {
        if (closed) {
            return;
        }
        for (Subscriber s : subscribers) {
            if (s.listener == listener) {
                s.offer(event, call);
                return;
            }
        }
    }

    /** Hands every listener's queued events to its executor. Call without holding a lock. */
    public void dispatch() {
        for (Subscriber s : subscribers) {
            s.dispatch();
        }
    }

    /**
     * Queues an event for every listener and dispatches at once. Call without holding a lock.
     *
     * @param event the event, for log messages
     * @param call what to call on each listener
     */
    public void publish(Object event, Consumer<? super L> call) {
        enqueue(event, call);
        dispatch();
    }

    /**
     * How many listeners are registered.
     *
     * @return the count
     */
    public int size() {
        return subscribers.size();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /** Removes every listener and drops their queued events; later events are ignored. Idempotent. */
    public void close() {
        closed = true;
        Telemetry t = telemetry;
        if (t != null) {
            t.unregister(this);
        }
        for (Subscriber s : subscribers) {
            s.deactivate();
        }
        subscribers.clear();
    }

    private final class Subscriber implements Runnable {
        final L listener;
        final Executor executor;
        private final Object lock = new Object();
        /** Guarded by {@link #lock}. */
        private final ArrayDeque<Pending<L>> queue = new ArrayDeque<>();
        /** Guarded by {@link #lock}: a drain task is scheduled or running. */
        private boolean running;

        private volatile boolean active = true;

        Subscriber(L listener, Executor executor) {
            this.listener = listener;
            this.executor = executor;
        }

        void offer(Object event, Consumer<? super L> call) {
            Telemetry t = telemetry;
            boolean timed = t != null && t.timesDeliveries();
            long queuedAt = timed ? ticker.read() : 0;
            synchronized (lock) {
                if (active) {
                    queue.add(new Pending<>(event, call, timed, queuedAt));
                }
            }
        }

        int queued() {
            synchronized (lock) {
                return queue.size();
            }
        }

        void deactivate() {
            synchronized (lock) {
                active = false;
                queue.clear();
            }
        }

        void dispatch() {
            synchronized (lock) {
                if (running || queue.isEmpty() || !active) {
                    return;
                }
                running = true;
            }
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                LOG.warn("{}: executor rejected delivery to {}; delivering on the calling thread", owner, listener, e);
                run();
            }
        }

        @Override
        public void run() {
            boolean finished = false;
            try {
                while (true) {
                    Pending<L> next;
                    synchronized (lock) {
                        next = active ? queue.poll() : null;
                        if (next == null) {
                            running = false;
                            finished = true;
                            return;
                        }
                    }
                    Telemetry t = telemetry;
                    if (t != null && next.timed) {
                        t.delivered(owner, ticker.read() - next.queuedAt);
                    }
                    try {
                        next.call.accept(listener);
                    } catch (RuntimeException e) {
                        LOG.error("{}: listener {} threw on {}; it stays registered", owner, listener, next.event, e);
                        if (t != null && t.timesDeliveries()) {
                            t.listenerFailed(owner);
                        }
                    }
                }
            } finally {
                if (!finished) {
                    // An Error escaped a listener: let a later dispatch start a fresh drain.
                    synchronized (lock) {
                        running = false;
                    }
                }
            }
        }
    }

    private static final class Pending<L> {
        final Object event;
        final Consumer<? super L> call;
        final boolean timed; // queued while telemetry was active
        final long queuedAt; // the ticker's reading when queued, if timed

        Pending(Object event, Consumer<? super L> call, boolean timed, long queuedAt) {
            this.event = event;
            this.call = call;
            this.timed = timed;
            this.queuedAt = queuedAt;
        }
    }
}
