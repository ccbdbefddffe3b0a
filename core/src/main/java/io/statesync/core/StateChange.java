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
package io.statesync.core;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One change of one path, as a {@link StateListener} receives it: what happened, the value the
 * listener was shown before, the value now, and where the change stands in its history ({@link
 * #position()}).
 *
 * <p>Thread-safe: immutable.
 *
 * @param <T> the decoded value type
 */
public final class StateChange<T> {
    private final String path;
    private final ChangeKind kind;
    private final @Nullable Versioned<T> previous;
    private final @Nullable Versioned<T> current;
    private final long position;

    private StateChange(
            String path,
            ChangeKind kind,
            @Nullable Versioned<T> previous,
            @Nullable Versioned<T> current,
            long position) {
        this.path = path;
        this.kind = kind;
        this.previous = previous;
        this.current = current;
        this.position = position;
    }

    /**
     * Creates a change of a znode-backed value: its {@link #position()} is the current value's
     * {@link Versioned#mzxid() mzxid}, or 0 without a current value.
     *
     * @param path the path that changed, relative to the coordinator's namespace
     * @param kind what happened
     * @param previous the value this listener was shown before, or {@code null} if none
     * @param current the value now, or {@code null} if the node does not exist
     * @param <T> the value type
     * @return the change
     * @throws IllegalArgumentException if {@code current} contradicts {@code kind} (a DELETED change
     *     with a current value, a CREATED or UPDATED change without one)
     */
    public static <T> StateChange<T> of(
            String path, ChangeKind kind, @Nullable Versioned<T> previous, @Nullable Versioned<T> current) {
        return of(path, kind, previous, current, current == null ? 0 : current.mzxid());
    }

    /**
     * Creates a change at an explicit position: a log position for the recipes whose history is a
     * log (an event subscription, an event-sourced state, a replicated state).
     *
     * @param path the path that changed, relative to the coordinator's namespace
     * @param kind what happened
     * @param previous the value this listener was shown before, or {@code null} if none
     * @param current the value now, or {@code null} if the node does not exist
     * @param position where the change stands in its history, at least 0
     * @param <T> the value type
     * @return the change
     * @throws IllegalArgumentException if {@code position} is negative, or if {@code current}
     *     contradicts {@code kind} (a DELETED change with a current value, a CREATED or UPDATED
     *     change without one)
     */
    public static <T> StateChange<T> of(
            String path,
            ChangeKind kind,
            @Nullable Versioned<T> previous,
            @Nullable Versioned<T> current,
            long position) {
        Objects.requireNonNull(path, "path");
        if (position < 0) {
            throw new IllegalArgumentException("position of a change of " + path + " must be >= 0, was " + position);
        }
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case CREATED, UPDATED -> {
                if (current == null) {
                    throw new IllegalArgumentException(kind + " change of " + path + " needs a current value");
                }
            }
            case DELETED -> {
                if (current != null) {
                    throw new IllegalArgumentException("DELETED change of " + path + " cannot have a current value");
                }
            }
            default -> {}
        }
        return new StateChange<>(path, kind, previous, current, position);
    }

    /**
     * The path that changed, relative to the coordinator's namespace.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * What happened.
     *
     * @return the kind of change
     */
    public ChangeKind kind() {
        return kind;
    }

    /**
     * The value this listener was shown before this change; empty for the first change, or after a
     * delete.
     *
     * @return the previous value, if any
     */
    public Optional<Versioned<T>> previous() {
        return Optional.ofNullable(previous);
    }

    /**
     * The value now; empty when the node does not exist (DELETED, or INITIAL/RESYNCED of an absent
     * node).
     *
     * @return the current value, if any
     */
    public Optional<Versioned<T>> current() {
        return Optional.ofNullable(current);
    }

    /**
     * Where this change stands in its history, so that two changes of one recipe can be ordered
     * without looking at their values. For an event subscription, an event-sourced state and a
     * replicated state it is the log position: the event's position, the position of the next
     * event the state has not applied, the number of commands the published state has consumed.
     * For the znode-backed recipes (shared state, trees, membership, the queue's depth and dead
     * letters, leadership) it is the {@link Versioned#mzxid() mzxid} of the current value, and 0
     * when there is none (a DELETED change, an absent node). Among the changes one listener receives
     * for one path, those with a current value never go back in position.
     *
     * @return the position, at least 0
     */
    public long position() {
        return position;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StateChange<?> that)) {
            return false;
        }
        return position == that.position
                && path.equals(that.path)
                && kind == that.kind
                && Objects.equals(previous, that.previous)
                && Objects.equals(current, that.current);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, kind, previous, current, position);
    }

    @Override
    public String toString() {
        return "StateChange{" + kind + ' ' + path + ", previous=" + previous + ", current=" + current + ", position="
                + position + '}';
    }
}
