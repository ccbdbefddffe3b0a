package io.statesync.core;

/** The lifecycle of a {@link Coordinator} and of every recipe. */
public enum LifecycleState {
    /** Built, not yet started. */
    LATENT,
    /** Started; {@code start()} may not be called again. */
    STARTED,
    /** Closed; terminal. */
    CLOSED
}
