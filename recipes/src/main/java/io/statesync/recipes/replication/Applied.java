package io.statesync.recipes.replication;

import io.statesync.core.Versioned;
import java.util.Objects;

/**
 * What a {@link ReplicatedState#submit} future completes with: the command was applied by the
 * leader and published.
 *
 * <p>Thread-safe: immutable.
 *
 * @param <S> the state type
 */
public final class Applied<S> {
    private final long position;
    private final Versioned<S> state;

    Applied(long position, Versioned<S> state) {
        this.position = position;
        this.state = Objects.requireNonNull(state, "state");
    }

    /**
     * The command's position in the command log (0 for the first command ever submitted).
     *
     * @return the position
     */
    public long position() {
        return position;
    }

    /**
     * The state version the command produced: {@code position() + 1}, the number of commands
     * consumed once it was applied. Every node's {@link ReplicatedState#current()} reaches at least
     * this version.
     *
     * @return the version
     */
    public long version() {
        return position + 1;
    }

    /**
     * The first published state this node saw that covers the command: the state right after it,
     * or a later one if the leader applied more commands in the same batch (or this node skipped a
     * publication). Its {@link Versioned#version()} is at least {@link #version()} (clamped to
     * {@code Integer.MAX_VALUE}).
     *
     * @return the covering state
     */
    public Versioned<S> state() {
        return state;
    }

    @Override
    public String toString() {
        return "Applied{position=" + position + ", state=" + state + '}';
    }
}
