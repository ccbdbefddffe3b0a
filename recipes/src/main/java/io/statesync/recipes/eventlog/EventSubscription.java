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

import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateSyncException;
import java.util.Optional;

/**
 * A subscriber's view of an {@link EventLog}: from a position on, every event in append order,
 * each exactly once, with no gap, and then every new append as it lands. Created by {@link
 * EventLog#subscription(long, UndecodablePolicy)} (LATENT: add listeners, then {@link #start()})
 * or {@link EventLog#subscribe(long, io.statesync.core.StateListener)} (already started).
 *
 * <p>Each event reaches each listener as a {@link io.statesync.core.StateChange} of kind {@code
 * CREATED} whose {@code path()} is the log's path and whose {@code current()} holds a {@link
 * LogEvent} with the event and its position ({@code Versioned.czxid()}/{@code mzxid()} are the
 * zxid of the transaction that appended it; {@code version()} is 0). {@code previous()} is empty:
 * events are not versions of one value.
 *
 * <p><b>Guarantees.</b> Every listener added before {@link #start()} receives the events at
 * positions {@code from, from+1, ...} in that order, each once, with no gap; a listener added later
 * receives the events from the point it was added. Delivery of a listener is serial.
 *
 * <p><b>Connection loss.</b> On SUSPENDED the subscription keeps its position and waits; on
 * RECONNECTED (same or new session, after a server restart or a session expiry) it reads on from
 * the position it had reached. Nothing is skipped and nothing is repeated, because the position
 * advances only after events are handed to the delivery engine. Every transition also reaches the
 * listeners' {@code onConnection}. If the history at its position was truncated while it was
 * away, {@code onError} receives a {@link io.statesync.core.HistoryTruncatedException} with the
 * earliest retained position, and the subscription stops ({@link #failure()}). Each read of its
 * thread runs against the coordinator's {@link io.statesync.core.Coordinator#operationTimeout()}:
 * behind a silent partition it ends by then and the thread waits for the reconnection, so the
 * subscription reads on within moments of the network healing.
 *
 * <p><b>Threading.</b> Thread-safe. Each subscription reads on its own daemon thread; listeners run
 * on their executors through statesync's delivery engine, never under a lock. A slow listener
 * delays only itself, but its queue grows with the log (there is no back-pressure).
 *
 * @param <E> the event type
 */
public interface EventSubscription<E> extends Recipe, Listenable<LogEvent<E>> {

    /**
     * The next position this subscription will hand to its listeners: one more than the last event
     * handed over, or the position of an undecodable event it stopped at. Handed over means queued
     * in the delivery engine: a listener running on an executor may not have run for those events
     * yet, and {@link #close()} drops the events a listener has not started. To know what a
     * listener has processed (for example before closing at the log's end), keep the last {@link
     * LogEvent#position()} it saw.
     *
     * @return the next position
     */
    long position();

    /**
     * Why the subscription stopped following, if it did: an {@link EventDecodingException} under
     * {@link UndecodablePolicy#STOP}, a {@link io.statesync.core.HistoryTruncatedException}, an
     * {@link io.statesync.core.IncompatibleLayoutException} (the log is in a newer release's data
     * layout), or an unexpected error. Empty while it follows.
     *
     * @return the error that stopped it, if any
     */
    Optional<StateSyncException> failure();
}
