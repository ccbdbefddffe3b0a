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
package io.statesync.recipes.internal;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.recipes.eventlog.EventDecodingException;
import io.statesync.recipes.eventlog.EventLog;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EventLog} needs from the place its events are stored: appends, reads, the ends of
 * the log, truncation, and a reader that follows the log from a position. The ZooKeeper log (the
 * {@code eventlog} package's {@code LogStore}) is one implementation; {@code statesync-kafka}'s
 * topic storage another. The recipe on top ({@code DefaultEventLog}, its subscriptions and
 * event-sourced states) is the same for both.
 *
 * <p>Positions increase along the log. A storage whose positions may have gaps (a Kafka topic, whose
 * readers skip duplicates and fenced appends) tells its reader's handler about every position it
 * passes over without an event, through {@link Handler#onSkipped(long)}, so that a state's position
 * still reaches the end of the log.
 *
 * <p>Not part of statesync's API: it may change in any release.
 */
public interface EventStorage {
    /**
     * The log's path in the coordinator's namespace: its name in metrics and errors, and the parent
     * of its snapshots.
     *
     * @return the path
     */
    String path();

    /**
     * The coordinator the log was built on.
     *
     * @return the coordinator
     */
    Coordinator coordinator();

    /**
     * The default deadline of an append without a timeout of its own.
     *
     * @return the append timeout
     */
    Duration appendTimeout();

    /**
     * The znode under which an event-sourced state on this log keeps its snapshots.
     *
     * @return a path in the coordinator's namespace
     */
    String snapshotsPath();

    /**
     * Appends encoded events, see {@link EventLog#appendAll(List, Duration)}.
     *
     * @param encoded at least one encoded event
     * @param d the call's deadline
     * @return the position of the first
     * @throws InterruptedException if interrupted before anything was sent
     */
    long append(List<byte[]> encoded, Deadline d) throws InterruptedException;

    /**
     * Reads events from a position, see {@link EventLog#read(long, int, Duration)}.
     *
     * @param from the first position
     * @param max the most events
     * @param d the call's deadline
     * @return the events, in position order
     * @throws InterruptedException if interrupted before anything was sent
     */
    List<StoredEvent> read(long from, int max, Deadline d) throws InterruptedException;

    /**
     * The next position to be assigned.
     *
     * @param d the call's deadline
     * @return the end of the log
     * @throws InterruptedException if interrupted before anything was sent
     */
    long endPosition(Deadline d) throws InterruptedException;

    /**
     * The earliest retained position.
     *
     * @param d the call's deadline
     * @return the retention point
     * @throws InterruptedException if interrupted before anything was sent
     */
    long earliestPosition(Deadline d) throws InterruptedException;

    /**
     * Drops the history before a position, see {@link EventLog#truncateBefore(long, Duration)}.
     *
     * @param position the new earliest position
     * @param d the call's deadline
     * @throws InterruptedException if interrupted before anything was sent
     */
    void truncateBefore(long position, Deadline d) throws InterruptedException;

    /**
     * A reader that follows the log on a thread of its own, not yet started.
     *
     * @param handler what it feeds
     * @param threadName the name of its thread
     * @return the reader
     */
    Reader reader(Handler handler, String threadName);

    /** Releases what the storage holds (clients, threads); called when its log closes. */
    default void close() {}

    /** A reader following the log (one thread). */
    interface Reader {
        /** Starts the reading thread. */
        void start();

        /**
         * Stops the thread, waiting for it until the deadline at most.
         *
         * @param d how long to wait for the thread
         */
        void close(Deadline d);

        /**
         * A connection transition of the coordinator.
         *
         * @param event the transition
         */
        void onConnection(ConnectionEvent event);
    }

    /** What a reader feeds. Called on the reader's thread only. */
    interface Handler {
        /**
         * Called once before reading (and again after a failure of this call).
         *
         * @param d the deadline of the pass
         * @return the position to start reading from
         * @throws InterruptedException if interrupted
         */
        long prepare(Deadline d) throws InterruptedException;

        /**
         * Consumes a batch of events in position order.
         *
         * @param events the events
         * @return the next position to read, or -1 to stop following
         * @throws InterruptedException if interrupted
         */
        long onEvents(List<StoredEvent> events) throws InterruptedException;

        /**
         * The reader passed over positions that hold no event to deliver (a duplicate, a fenced
         * append): the handler's position moves to {@code next}.
         *
         * @param next the next position to read
         * @return the next position to read, or -1 to stop following
         */
        long onSkipped(long next);

        /**
         * The position the reader reached cannot be delivered (not an event of the log, or a gap).
         *
         * @param error names the position and where the log goes on
         * @return the next position to read, or -1 to stop following
         */
        long onUndeliverable(EventDecodingException error);

        /**
         * The reader has read everything that was there; called each time it is about to wait.
         *
         * @param next the next position it reads
         */
        void onCaughtUp(long next);

        /**
         * A non-fatal error; the reader retries.
         *
         * @param error the error
         */
        void onError(StateSyncException error);

        /**
         * A fatal error; the reader has stopped.
         *
         * @param error the error
         */
        void onFatal(StateSyncException error);
    }

    /**
     * Builds an {@link EventLog} (LATENT) on a storage of another module.
     *
     * @param codec encodes and decodes events
     * @param storage where the events are
     * @param <E> the event type
     * @return the log; {@code EventSourcedState} and {@code ReplicatedState} accept it
     */
    @SuppressWarnings("unchecked")
    static <E> EventLog<E> newLog(io.statesync.core.Codec<E> codec, EventStorage storage) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(storage, "storage");
        Factory.init();
        BiFunction<io.statesync.core.Codec<?>, EventStorage, EventLog<?>> f = Factory.factory;
        if (f == null) {
            throw new IllegalStateException("the event log package did not register its factory");
        }
        return (EventLog<E>) f.apply(codec, storage);
    }

    /** The hand-over from the {@code eventlog} package, which alone can build its log. */
    final class Factory {
        static volatile @Nullable BiFunction<io.statesync.core.Codec<?>, EventStorage, EventLog<?>> factory;

        private Factory() {}

        /**
         * Registers the factory; called once by the {@code eventlog} package.
         *
         * @param f builds a log on a storage
         */
        public static void register(BiFunction<io.statesync.core.Codec<?>, EventStorage, EventLog<?>> f) {
            factory = f;
        }

        static void init() {
            try {
                Class.forName("io.statesync.recipes.eventlog.StorageBridge", true, EventStorage.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the event log package is missing", e);
            }
        }
    }
}
