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

import io.statesync.core.ConnectionEvent;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.recipes.internal.EventStorage;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A recipe that reads its log through one following reader (a subscription, an event-sourced
 * state): the reader starts with the recipe; every connection transition reaches the recipe's
 * listeners and then the reader; the reader's errors reach the listeners, and the one that stops it
 * is kept ({@link #failure()}) and wakes whoever waits on the recipe's lock.
 *
 * @param <T> what the recipe's listeners receive
 */
abstract class LogReadingRecipe<T> extends AbstractRecipe<T> implements EventStorage.Handler {
    /** The reader that feeds this recipe (as its {@link EventStorage.Handler}). */
    final EventStorage.Reader follower;

    /** The error that stopped the reading, if it stopped. */
    volatile @Nullable StateSyncException failure;

    LogReadingRecipe(DefaultEventLog<?> log, String name, String threadName) {
        super(log.store().coordinator(), name);
        this.follower = log.store().reader(this, threadName);
    }

    @Override
    protected final void onConnection(ConnectionEvent event) {
        listeners.publish(event, l -> l.onConnection(event));
        follower.onConnection(event);
    }

    @Override
    protected final void doStart() {
        follower.start();
    }

    /**
     * The error that stopped the reading, if it stopped.
     *
     * @return the error, or empty while reading goes on
     */
    public final Optional<StateSyncException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public final void onError(StateSyncException error) {
        listeners.publish(error, l -> l.onError(error));
    }

    @Override
    public final void onFatal(StateSyncException error) {
        failure = error;
        listeners.publish(error, l -> l.onError(error));
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
