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
package io.statesync.recipes.queue;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateListener;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A work queue shared by every node of a service: producers offer items, consumers take them one at
 * a time as {@link Claim}s and acknowledge them when the work is done.
 *
 * <pre>{@code
 * try (WorkQueue<String> queue = WorkQueue.builder(coordinator, "/jobs", Codec.utf8())
 *         .maxDeliveries(5)
 *         .build()) {
 *     queue.start();
 *     queue.offer("resize image 42");
 *     Optional<Claim<String>> taken = queue.take(Duration.ofSeconds(5));
 *     if (taken.isPresent()) {
 *         try (Claim<String> claim = taken.get()) {
 *             process(claim.value());
 *             claim.ack();
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li><b>Atomic offers.</b> {@link #offerAll} is one ZooKeeper {@code multi}: every item lands,
 *       at consecutive positions, or none does. An offer whose reply was lost to a connection loss
 *       is resolved before it returns (the queue stores a writer id and sequence with the offer and
 *       looks for it), so an offer lands once or fails with an error that says the outcome is
 *       unknown.
 *   <li><b>One claimer at a time.</b> A claim is an ephemeral znode created atomically with the
 *       item's delivery count; while it exists no other consumer can take the item. {@link
 *       Claim#ack()} and {@link Claim#nack()} are atomic with a check that the claim is still the
 *       item's current one.
 *   <li><b>At-least-once, nothing lost, nothing stuck.</b> An item leaves the queue only by an
 *       acknowledgement or by moving to the dead-letter queue. If its claimer's session ends, the
 *       claim goes with it and the item is handed out again; after {@code maxDeliveries} deliveries
 *       it becomes a {@link DeadLetter} instead of looping forever.
 *   <li><b>Order.</b> Items are handed out in offer order (position order): a lone consumer sees
 *       them strictly in order, and an item it gives back is the next one it takes. With several
 *       consumers each item is held by one at a time, and their processing order is only as
 *       ordered as their speed; a consumer works through the segment it listed before it sees an
 *       item another consumer gave back meanwhile, and after losing a race for an item it skips a
 *       few ahead (trying them last), so that consumers spread out instead of colliding.
 *   <li><b>Bad input.</b> An item that does not decode is moved to the dead-letter queue with the
 *       reason (never dropped, never blocking the items behind it); an item too large for one znode
 *       is refused with {@link io.statesync.core.ValueTooLargeException} before anything is sent.
 * </ul>
 *
 * <p><b>Storage.</b> Items live at {@code path/items/{group}/{segment}/{position}}, like the event
 * log's segments: no znode holds more than {@code max(segmentSize, groupSize)} children (default
 * 1,000), so the depth is bounded by ZooKeeper's memory, not by a list call. {@code docs/queue.md}
 * has the layout.
 *
 * <p><b>Connection loss.</b> On SUSPENDED nothing is given up: claims are ephemeral znodes of the
 * session, which may survive. On LOST (session expired) every claim this queue holds is gone: its
 * {@link Claim#isHeld()} turns {@code false}, its {@link Claim#ack()} throws {@link
 * io.statesync.core.LockLostException}, and other consumers receive the items again. After
 * RECONNECTED the depth is re-read and listeners get the current value. Listeners receive every
 * connection transition through {@link StateListener#onConnection}.
 *
 * <p><b>Timeout and interrupt.</b> Every blocking call has one deadline: its own {@code timeout},
 * or else the queue's {@link Builder#operationTimeout(Duration)} (default 60 s). Every request,
 * every wait for the connection and every backoff runs against it, so the call returns within it
 * (plus scheduling) even behind a silent partition; {@link #take} returns within its timeout plus
 * 0.5 s. Past it a write ({@link #offer}, {@link Claim#ack}, {@link Claim#nack}, {@link
 * #deleteDeadLetter}, {@link #requeueDeadLetter}, {@link #purgeDeadLetters}) throws {@link
 * io.statesync.core.OperationTimeoutException} whose {@code outcome()} is {@code NOT_APPLIED} if
 * nothing it sent can land and {@code UNKNOWN} if a request was sent without an answer, or {@link
 * io.statesync.core.ConnectionLossException} if the client knew the connection lost and it was not
 * back in time (the outcome unknown); a read throws
 * {@link io.statesync.core.OperationTimeoutException} with {@code NOT_APPLIED}. An interrupt before
 * anything is sent throws {@link InterruptedException}; once requests are under way it ends the
 * call as the deadline does, with the thread's interrupt flag set again.
 *
 * <p><b>Listeners.</b> The queue is {@link Listenable} for its depth: a {@code StateListener<Long>}
 * gets an INITIAL change with the depth when it is added (once known) and an UPDATED change when
 * it changes; depth changes may coalesce (a listener always lands on the latest). Dead-letter
 * arrivals go to {@link #addDeadLetterListener}: one CREATED change per dead letter, none skipped.
 *
 * <p><b>Close.</b> {@link #close()} never waits on the network for more than 1 s: it sends the
 * releases of the claims this queue still holds and the delete of its writer znode in the
 * background, waits up to 1 s for their replies, and returns. Whatever did not land is released by
 * the session's end (claims and the writer znode are ephemeral). Claims are released, not moved to
 * the dead-letter queue: an item at {@code maxDeliveries} moves there at its next take.
 *
 * <p><b>Threading.</b> Thread-safe: any thread may offer, take, acknowledge and read
 * concurrently. {@link #take} blocks the calling thread up to its timeout; offers to a full queue
 * with a timeout block too. Listeners run through statesync's delivery engine.
 *
 * @param <T> the item type
 */
public interface WorkQueue<T> extends Recipe, Listenable<Long> {

    /**
     * Starts building a work queue.
     *
     * @param coordinator the connection
     * @param path the queue's znode, relative to the coordinator's namespace, e.g. {@code /jobs}
     * @param codec encodes and decodes items
     * @param <T> the item type
     * @return a builder
     */
    static <T> Builder<T> builder(Coordinator coordinator, String path, Codec<T> codec) {
        return new Builder<>(coordinator, path, codec);
    }

    /**
     * Offers one item; fails at once if the queue is at its capacity.
     *
     * <p>The whole call is bounded by the queue's {@link Builder#operationTimeout(Duration)}.
     *
     * @param item the item
     * @return its position
     * @throws InterruptedException if interrupted before anything was sent
     * @throws QueueFullException if the queue has a capacity and is full; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if the encoded item does not fit one znode;
     *     nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted once requests were under way (its interrupt flag set again): {@code UNKNOWN} if
     *     the offer was sent without an answer (the message names the position it would be at),
     *     {@code NOT_APPLIED} if nothing was written
     * @throws io.statesync.core.ConnectionLossException if the connection was lost with the offer in
     *     flight and not back by the deadline: the outcome is unknown
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    long offer(T item) throws InterruptedException;

    /**
     * Offers one item, waiting up to a timeout for room if the queue is at its capacity. The
     * timeout is the deadline of the whole call, the wait for room and every request included: it
     * returns within it even behind a silent partition. {@link Duration#ZERO} does not wait for room
     * and bounds the call by the queue's {@link Builder#operationTimeout(Duration)}, as {@link
     * #offer(Object)}.
     *
     * @param item the item
     * @param timeout the deadline of the call
     * @return its position
     * @throws InterruptedException if interrupted before anything was sent
     * @throws QueueFullException if there was no room within the timeout; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if the encoded item does not fit one znode
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted once requests were under way (its interrupt flag set again): {@code UNKNOWN} if
     *     the offer was sent without an answer (the message names the position it would be at),
     *     {@code NOT_APPLIED} if nothing was written
     * @throws io.statesync.core.ConnectionLossException if the connection was lost with the offer in
     *     flight and not back by the deadline: the outcome is unknown
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    long offer(T item, Duration timeout) throws InterruptedException;

    /**
     * Offers items atomically, in one ZooKeeper {@code multi}: they get consecutive positions, and
     * all land or none does. Fails at once if they do not all fit under the capacity.
     *
     * @param items the items, at least one
     * @return the position of the first; the others follow it
     * @throws InterruptedException if interrupted before anything was sent
     * @throws QueueFullException if they do not fit under the capacity; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if an item, or the whole batch, does not fit
     *     one request; nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted once requests were under way (its interrupt flag set again): {@code UNKNOWN} if
     *     the offer was sent without an answer (the message names the position the first would be at),
     *     {@code NOT_APPLIED} if nothing was written
     * @throws io.statesync.core.ConnectionLossException if the connection was lost with the offer in
     *     flight and not back by the deadline: the outcome is unknown
     * @throws IllegalArgumentException if {@code items} is empty, or larger than the capacity
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    long offerAll(List<? extends T> items) throws InterruptedException;

    /**
     * Offers items atomically, waiting up to a timeout for room for all of them; the timeout is the
     * deadline of the whole call, as for {@link #offer(Object, Duration)}.
     *
     * @param items the items, at least one
     * @param timeout the deadline of the call ({@link Duration#ZERO}: no wait for room, and the
     *     queue's operation timeout)
     * @return the position of the first
     * @throws InterruptedException if interrupted before anything was sent
     * @throws QueueFullException if there was no room within the timeout; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if the batch does not fit one request
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted once requests were under way (its interrupt flag set again): {@code UNKNOWN} if
     *     the offer was sent without an answer (the message names the position it would be at),
     *     {@code NOT_APPLIED} if nothing was written
     * @throws io.statesync.core.ConnectionLossException if the connection was lost with the offer in
     *     flight and not back by the deadline: the outcome is unknown
     * @throws IllegalArgumentException if {@code items} is empty, or larger than the capacity, or
     *     {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    long offerAll(List<? extends T> items, Duration timeout) throws InterruptedException;

    /**
     * Takes the first available item, waiting up to a timeout for one. Items on the way that do not
     * decode, or have been delivered {@code maxDeliveries} times, are moved to the dead-letter queue
     * and skipped.
     *
     * <p><b>Bounded.</b> Returns within {@code timeout} plus at most 0.5 s, whatever the network
     * does: each pass over the queue's znodes runs on a thread of the queue, and the caller waits
     * for it only until then. A connection loss or session expiry is not an error here: while the
     * client is disconnected, {@code take} sends nothing and waits (for the connection, then for an
     * item) until its timeout, and returns empty if none came. The pass itself runs against the
     * same deadline, so it ends then too, except a claim it has sent, which waits for its reply to
     * resolve it: if that claim lands after its take returned, the pass gives the item back at once
     * (that delivery counts toward {@code maxDeliveries}).
     *
     * @param timeout how long to wait; zero tries once (within the 0.5 s)
     * @return the claim, or empty if no item became available in time, including when the server
     *     could not be reached
     * @throws InterruptedException if interrupted (a claim made after that is given back)
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit reading or
     *     claiming
     * @throws io.statesync.core.StateSyncException with reason {@code DECODING_FAILED} if another
     *     client overwrote the queue's own znodes ({@code meta}, {@code tail}) with data statesync
     *     did not write, or with another reason for an unexpected server error
     * @throws IllegalStateException if not started, or closed (also when closed while waiting)
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    Optional<Claim<T>> take(Duration timeout) throws InterruptedException;

    /**
     * The depth: items offered and not yet acknowledged or moved to the dead-letter queue,
     * including the ones currently claimed. Two reads, whatever the depth.
     *
     * @return the depth
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the queue's operation timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    long size() throws InterruptedException;

    /**
     * The depth, as {@link #size()}, within a timeout of its own.
     *
     * @param timeout the deadline of the call
     * @return the depth
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    long size(Duration timeout) throws InterruptedException;

    /**
     * Reads dead letters in arrival order.
     *
     * @param fromId the first dead-letter id to read (0 for the oldest)
     * @param max the most to return, at least 1
     * @return the dead letters with ids from {@code fromId} on, skipping deleted ones
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the queue's operation timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code fromId} is negative or {@code max} below 1
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    List<DeadLetter<T>> deadLetters(long fromId, int max) throws InterruptedException;

    /**
     * Reads dead letters, as {@link #deadLetters(long, int)}, within a timeout of its own.
     *
     * @param fromId the first dead-letter id to read (0 for the oldest)
     * @param max the most to return, at least 1
     * @param timeout the deadline of the call
     * @return the dead letters with ids from {@code fromId} on, skipping deleted ones
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while reading (its interrupt flag set again); outcome {@code NOT_APPLIED}
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code fromId} is negative, {@code max} below 1, or
     *     {@code timeout} negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    List<DeadLetter<T>> deadLetters(long fromId, int max, Duration timeout) throws InterruptedException;

    /**
     * Deletes a dead letter, e.g. after it was inspected or offered again.
     *
     * @param id the dead letter's id
     * @return {@code true} if it existed (a delete repeated after a lost reply reports {@code false}
     *     if the first one landed)
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the queue's operation timeout passed, or the thread was
     *     interrupted (its interrupt flag set again): {@code UNKNOWN} if the delete was sent without
     *     an answer, {@code NOT_APPLIED} if not
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code id} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    boolean deleteDeadLetter(long id) throws InterruptedException;

    /**
     * Deletes a dead letter, as {@link #deleteDeadLetter(long)}, within a timeout of its own.
     *
     * @param id the dead letter's id
     * @param timeout the deadline of the call
     * @return {@code true} if it existed
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted (its interrupt flag set again): {@code UNKNOWN} if the delete was sent without
     *     an answer, {@code NOT_APPLIED} if not
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code id} is negative, or {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or an item or dead letter it reads
     *     is in a newer release's data layout; nothing was written (such an item is not dead-lettered)
     */
    boolean deleteDeadLetter(long id, Duration timeout) throws InterruptedException;

    /**
     * Puts a dead letter back on the queue, e.g. after the bug that killed it is fixed: in one
     * ZooKeeper {@code multi}, the dead letter is deleted and its item (the data it was offered
     * with) is appended at the tail, at a new position, with its delivery count back at 0. Either
     * both happen or neither does, so two concurrent requeues of one dead letter put it back once:
     * the other fails with {@link java.util.NoSuchElementException}. The item is then handed out
     * like any offered item (an {@link DeadLetter.Cause#UNDECODABLE} one dies again at its next
     * take unless the codec now reads it). A requeue counts toward the capacity like an offer.
     * Bounded by the queue's {@link Builder#operationTimeout(Duration)}.
     *
     * @param id the dead letter's id ({@link DeadLetter#id()})
     * @return the item's new position
     * @throws java.util.NoSuchElementException if the queue has no dead letter {@code id}: never
     *     one, or already requeued, purged or deleted (perhaps by a concurrent call); the message
     *     names the id and the queue; nothing was written
     * @throws QueueFullException if the queue has a capacity and is full; nothing was written
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted once requests were under way (its interrupt flag set again): {@code UNKNOWN} if
     *     the requeue was sent without an answer, {@code NOT_APPLIED} if nothing was written
     * @throws io.statesync.core.ConnectionLossException if the reply was lost and the outcome cannot
     *     be told: the dead letter is gone and no item of this call is at the position it would have
     *     taken (the message names it); the outcome is unknown
     * @throws io.statesync.core.DecodingException if the dead letter's record is not one statesync
     *     wrote
     * @throws IllegalArgumentException if {@code id} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or the dead letter
     *     is in a newer release's data layout; nothing was written
     */
    long requeueDeadLetter(long id) throws InterruptedException;

    /**
     * Puts a dead letter back on the queue, as {@link #requeueDeadLetter(long)}, within a timeout
     * of its own.
     *
     * @param id the dead letter's id
     * @param timeout the deadline of the call
     * @return the item's new position
     * @throws java.util.NoSuchElementException if the queue has no dead letter {@code id}; nothing
     *     was written
     * @throws QueueFullException if the queue has a capacity and is full; nothing was written
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted once requests were under way (its interrupt flag set again): {@code UNKNOWN} if
     *     the requeue was sent without an answer, {@code NOT_APPLIED} if nothing was written
     * @throws io.statesync.core.ConnectionLossException if the reply was lost and the outcome cannot
     *     be told (the message names the position); the outcome is unknown
     * @throws io.statesync.core.DecodingException if the dead letter's record is not one statesync
     *     wrote
     * @throws IllegalArgumentException if {@code id} or {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta or the dead letter
     *     is in a newer release's data layout; nothing was written
     */
    long requeueDeadLetter(long id, Duration timeout) throws InterruptedException;

    /**
     * Deletes every dead letter the queue has when the call lists them, one delete each (not
     * atomically: a dead letter that arrives meanwhile may stay). Concurrent purges, requeues and
     * deletes are safe: each dead letter is deleted or requeued once, and each call counts only
     * the ones it deleted itself. Bounded by the queue's {@link Builder#operationTimeout(Duration)}.
     *
     * @return how many dead letters this call deleted
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted (its interrupt flag set again), with outcome {@code UNKNOWN}: the deletes sent
     *     by then stand
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta is in a newer
     *     release's data layout; nothing was written
     */
    long purgeDeadLetters() throws InterruptedException;

    /**
     * Deletes every dead letter, as {@link #purgeDeadLetters()}, within a timeout of its own.
     *
     * @param timeout the deadline of the call
     * @return how many dead letters this call deleted
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted (its interrupt flag set again), with outcome {@code UNKNOWN}: the deletes sent
     *     by then stand
     * @throws io.statesync.core.ConnectionLossException if the connection was lost and not back
     *     after the retry policy's retries
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if the queue's meta is in a newer
     *     release's data layout; nothing was written
     */
    long purgeDeadLetters(Duration timeout) throws InterruptedException;

    /**
     * Adds a listener for dead-letter arrivals, on the coordinator's listener executor: one CREATED
     * change per dead letter that arrives after it was added (from any node), in arrival order.
     *
     * @param listener the listener
     * @throws IllegalStateException if the queue is closed
     */
    void addDeadLetterListener(StateListener<DeadLetter<T>> listener);

    /**
     * Adds a listener for dead-letter arrivals that runs on the given executor.
     *
     * @param listener the listener
     * @param executor where it runs
     * @throws IllegalStateException if the queue is closed
     */
    void addDeadLetterListener(StateListener<DeadLetter<T>> listener, Executor executor);

    /**
     * Removes a dead-letter listener; no call to it starts after this returns.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    boolean removeDeadLetterListener(StateListener<DeadLetter<T>> listener);

    /**
     * The queue's path.
     *
     * @return the path, relative to the coordinator's namespace
     */
    String path();

    /**
     * Builds a {@link WorkQueue}. Each option may be set once.
     *
     * @param <T> the item type
     */
    final class Builder<T> {
        final Coordinator coordinator;
        final String path;
        final Codec<T> codec;
        private final BuilderOptions options = new BuilderOptions();
        int segmentSize = 1000;
        int groupSize = 1000;
        int maxDeliveries = 5;
        long capacity = Long.MAX_VALUE;
        Duration operationTimeout = Duration.ofSeconds(60);

        private Builder(Coordinator coordinator, String path, Codec<T> codec) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        /**
         * How many positions one segment holds (default 1,000): the most children a segment znode
         * can have. Fixed when the queue is first used; a queue that exists keeps its own.
         *
         * @param positions 2 to 10,000
         * @return this builder
         */
        public Builder<T> segmentSize(int positions) {
            options.once("segmentSize");
            this.segmentSize = positions;
            return this;
        }

        /**
         * How many segments one group holds (default 1,000): the most children a group znode can
         * have. Fixed when the queue is first used; a queue that exists keeps its own.
         *
         * @param segments 2 to 10,000
         * @return this builder
         */
        public Builder<T> groupSize(int segments) {
            options.once("groupSize");
            this.groupSize = segments;
            return this;
        }

        /**
         * After how many deliveries without an acknowledgement an item moves to the dead-letter
         * queue (default 5). Every node using the queue should use the same value.
         *
         * @param deliveries 1 to 1,000
         * @return this builder
         */
        public Builder<T> maxDeliveries(int deliveries) {
            options.once("maxDeliveries");
            this.maxDeliveries = deliveries;
            return this;
        }

        /**
         * The most items the queue may hold (default: unbounded). Offers beyond it fail with {@link
         * QueueFullException}, at once or after their timeout. Enforced atomically with each offer.
         *
         * @param items at least 1
         * @return this builder
         */
        public Builder<T> capacity(long items) {
            options.once("capacity");
            this.capacity = items;
            return this;
        }

        /**
         * How long an operation may wait for the connection to resolve an unknown outcome (default
         * 60 s), measured on the coordinator's {@link io.statesync.core.Ticker}.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder<T> operationTimeout(Duration timeout) {
            options.once("operationTimeout");
            this.operationTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Builds the queue (LATENT). Nothing is sent until {@link WorkQueue#start()}.
         *
         * @return the queue
         * @throws IllegalArgumentException naming an invalid path or option
         */
        public WorkQueue<T> build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("invalid path \"/\": a work queue needs its own znode");
            }
            if (segmentSize < 2 || segmentSize > 10_000) {
                throw new IllegalArgumentException("segmentSize must be 2 to 10000, was " + segmentSize);
            }
            if (groupSize < 2 || groupSize > 10_000) {
                throw new IllegalArgumentException("groupSize must be 2 to 10000, was " + groupSize);
            }
            if (maxDeliveries < 1 || maxDeliveries > 1000) {
                throw new IllegalArgumentException("maxDeliveries must be 1 to 1000, was " + maxDeliveries);
            }
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
            }
            if (operationTimeout.isNegative() || operationTimeout.isZero()) {
                throw new IllegalArgumentException("operationTimeout must be positive, was " + operationTimeout);
            }
            return new DefaultWorkQueue<>(this);
        }
    }
}
