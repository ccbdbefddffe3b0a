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
 * RECONNECTED the depth is re-read and listeners get the current value. Operations retry by the
 * coordinator's {@link io.statesync.core.Retry} policy and wait for the connection up to {@link
 * Builder#operationTimeout(Duration)}. Listeners receive every connection transition through {@link
 * StateListener#onConnection}.
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
     * @param item the item
     * @return its position
     * @throws InterruptedException if interrupted (the offer may or may not have landed)
     * @throws QueueFullException if the queue has a capacity and is full; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if the encoded item does not fit one znode;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException if the outcome is still unknown after the
     *     operation timeout
     * @throws IllegalStateException if not started, or closed
     */
    long offer(T item) throws InterruptedException;

    /**
     * Offers one item, waiting up to a timeout for room if the queue is at its capacity.
     *
     * @param item the item
     * @param timeout how long to wait for room
     * @return its position
     * @throws InterruptedException if interrupted
     * @throws QueueFullException if there was no room within the timeout; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if the encoded item does not fit one znode
     * @throws IllegalStateException if not started, or closed
     */
    long offer(T item, Duration timeout) throws InterruptedException;

    /**
     * Offers items atomically, in one ZooKeeper {@code multi}: they get consecutive positions, and
     * all land or none does. Fails at once if they do not all fit under the capacity.
     *
     * @param items the items, at least one
     * @return the position of the first; the others follow it
     * @throws InterruptedException if interrupted (the offer may or may not have landed)
     * @throws QueueFullException if they do not fit under the capacity; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if an item, or the whole batch, does not fit
     *     one request; nothing was sent
     * @throws IllegalArgumentException if {@code items} is empty, or larger than the capacity
     * @throws IllegalStateException if not started, or closed
     */
    long offerAll(List<? extends T> items) throws InterruptedException;

    /**
     * Offers items atomically, waiting up to a timeout for room for all of them.
     *
     * @param items the items, at least one
     * @param timeout how long to wait for room
     * @return the position of the first
     * @throws InterruptedException if interrupted
     * @throws QueueFullException if there was no room within the timeout; nothing was written
     * @throws io.statesync.core.ValueTooLargeException if the batch does not fit one request
     * @throws IllegalArgumentException if {@code items} is empty, or larger than the capacity
     * @throws IllegalStateException if not started, or closed
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
     * item) until its timeout, and returns empty if none came. A pass still blocked behind a dead
     * connection when its take returned goes on in the background; if it then claims an item, it
     * gives the item back at once (that delivery counts toward {@code maxDeliveries}).
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
     */
    Optional<Claim<T>> take(Duration timeout) throws InterruptedException;

    /**
     * The depth: items offered and not yet acknowledged or moved to the dead-letter queue,
     * including the ones currently claimed. Two reads, whatever the depth.
     *
     * @return the depth
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if not started, or closed
     */
    long size() throws InterruptedException;

    /**
     * Reads dead letters in arrival order.
     *
     * @param fromId the first dead-letter id to read (0 for the oldest)
     * @param max the most to return, at least 1
     * @return the dead letters with ids from {@code fromId} on, skipping deleted ones
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if not started, or closed
     */
    List<DeadLetter<T>> deadLetters(long fromId, int max) throws InterruptedException;

    /**
     * Deletes a dead letter, e.g. after it was inspected or offered again.
     *
     * @param id the dead letter's id
     * @return {@code true} if it existed
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if not started, or closed
     */
    boolean deleteDeadLetter(long id) throws InterruptedException;

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
        private final Coordinator coordinator;
        private final String path;
        private final Codec<T> codec;
        private final BuilderOptions options = new BuilderOptions();
        private int segmentSize = 1000;
        private int groupSize = 1000;
        private int maxDeliveries = 5;
        private long capacity = Long.MAX_VALUE;
        private Duration operationTimeout = Duration.ofSeconds(60);

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
         * 60 s), measured with {@link System#nanoTime()}.
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
            return new WorkQueueImpl<>(
                    coordinator, path, codec, segmentSize, groupSize, maxDeliveries, capacity, operationTimeout);
        }
    }
}
