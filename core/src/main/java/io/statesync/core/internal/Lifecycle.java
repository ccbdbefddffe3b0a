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

import io.statesync.core.LifecycleState;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The LATENT → STARTED → CLOSED state machine every recipe shares, with the error messages that
 * name the recipe. Thread-safe.
 */
public final class Lifecycle {
    private final String owner;
    private final AtomicReference<LifecycleState> state = new AtomicReference<>(LifecycleState.LATENT);

    /**
     * Creates a lifecycle in LATENT.
     *
     * @param owner the recipe, for messages (e.g. "SharedState /config")
     */
    public Lifecycle(String owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /**
     * Moves LATENT to STARTED.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(LifecycleState.LATENT, LifecycleState.STARTED)) {
            throw new IllegalStateException(
                    owner + " cannot be started: it is " + state() + " (start() may be called once)");
        }
    }

    /**
     * Moves to CLOSED.
     *
     * @return the state before, so that only the first close does the work (LATENT or STARTED), or
     *     CLOSED if it was already closed
     */
    public LifecycleState close() {
        return Objects.requireNonNull(state.getAndSet(LifecycleState.CLOSED));
    }

    /**
     * The current state.
     *
     * @return the state
     */
    public LifecycleState state() {
        return Objects.requireNonNull(state.get());
    }

    /**
     * Whether the state is STARTED.
     *
     * @return {@code true} if started and not closed
     */
    public boolean isStarted() {
        return state() == LifecycleState.STARTED;
    }

    /**
     * Fails unless STARTED.
     *
     * @throws IllegalStateException naming the owner and its state
     */
    public void requireStarted() {
        LifecycleState s = state();
        if (s != LifecycleState.STARTED) {
            throw new IllegalStateException(
                    owner + " is " + s + (s == LifecycleState.LATENT ? "; call start() first" : ""));
        }
    }
}
