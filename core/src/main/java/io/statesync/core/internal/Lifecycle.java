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
