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
package io.statesync.recipes.state;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One typed value in one znode, shared by every node of a service: each node keeps a local copy
 * that follows the znode, tells its listeners about every change in zxid order, and writes with
 * compare-and-set.
 *
 * <pre>{@code
 * try (SharedState<Long> limit = SharedState.builder(coordinator, "/config/rate-limit", Codec.longs(), 100L)
 *         .build()) {
 *     limit.addListener(change -> change.current().ifPresent(v -> applyLimit(v.value())));
 *     limit.start();
 *     limit.awaitInitialized(Duration.ofSeconds(10));
 *     limit.update(x -> x + 10); // a compare-and-set loop; returns what it wrote
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li><b>No going back.</b> A listener is first shown an INITIAL change, then changes whose
 *       {@code mzxid} strictly increases — across reconnects, session expiry and server failover.
 *       After a reconnect the value is re-read (after a {@code sync}, so a lagging server cannot
 *       answer with an older value); a re-read value that is not provably the direct successor of
 *       the last one shown is announced as RESYNCED, never silently as UPDATED.
 *   <li><b>Deleted and re-created</b> is reported as DELETED then CREATED (the czxid differs), never
 *       as a version going down.
 *   <li><b>Convergence.</b> While connected, every change is seen through a persistent watch;
 *       listeners may skip intermediate values (a watch event is followed by one read that returns
 *       the newest value), but always land on the latest.
 *   <li><b>No lost update, no double update.</b> {@link #update} is a compare-and-set loop. Every
 *       write goes out in one ZooKeeper {@code multi} together with a version-checked write of this
 *       instance's own marker znode, so a write whose reply was lost to a dropped connection is
 *       resolved (did the marker move?) and never applied twice.
 *   <li><b>No starved writer.</b> Writers of one path in different processes race, but one that
 *       lost several times in a row takes a turn that the others respect (see {@link
 *       Builder#maxBackoff(Duration)}), so contention alone does not make an update run out of
 *       attempts.
 *   <li><b>Bad input.</b> Data that does not decode reaches {@link
 *       io.statesync.core.StateListener#onError} as a {@link io.statesync.core.DecodingException}
 *       with the path and version; {@link #get()} keeps the last good value and delivery goes on.
 *       A value whose encoding is over {@link Coordinator#maxValueBytes()} is refused before
 *       anything is sent.
 * </ul>
 *
 * <p><b>Connection loss.</b> Listeners receive every connection transition of the coordinator in
 * order with the data changes. On SUSPENDED the local value is kept (it may be stale; {@link
 * #get()} says nothing about freshness, {@link #read()} does); writes in flight wait for the
 * connection within the coordinator's {@link io.statesync.core.Retry} policy and never past the
 * call's deadline (the coordinator's {@link Coordinator#operationTimeout()}, or the timeout given). On RECONNECTED (same
 * session) the persistent watch is still in place and the value is re-read. On LOST and a
 * RECONNECTED with a new session the watch is set again on the new session and the value re-read
 * after a {@code sync}. A write whose outcome became unknown is resolved through the marker; only
 * if the session ended before that could be done, and the value moved, does the write fail with a
 * {@link io.statesync.core.ConnectionLossException} saying the outcome is unknown (it was not
 * retried).
 *
 * <p><b>Threading.</b> Thread-safe. {@link #get()} never blocks. Listeners run through statesync's
 * delivery engine (serially per listener, never under a lock). Concurrent {@link #update} and
 * {@link #set} calls of one instance are combined: the functions waiting when a write starts are
 * applied in sequence and written in one round trip.
 *
 * @param <T> the value type
 */
public interface SharedState<T> extends Recipe, Listenable<T> {

    /**
     * Starts building a shared state.
     *
     * @param coordinator the connection
     * @param path the znode, relative to the coordinator's namespace, e.g. {@code /config/flags}
     * @param codec how values are stored
     * @param initialValue the value the znode is created with at {@link #start()} if it does not
     *     exist; also the base of an {@link #update} of a deleted node
     * @param <T> the value type
     * @return a builder
     */
    static <T> Builder<T> builder(Coordinator coordinator, String path, Codec<T> codec, T initialValue) {
        return new Builder<>(coordinator, path, codec, initialValue);
    }

    /**
     * The znode path, relative to the coordinator's namespace.
     *
     * @return the path
     */
    String path();

    /**
     * The local value, without a round trip: the newest value this instance has seen. Empty before
     * the first read completed, and while the znode does not exist. After undecodable data it keeps
     * the last value that decoded.
     *
     * @return the local value, if any
     */
    Optional<Versioned<T>> get();

    /**
     * Waits until the first read after {@link #start()} completed (and listeners got their INITIAL
     * change).
     *
     * @param timeout how long to wait
     * @return {@code true} if initialized, {@code false} if the timeout passed
     * @throws InterruptedException if interrupted
     */
    boolean awaitInitialized(Duration timeout) throws InterruptedException;

    /**
     * Reads the value as of now, within the coordinator's {@link Coordinator#operationTimeout()};
     * see {@link #read(Duration)}.
     *
     * @return the value, or empty if the znode does not exist
     * @throws InterruptedException if the thread was interrupted before the read started
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while waiting (its interrupt flag set again); nothing changed
     * @throws io.statesync.core.DecodingException if the stored data does not decode
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the coordinator's {@link io.statesync.core.Retry} policy allows
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials may not read
     *     the znode
     * @throws IllegalStateException if not started, or closed
     */
    Optional<Versioned<T>> read() throws InterruptedException;

    /**
     * Reads the value as of now: a quorum operation (a version check committed like a write), then a
     * read, so that it reflects every write that completed anywhere before the call (a {@code sync}
     * would not: on the ensemble's leader it does not wait for commits). Costs one transaction. Updates the local value too. A
     * lost connection is retried by the coordinator's {@link io.statesync.core.Retry} policy, never
     * past the timeout.
     *
     * @param timeout how long the call may take at most (measured from the call; the reply is not
     *     waited for past it)
     * @return the value, or empty if the znode does not exist
     * @throws InterruptedException if the thread was interrupted before the read started
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while waiting (its interrupt flag set again); nothing changed
     * @throws io.statesync.core.DecodingException if the stored data does not decode
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the retry policy allows
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials may not read
     *     the znode
     * @throws IllegalArgumentException if the timeout is negative
     * @throws IllegalStateException if not started, or closed
     */
    Optional<Versioned<T>> read(Duration timeout) throws InterruptedException;

    /**
     * Writes a value unconditionally, within the coordinator's {@link
     * Coordinator#operationTimeout()}; see {@link #set(Object, Duration)}.
     *
     * @param value the new value
     * @return the value as written, with its version and zxids
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, for other failures (e.g. access denied)
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Versioned<T> set(T value) throws InterruptedException;

    /**
     * Writes a value unconditionally (creating the znode if it does not exist). Combined with
     * concurrent {@link #update} calls like one of them; the timeout works as {@link
     * #update(UnaryOperator, Duration)}'s.
     *
     * @param value the new value
     * @param timeout how long the call may take at most
     * @return the value as written, with its version and zxids
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, for other failures (e.g. access denied)
     * @throws IllegalArgumentException if the timeout is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Versioned<T> set(T value, Duration timeout) throws InterruptedException;

    /**
     * Compare-and-set within the coordinator's {@link Coordinator#operationTimeout()}; see {@link
     * #compareAndSet(Versioned, Object, Duration)}.
     *
     * @param expected the value the caller read (from {@link #get()}, {@link #read()} or a change)
     * @param next the new value
     * @return the value as written, or empty if the znode changed (or was deleted) since
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, for failures other than a conflict
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Optional<Versioned<T>> compareAndSet(Versioned<T> expected, T next) throws InterruptedException;

    /**
     * Writes {@code next} only if the znode still holds {@code expected} (same version and czxid).
     * A write whose reply was lost is resolved through this instance's marker, as {@link #update}'s
     * are: the answer is never a guess.
     *
     * @param expected the value the caller read (from {@link #get()}, {@link #read()} or a change)
     * @param next the new value
     * @param timeout how long the call may take at most
     * @return the value as written, with its version and zxids, or empty if the znode changed (or
     *     was deleted) since {@code expected} was read
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, for failures other than a conflict
     * @throws IllegalArgumentException if the timeout is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Optional<Versioned<T>> compareAndSet(Versioned<T> expected, T next, Duration timeout) throws InterruptedException;

    /**
     * Updates within the coordinator's {@link Coordinator#operationTimeout()}; see {@link
     * #update(UnaryOperator, Duration)}.
     *
     * @param function computes the new value from the current one; must not return {@code null}
     * @return this call's new value, as written
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.VersionConflictException if every attempt lost to another writer
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, for other failures; a {@link RuntimeException} from the
     *     function is rethrown as is
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Versioned<T> update(UnaryOperator<T> function) throws InterruptedException;

    /**
     * Applies a function to the current value and writes the result with compare-and-set, retrying
     * on conflict (on the fresh value each time; {@link Builder#maxBackoff(Duration)} describes the
     * pauses, and how an update that keeps losing takes a turn so that it cannot lose without end)
     * up to {@link Builder#maxUpdateAttempts(int)} attempts. If the znode does not exist it is
     * created with the function applied to the initial value.
     *
     * <p>The function must be free of side effects: it may be called more than once (once per
     * attempt). Concurrent calls on one instance are combined into one write: their functions are
     * applied in the order they were called, each to the result of the one before, and each call
     * returns the result of its own function with the version and zxids of the write that stored it.
     *
     * <p><b>Timeout and interrupt.</b> The call returns within {@code timeout} (plus the time to
     * wake up): waits for the connection, retries after a lost connection (by the coordinator's
     * {@link io.statesync.core.Retry} policy), backoff after conflicts and the wait for a reply all
     * count against it. Past it, {@link io.statesync.core.OperationTimeoutException} says whether
     * the write may have landed: {@code NOT_APPLIED} if nothing was sent or every request sent was
     * answered "not written", {@code UNKNOWN} if a write was sent and its answer did not come (it
     * may still land; the local value and the listeners show it if it does). An interrupt while the
     * call is queued behind another write of this instance withdraws it ({@link
     * InterruptedException}); an interrupt once it is being written ends the call the same way as
     * the timeout and sets the interrupt flag again. Calls combined into one write end at the
     * earliest of their deadlines; a caller whose thread writes the combined calls of others before
     * its own may return later than its own timeout, by at most the rest of theirs.
     *
     * @param function computes the new value from the current one; must not return {@code null}
     * @param timeout how long the call may take at most
     * @return this call's new value, as written
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while the write was under way; {@link
     *     io.statesync.core.OperationTimeoutException#outcome()} says whether it may have landed
     * @throws io.statesync.core.VersionConflictException if every attempt lost to another writer
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the retry policy allows, or the session ended with the write in flight and
     *     the value moved (the outcome is unknown, and the write was not retried)
     * @throws StateSyncException typed, for other failures; a {@link RuntimeException} from the
     *     function is rethrown as is
     * @throws IllegalArgumentException if the timeout is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Versioned<T> update(UnaryOperator<T> function, Duration timeout) throws InterruptedException;

    /**
     * Deletes the znode within the coordinator's {@link Coordinator#operationTimeout()}; see
     * {@link #delete(Duration)}.
     *
     * @return {@code true} if it existed
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, if the delete fails (e.g. the znode has children)
     * @throws IllegalStateException if not started, or closed
     */
    boolean delete() throws InterruptedException;

    /**
     * Deletes the znode. Listeners see DELETED; a later {@link #update} or {@link #set} creates it
     * again. The timeout works as {@link #update(UnaryOperator, Duration)}'s.
     *
     * @param timeout how long the call may take at most
     * @return {@code true} if it existed
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #update(UnaryOperator, Duration)}
     * @throws io.statesync.core.ConnectionLossException as {@link #update(UnaryOperator, Duration)}
     * @throws StateSyncException typed, if the delete fails (e.g. the znode has children)
     * @throws IllegalArgumentException if the timeout is negative
     * @throws IllegalStateException if not started, or closed
     */
    boolean delete(Duration timeout) throws InterruptedException;

    /**
     * Builds a {@link SharedState}. Each option may be set once; {@link #build()} validates.
     *
     * @param <T> the value type
     */
    final class Builder<T> {
        private final Coordinator coordinator;
        private final String path;
        private final Codec<T> codec;
        private final T initialValue;
        private final BuilderOptions options = new BuilderOptions();
        private int maxUpdateAttempts = 100;
        private Duration maxBackoff = Duration.ofMillis(50);

        private Builder(Coordinator coordinator, String path, Codec<T> codec, T initialValue) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.initialValue = Objects.requireNonNull(initialValue, "initialValue");
        }

        /**
         * How many compare-and-set attempts an {@link SharedState#update} makes before it fails
         * with a version conflict (default 100). Attempts lost to a dropped connection do not count;
         * they follow the coordinator's retry policy.
         *
         * @param attempts 1 to 10,000
         * @return this builder
         */
        public Builder<T> maxUpdateAttempts(int attempts) {
            options.once("maxUpdateAttempts");
            this.maxUpdateAttempts = attempts;
            return this;
        }

        /**
         * The longest pause an {@link SharedState#update} takes under contention (default 50 ms).
         * After a conflict the retry follows on the fresh value (the read its losing reply starts),
         * after a random pause of up to 300 µs that doubles with each further conflict in a row;
         * a writer also waits, at most this long, for the read of a change its watch announced
         * before it writes on an older value. After 8 conflicts in a row (fewer if {@link #maxUpdateAttempts} is below 32) the
         * update takes a turn: it queues a ticket, and the other writers of the path hold back
         * until its write landed — each for at most this long per attempt, so a stuck ticket holder
         * slows them but never stops them. Every pause is capped here.
         *
         * @param max 1 ms to 10 s
         * @return this builder
         */
        public Builder<T> maxBackoff(Duration max) {
            options.once("maxBackoff");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * Validates and builds the shared state, not yet started. Nothing touches the network.
         *
         * @return the shared state
         * @throws IllegalArgumentException naming the option or path at fault, or if the initial
         *     value's encoding is over the coordinator's value limit
         */
        public SharedState<T> build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("a shared state cannot live at the root path \"/\"");
            }
            if (maxUpdateAttempts < 1 || maxUpdateAttempts > 10_000) {
                throw new IllegalArgumentException(
                        "maxUpdateAttempts must be between 1 and 10000, was " + maxUpdateAttempts);
            }
            if (maxBackoff.toMillis() < 1 || maxBackoff.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("maxBackoff must be between 1ms and 10s, was " + maxBackoff);
            }
            byte[] initial = codec.encode(initialValue);
            if (initial.length > coordinator.maxValueBytes()) {
                throw new IllegalArgumentException("initialValue for " + path + " encodes to " + initial.length
                        + " bytes, over the coordinator's limit of " + coordinator.maxValueBytes());
            }
            return new DefaultSharedState<>(
                    coordinator, path, codec, initialValue, initial, maxUpdateAttempts, maxBackoff);
        }
    }
}
