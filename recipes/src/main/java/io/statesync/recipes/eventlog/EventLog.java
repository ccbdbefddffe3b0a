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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Recipe;
import io.statesync.core.StateListener;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import io.statesync.recipes.internal.PackFormat;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An append-only log of events shared by every node of a service: appends get dense, totally
 * ordered positions; any node reads or follows the log from a position and sees the same events in
 * the same order.
 *
 * <pre>{@code
 * try (EventLog<String> log = EventLog.builder(coordinator, "/orders/events", Codec.utf8()).build()) {
 *     log.start();
 *     long position = log.append("created 42");
 *     try (EventSubscription<String> sub = log.subscribe(0, change -> apply(change.current().get().value()))) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> Positions start at 0 and increase by one per event, with no gap (they are
 * assigned by the log, not by ZooKeeper's sequential-node counter, which has gaps). {@link
 * #append} and {@link #appendAll} return the position they were given; {@link #appendAll} is one
 * ZooKeeper {@code multi}: all its events land, consecutively, or none. An append whose reply was
 * lost to a connection loss or session expiry is resolved before the call returns: the retry targets
 * the same position, and the appender recognises its own znode by the writer id and sequence stored
 * in it, so an append lands once or not at all. Subscribers see every event exactly once, in
 * position order (see {@link EventSubscription}).
 *
 * <p><b>Timeout and interrupt.</b> Every blocking call has a deadline: appends their own {@code
 * timeout}, or the log's {@link Builder#appendTimeout(Duration)} (default 60 s); every other call
 * its own {@code timeout}, or the coordinator's {@link Coordinator#operationTimeout()}. Every
 * request, every wait for the connection and every backoff of the coordinator's {@link
 * io.statesync.core.Retry} policy runs against that one deadline, so the call returns within it
 * (plus scheduling) even behind a silent partition. Past it the call throws {@link
 * io.statesync.core.OperationTimeoutException}, whose {@code outcome()} says whether anything may
 * have been written: {@code NOT_APPLIED} for reads and for an append none of whose attempts can
 * have landed, {@code UNKNOWN} for an append sent without an answer (its message names the
 * position, writer id and sequence to look for). An interrupt before anything is sent throws
 * {@link InterruptedException}; an interrupt once requests are under way ends the call the same
 * way as the deadline, with the thread's interrupt flag set again. Session expiry loses nothing:
 * the log holds no ephemeral state.
 *
 * <p><b>Closing.</b> {@link #close()} closes the log's subscriptions and returns within 1 s even
 * behind a silent partition: their threads are interrupted, and a thread still waiting then
 * finishes in the background.
 *
 * <p><b>Bad znodes.</b> A znode under the log that is not a record (written by something other than
 * statesync) stands for its one position; a position with no record before a later one is a gap.
 * Appends step over both. {@link #read} throws {@link EventDecodingException} for them, and
 * subscriptions and event-sourced states deliver every valid event before them, then apply their
 * {@link UndecodablePolicy}.
 *
 * <p><b>Storage.</b> Events are packed into znodes (several per znode when appended together) under
 * segments of {@code segmentSize} positions, grouped {@code groupSize} segments per group, so no
 * znode has more than {@code max(segmentSize, groupSize)} children except the top, which has one
 * child per {@code segmentSize * groupSize} events. {@code docs/eventlog.md} has the layout.
 *
 * <p><b>Threading.</b> Thread-safe: any thread may append, read and subscribe concurrently.
 *
 * @param <E> the event type
 */
public interface EventLog<E> extends Recipe {
    /**
     * The bytes a record adds to one event: a 30-byte header and a 4-byte length prefix. The largest
     * event {@link #append} accepts is exactly {@code coordinator.maxValueBytes() -
     * RECORD_OVERHEAD_BYTES} bytes encoded.
     */
    int RECORD_OVERHEAD_BYTES = PackFormat.HEADER_BYTES + PackFormat.PER_EVENT_BYTES;

    /**
     * Starts building an event log.
     *
     * @param coordinator the connection
     * @param path the log's znode, relative to the coordinator's namespace, e.g. {@code /ledger}
     * @param codec encodes and decodes events
     * @param <E> the event type
     * @return a builder
     */
    static <E> Builder<E> builder(Coordinator coordinator, String path, Codec<E> codec) {
        return new Builder<>(coordinator, path, codec);
    }

    /**
     * Appends one event.
     *
     * @param event the event
     * @return its position
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ValueTooLargeException if the encoded event is over {@code
     *     coordinator.maxValueBytes() - }{@link #RECORD_OVERHEAD_BYTES} bytes; its {@code size()} is
     *     the record's exact size (event plus 34). Checked before anything is sent, also on the first
     *     append, which would otherwise read or create the log's znodes first; nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed or the thread was
     *     interrupted (its interrupt flag set again) before the append was done: {@code outcome()}
     *     is {@code UNKNOWN} if an attempt was sent without an answer (the event may or may not be in
     *     the log; the message names the position and the writer id and sequence to look for), {@code
     *     NOT_APPLIED} if nothing can have landed (every attempt was refused because other appenders
     *     took the position first, or the deadline passed before anything was sent)
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the coordinator's {@link io.statesync.core.Retry} policy's retries, before the
     *     deadline: the outcome is unknown as above
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit writing the
     *     log
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long append(E event) throws InterruptedException;

    /**
     * Appends one event, as {@link #append(Object)}, within a timeout of its own instead of the
     * log's {@link Builder#appendTimeout(Duration)}. Returns within the timeout behind a silent
     * partition; an interrupt ends it at once.
     *
     * @param event the event
     * @param timeout how long the whole call may take; zero gives up at the first wait
     * @return its position
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ValueTooLargeException if the encoded event is over {@code
     *     coordinator.maxValueBytes() - }{@link #RECORD_OVERHEAD_BYTES} bytes; its {@code size()} is
     *     the record's exact size (event plus 34). Checked before anything is sent, also on the first
     *     append, which would otherwise read or create the log's znodes first; nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed or the thread was
     *     interrupted (its interrupt flag set again) before the append was done: {@code outcome()}
     *     is {@code UNKNOWN} if an attempt was sent without an answer (the event may or may not be in
     *     the log; the message names the position and the writer id and sequence to look for), {@code
     *     NOT_APPLIED} if nothing can have landed (every attempt was refused because other appenders
     *     took the position first, or the deadline passed before anything was sent)
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the coordinator's {@link io.statesync.core.Retry} policy's retries, before the
     *     deadline: the outcome is unknown as above
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit writing the
     *     log
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long append(E event, Duration timeout) throws InterruptedException;

    /**
     * Appends events atomically, in one ZooKeeper {@code multi}: they get consecutive positions, and
     * either all land or none does. Events are packed several to a znode, so one call can carry
     * thousands of small events in one round trip; the limit is the coordinator's {@link
     * Coordinator#maxValueBytes()} for the whole batch, counted as 4 bytes per event plus a 30-byte
     * header per segment the batch may touch wherever it starts ({@code (n + segmentSize - 2) /
     * segmentSize + 1} for {@code n} events): a batch of one has the same limit as {@link #append}.
     *
     * @param events the events, at least one
     * @return the position of the first; the others follow it
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ValueTooLargeException if the batch does not fit one request, its
     *     {@code size()} being the bytes counted as above; checked before anything is sent, against
     *     the builder's {@code segmentSize} on the first call (and once more, after reading the
     *     log's layout, if the log was created with a smaller segment size); nothing was sent
     * @throws io.statesync.core.OperationTimeoutException as for {@link #append}: past the append
     *     timeout or on an interrupt under way, with the outcome {@code UNKNOWN} or {@code
     *     NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException as for {@link #append}: the outcome is
     *     unknown
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit writing the
     *     log
     * @throws IllegalArgumentException if {@code events} is empty
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long appendAll(List<? extends E> events) throws InterruptedException;

    /**
     * Appends events atomically, as {@link #appendAll(List)}, within a timeout of its own instead of
     * the log's {@link Builder#appendTimeout(Duration)}.
     *
     * @param events the events, at least one
     * @param timeout how long the whole call may take
     * @return the position of the first; the others follow it
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ValueTooLargeException as for {@link #appendAll(List)}; nothing was
     *     sent
     * @throws io.statesync.core.OperationTimeoutException as for {@link #append(Object, Duration)}:
     *     past the timeout or on an interrupt under way, with the outcome {@code UNKNOWN} or {@code
     *     NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException as for {@link #append}: the outcome is
     *     unknown
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit writing the
     *     log
     * @throws IllegalArgumentException if {@code events} is empty, or {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long appendAll(List<? extends E> events, Duration timeout) throws InterruptedException;

    /**
     * Reads events from a position.
     *
     * @param fromPosition the first position to read
     * @param max the most events to return, at least 1
     * @return the events at {@code fromPosition, fromPosition + 1, ...}, at most {@code max}; fewer
     *     (or none) if the log ends sooner
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the coordinator's {@link
     *     Coordinator#operationTimeout()} passed, or the thread was interrupted while reading (its
     *     interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws io.statesync.core.HistoryTruncatedException if {@code fromPosition} is before the
     *     earliest retained position, which the exception carries
     * @throws EventDecodingException if a position in the range cannot be delivered: an event that
     *     does not decode, a znode that is not a record, or a gap; it names the first such position
     *     ({@code read(fromPosition, e.position() - fromPosition)} returns the valid events before
     *     it, and {@code e.resumePosition()} is where the log goes on)
     * @throws IllegalArgumentException if {@code fromPosition} is negative or {@code max} below 1
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    List<LogEvent<E>> read(long fromPosition, int max) throws InterruptedException;

    /**
     * Reads events from a position, as {@link #read(long, int)}, within a timeout of its own.
     *
     * @param fromPosition the first position to read
     * @param max the most events to return, at least 1
     * @param timeout how long the whole call may take
     * @return the events at {@code fromPosition, fromPosition + 1, ...}, at most {@code max}
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws io.statesync.core.HistoryTruncatedException as for {@link #read(long, int)}
     * @throws EventDecodingException as for {@link #read(long, int)}
     * @throws IllegalArgumentException if {@code fromPosition} is negative, {@code max} below 1, or
     *     {@code timeout} negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    List<LogEvent<E>> read(long fromPosition, int max, Duration timeout) throws InterruptedException;

    /**
     * The position the next append will get: the number of events ever appended.
     *
     * @return the end of the log
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the coordinator's {@link Coordinator#operationTimeout()} passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long endPosition() throws InterruptedException;

    /**
     * As {@link #endPosition()}, within a timeout of its own.
     *
     * @param timeout how long the call may take
     * @return the end of the log
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long endPosition(Duration timeout) throws InterruptedException;

    /**
     * The earliest retained position: reads and subscriptions from before it fail.
     *
     * @return the earliest position, 0 if never truncated
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the coordinator's {@link Coordinator#operationTimeout()} passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long earliestPosition() throws InterruptedException;

    /**
     * As {@link #earliestPosition()}, within a timeout of its own.
     *
     * @param timeout how long the call may take
     * @return the earliest position, 0 if never truncated
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    long earliestPosition(Duration timeout) throws InterruptedException;

    /**
     * Drops the history before a position. From then on, reading or subscribing from before it
     * throws {@link io.statesync.core.HistoryTruncatedException}. The retention point moves first
     * (atomically); whole segments below it are then deleted. The segment of the log's last znode
     * is always kept. A no-op if the log is already truncated at or past the position.
     *
     * @param position the new earliest position, at most {@link #endPosition()}
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the coordinator's {@link Coordinator#operationTimeout()} passed, or the thread was
     *     interrupted, before the truncation was done: {@code NOT_APPLIED} if the retention point
     *     had not been sent, else {@code UNKNOWN} (the retention point may have moved; segments
     *     below it may be left, and a later truncation deletes them)
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalStateException if not started, or closed
     * @throws IllegalArgumentException if the position is negative or beyond the end of the log
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    void truncateBefore(long position) throws InterruptedException;

    /**
     * As {@link #truncateBefore(long)}, within a timeout of its own.
     *
     * @param position the new earliest position, at most {@link #endPosition()}
     * @param timeout how long the call may take
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted, before the truncation was done: {@code NOT_APPLIED} if the retention point
     *     had not been sent, else {@code UNKNOWN} (the retention point may have moved; segments
     *     below it may be left, and a later truncation deletes them)
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalStateException if not started, or closed
     * @throws IllegalArgumentException if the position is negative or beyond the end of the log, or
     *     {@code timeout} is negative
     * @throws io.statesync.core.IncompatibleLayoutException if the log's meta or a packed record it reads is in a
     *     newer release's data layout; nothing was written
     */
    void truncateBefore(long position, Duration timeout) throws InterruptedException;

    /**
     * Creates a subscription, not yet started: add listeners, then {@link EventSubscription#start()}.
     * Closing the log closes it too.
     *
     * @param fromPosition the first position to deliver
     * @param policy what to do with an event that does not decode
     * @return the subscription, LATENT
     * @throws IllegalStateException if the log is not started, or closed
     */
    EventSubscription<E> subscription(long fromPosition, UndecodablePolicy policy);

    /**
     * Subscribes one listener from a position with the default policy ({@link
     * UndecodablePolicy#STOP}) and starts following.
     *
     * @param fromPosition the first position to deliver
     * @param listener receives every event from there on
     * @return the started subscription; close it to stop
     * @throws IllegalStateException if the log is not started, or closed
     */
    EventSubscription<E> subscribe(long fromPosition, StateListener<LogEvent<E>> listener);

    /**
     * The log's path.
     *
     * @return the path, relative to the coordinator's namespace
     */
    String path();

    /**
     * The log's codec.
     *
     * @return the codec
     */
    Codec<E> codec();

    /**
     * Builds an {@link EventLog}. Each option may be set once.
     *
     * @param <E> the event type
     */
    final class Builder<E> {
        private final Coordinator coordinator;
        private final String path;
        private final Codec<E> codec;
        private final BuilderOptions options = new BuilderOptions();
        private int segmentSize = LogStore.DEFAULT_SEGMENT_SIZE;
        private int groupSize = LogStore.DEFAULT_GROUP_SIZE;
        private Duration appendTimeout = Duration.ofSeconds(60);

        private Builder(Coordinator coordinator, String path, Codec<E> codec) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        /**
         * How many positions one segment holds (default 1,000): the most children a segment znode
         * can have. Fixed when the log is first written; a log that exists keeps its own.
         *
         * @param positions 2 to 10,000
         * @return this builder
         */
        public Builder<E> segmentSize(int positions) {
            options.once("segmentSize");
            this.segmentSize = positions;
            return this;
        }

        /**
         * How many segments one group holds (default 1,000): the most children a group znode can
         * have. Fixed when the log is first written; a log that exists keeps its own.
         *
         * @param segments 2 to 10,000
         * @return this builder
         */
        public Builder<E> groupSize(int segments) {
            options.once("groupSize");
            this.groupSize = segments;
            return this;
        }

        /**
         * How long one {@link EventLog#append(Object)} or {@link EventLog#appendAll(List)} without a
         * timeout of its own may take in all (default 60 s), measured on the coordinator's {@link io.statesync.core.Ticker}
         * from the call: every request, retrying after losing the race for the end of the log, and
         * waiting for the connection to resolve an unknown outcome. Past it the append throws {@link
         * io.statesync.core.OperationTimeoutException} with its outcome.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder<E> appendTimeout(Duration timeout) {
            options.once("appendTimeout");
            this.appendTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Builds the log (LATENT). Nothing is sent until the first operation after {@link
         * EventLog#start()}.
         *
         * @return the log
         * @throws IllegalArgumentException naming an invalid path or option
         */
        public EventLog<E> build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("invalid path \"/\": an event log needs its own znode");
            }
            if (segmentSize < 2 || segmentSize > 10_000) {
                throw new IllegalArgumentException("segmentSize must be 2 to 10000, was " + segmentSize);
            }
            if (groupSize < 2 || groupSize > 10_000) {
                throw new IllegalArgumentException("groupSize must be 2 to 10000, was " + groupSize);
            }
            if (appendTimeout.isNegative() || appendTimeout.isZero()) {
                throw new IllegalArgumentException("appendTimeout must be positive, was " + appendTimeout);
            }
            return new DefaultEventLog<>(
                    coordinator, codec, new LogStore(coordinator, path, segmentSize, groupSize, appendTimeout));
        }
    }
}
