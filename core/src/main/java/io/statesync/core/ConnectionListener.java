package io.statesync.core;

/**
 * Receives the coordinator's connection transitions. Every {@link StateListener} is one, so the
 * same listener can be registered on a {@link Coordinator} and on any recipe.
 *
 * <p>Called through the delivery engine: serially per listener, on the listener's executor, never
 * while statesync holds a lock.
 */
@FunctionalInterface
public interface ConnectionListener {
    /**
     * Called once per connection transition, in the order they happened.
     *
     * @param event the transition
     */
    void onConnection(ConnectionEvent event);
}
