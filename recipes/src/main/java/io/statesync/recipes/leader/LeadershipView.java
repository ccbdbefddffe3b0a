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
package io.statesync.recipes.leader;

import io.statesync.core.ChangeKind;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.Versioned;
import io.statesync.core.internal.ListenerSet;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The leadership this node shows its listeners, and the rule for each change: INITIAL once, then
 * CREATED, UPDATED, DELETED, or RESYNCED for a leader shown again after a gap (a connection loss) or
 * with the epoch last shown; never a lower epoch than one shown. Changes are queued on the election's
 * listener set, dispatched by the election once its lock is released. Not thread-safe: every method
 * is called with the election's lock held.
 */
final class LeadershipView {
    private final String path;
    private final ListenerSet<StateListener<Leadership>> listeners;
    private boolean initialized;
    private @Nullable Leadership view;
    private long maxEpochShown;
    private boolean resyncNext;

    LeadershipView(String path, ListenerSet<StateListener<Leadership>> listeners) {
        this.path = path;
        this.listeners = listeners;
    }

    /** The leadership shown, or {@code null} if none. */
    @Nullable
    Leadership current() {
        return view;
    }

    /** A gap in what this node saw (a connection loss): the next leader shown is RESYNCED. */
    void gap() {
        resyncNext = true;
    }

    /** Queues the INITIAL change to a listener just added, once the first view was shown. */
    void replayTo(StateListener<Leadership> listener) {
        if (initialized) {
            StateChange<Leadership> initial = change(ChangeKind.INITIAL, null, view);
            listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
        }
    }

    /** Shows a new view of the leadership to listeners; never a lower epoch than one shown. */
    void show(@Nullable Leadership next) {
        Leadership previous = view;
        if (!initialized) {
            initialized = true;
            view = next;
            if (next != null) {
                maxEpochShown = next.epoch();
            }
            StateChange<Leadership> initial = change(ChangeKind.INITIAL, null, next);
            listeners.enqueue(initial, l -> l.onChange(initial));
            return;
        }
        if (next == null) {
            if (previous != null) {
                view = null;
                StateChange<Leadership> deleted = change(ChangeKind.DELETED, previous, null);
                listeners.enqueue(deleted, l -> l.onChange(deleted));
            }
            return;
        }
        if (next.epoch() < maxEpochShown || Objects.equals(next, previous)) {
            return;
        }
        ChangeKind kind = previous != null
                ? ChangeKind.UPDATED
                : (resyncNext || next.epoch() == maxEpochShown) ? ChangeKind.RESYNCED : ChangeKind.CREATED;
        resyncNext = false;
        view = next;
        maxEpochShown = next.epoch();
        StateChange<Leadership> c = change(kind, previous, next);
        listeners.enqueue(c, l -> l.onChange(c));
    }

    private StateChange<Leadership> change(
            ChangeKind kind, @Nullable Leadership previous, @Nullable Leadership current) {
        return StateChange.of(path, kind, versioned(previous), versioned(current));
    }

    private static @Nullable Versioned<Leadership> versioned(@Nullable Leadership l) {
        return l == null ? null : Versioned.of(l, 0, l.epoch(), l.epoch());
    }
}
