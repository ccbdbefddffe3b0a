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

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateListener;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The scaffolding every listenable recipe shares, written once: the {@link Lifecycle}, the
 * {@link ListenerSet}, the recipe's lock, and the hook that hands the coordinator's connection
 * transitions to the recipe.
 *
 * <p>The rules it keeps for every recipe:
 *
 * <ul>
 *   <li>{@link #start()} moves LATENT to STARTED (once; a second call fails naming the recipe), hooks
 *       the recipe to the coordinator's connection transitions, then runs {@link #doStart()}.
 *   <li>{@link #close()} is idempotent and does its work once: it closes the listener set first (no
 *       listener call starts after {@code close()} returned), unhooks the connection transitions if
 *       the recipe was started, then runs {@link #doClose(LifecycleState)} with the state it was
 *       closed from.
 *   <li>A connection transition reaches {@link #onConnection(ConnectionEvent)} on the thread that
 *       observed it, before any other work of the recipe's for that transition; the recipe forwards
 *       it to its own listeners through {@link #listeners} (one pass through the delivery engine to
 *       the application).
 *   <li>A listener added after the recipe showed its first value receives an INITIAL change first:
 *       {@link #addListener(StateListener, Executor)} adds it and calls {@link
 *       #replayInitial(StateListener)} under {@link #lock}, so that no change enqueued by the recipe
 *       (also under {@link #lock}) can come between the two.
 * </ul>
 *
 * <p>Thread-safe.
 *
 * @param <T> the value type the recipe's listeners receive
 */
public abstract class AbstractRecipe<T> implements Recipe, Listenable<T> {
    /** The recipe's coordinator. */
    protected final Coordinator coordinator;

    /** The recipe's LATENT → STARTED → CLOSED state. */
    protected final Lifecycle lifecycle;

    /** The recipe's listeners: enqueue under {@link #lock}, dispatch after it. */
    protected final ListenerSet<StateListener<T>> listeners;

    /** The recipe's lock: guards its view, and orders changes with listeners being added. */
    protected final Object lock = new Object();

    private final ConnectionListener connectionHook = this::onConnection;

    /**
     * Creates the scaffolding in LATENT.
     *
     * @param coordinator the recipe's coordinator
     * @param name the recipe as log messages, metrics and errors name it (e.g. "SharedState
     *     /config")
     */
    protected AbstractRecipe(Coordinator coordinator, String name) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.lifecycle = new Lifecycle(name);
        this.listeners = new ListenerSet<>(name, coordinator);
    }

    /**
     * Starts the recipe: LATENT to STARTED, hooked to connection transitions, then {@link
     * #doStart()}.
     *
     * @throws IllegalStateException if the recipe was started or closed before
     */
    @Override
    public final void start() {
        lifecycle.start();
        coordinator.addListener(connectionHook, Runnable::run);
        doStart();
    }

    /**
     * The recipe's coordinator.
     *
     * @return the coordinator the recipe was built on
     */
    public final Coordinator coordinator() {
        return coordinator;
    }

    @Override
    public final LifecycleState state() {
        return lifecycle.state();
    }

    /**
     * Closes the recipe once: listeners closed, connection transitions unhooked, then {@link
     * #doClose(LifecycleState)}. Later calls return at once.
     */
    @Override
    public final void close() {
        LifecycleState previous = lifecycle.close();
        if (previous == LifecycleState.CLOSED) {
            return;
        }
        listeners.close();
        if (previous == LifecycleState.STARTED) {
            coordinator.removeListener(connectionHook);
        }
        doClose(previous);
    }

    @Override
    public final void addListener(StateListener<T> listener) {
        addListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public final void addListener(StateListener<T> listener, Executor executor) {
        synchronized (lock) {
            listeners.add(listener, executor);
            replayInitial(listener);
        }
        listeners.dispatch();
    }

    @Override
    public final boolean removeListener(StateListener<T> listener) {
        return listeners.remove(listener);
    }

    /**
     * The recipe's own start, after the lifecycle moved to STARTED and the connection hook is in
     * place. A recipe that cannot start must leave nothing running behind.
     */
    protected abstract void doStart();

    /**
     * The recipe's own close, run once, after its listeners were closed and (if it was started) its
     * connection hook removed.
     *
     * @param previous the state the recipe was closed from: LATENT (never started) or STARTED
     */
    protected abstract void doClose(LifecycleState previous);

    /**
     * One connection transition of the coordinator, on the thread that observed it. Runs only while
     * the recipe is hooked (between start and close); must not block.
     *
     * @param event the transition
     */
    protected abstract void onConnection(ConnectionEvent event);

    /**
     * Enqueues, for a listener just added, the INITIAL change(s) of what the recipe shows, if it
     * shows anything yet; called under {@link #lock}. The default enqueues nothing.
     *
     * @param listener the listener just added
     */
    protected void replayInitial(StateListener<T> listener) {}
}
