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

import java.time.Duration;

/**
 * One item taken from a {@link WorkQueue}: held by this consumer until {@link #ack()}, {@link
 * #nack()} or {@link #close()}, or until the consumer's ZooKeeper session ends.
 *
 * <p>The claim is an ephemeral znode of the consumer's session; while it exists no other consumer
 * can take the item. If the session ends (expiry, or the process dies) the znode goes with it and
 * the item is handed out again, with its delivery count increased. So delivery is at least once: an
 * item whose consumer died after doing the work but before {@link #ack()} is delivered again;
 * make the work idempotent, or check {@link #deliveryCount()}.
 *
 * <pre>{@code
 * Optional<Claim<Job>> taken = queue.take(Duration.ofSeconds(5));
 * if (taken.isPresent()) {
 *     try (Claim<Job> claim = taken.get()) {
 *         run(claim.value());
 *         claim.ack();
 *     } // an exception from run() leaves the claim unacknowledged: close() releases it
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe; the first of {@link #ack()}, {@link #nack()} and {@link
 * #close()} decides, later calls do nothing (or fail, see each method).
 *
 * @param <T> the item type
 */
public interface Claim<T> extends AutoCloseable {
    /**
     * The item's position in the queue: its place in offer order, unique within the queue.
     *
     * @return the position, from 0
     */
    long position();

    /**
     * The item.
     *
     * @return the decoded item
     */
    T value();

    /**
     * How many times the item has been handed out, this delivery included: 1 on the first
     * delivery, more after a {@link #nack()} or the death of an earlier claimer.
     *
     * @return the delivery count, at least 1
     */
    int deliveryCount();

    /**
     * Whether this claim is still held: not yet acknowledged, released, or lost with the session.
     *
     * @return {@code true} while held
     */
    boolean isHeld();

    /**
     * Acknowledges the item: removes it from the queue. Atomic with a check that this claim is
     * still the item's current one, so a consumer whose claim was lost (session expired, item
     * handed to someone else) cannot remove it.
     *
     * @throws InterruptedException if interrupted (the ack may or may not have landed; if it did
     *     not, the item is redelivered once the claim ends)
     * @throws io.statesync.core.LockLostException if the claim was lost before the ack: the item is
     *     or will be delivered again
     * @throws io.statesync.core.ConnectionLossException if the outcome is unknown: the reply was
     *     lost and the session ended before the outcome could be established (the item is gone: by
     *     this ack, or by another consumer's after the claim expired), or the connection did not
     *     come back within the queue's operation timeout (if the ack did not land, the item is
     *     delivered again once the claim's session ends)
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit the ack
     * @throws io.statesync.core.OperationTimeoutException if the queue's operation timeout passed
     *     while waiting for the reply, or the thread was interrupted with the ack sent (its
     *     interrupt flag set again): the outcome is unknown, as above
     * @throws IllegalStateException if already acknowledged or released
     */
    void ack() throws InterruptedException;

    /**
     * Acknowledges the item, as {@link #ack()}, within a timeout of its own instead of the queue's
     * operation timeout: it returns within it even behind a silent partition.
     *
     * @param timeout the deadline of the call
     * @throws InterruptedException if interrupted before the ack was sent
     * @throws io.statesync.core.LockLostException as for {@link #ack()}
     * @throws io.statesync.core.ConnectionLossException as for {@link #ack()}, with this timeout
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed while waiting for
     *     the reply, or the thread was interrupted with the ack sent (its interrupt flag set again):
     *     the outcome is unknown
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit the ack
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if already acknowledged or released
     */
    void ack(Duration timeout) throws InterruptedException;

    /**
     * Gives the item back: it becomes available again at once, in its place in the queue, with the
     * delivery count this delivery gave it; if that count reached the queue's {@code maxDeliveries}
     * it moves to the dead-letter queue instead.
     *
     * <p>Does nothing if the claim was already lost: when it was reported lost (the session's LOST
     * event), when the coordinator has a new session, when the session expires while the nack runs,
     * or when the claim or item is found gone or delivered again. While the connection is down it
     * sends nothing and waits for the connection, or for the claim to be reported lost, up to the
     * queue's operation timeout.
     *
     * @throws InterruptedException if interrupted (the item is released at the latest when the
     *     session ends)
     * @throws io.statesync.core.ConnectionLossException if the connection did not come back within
     *     the queue's operation timeout and the claim was not reported lost meanwhile: its session
     *     may still live, so the claim may still be held; the item comes back when that session ends
     *     at the latest
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit the release
     * @throws io.statesync.core.StateSyncException with reason {@code TIMEOUT} if this was the last
     *     allowed delivery and moving the item to the dead-letter queue kept losing races with other
     *     dead-letter moves for the operation timeout (the claim is still held; the item moves at its
     *     next take after the claim ends)
     * @throws io.statesync.core.OperationTimeoutException if the queue's operation timeout passed
     *     while waiting for a reply, or the thread was interrupted with the release sent (its
     *     interrupt flag set again): whether the claim was given back is unknown (if not, the item
     *     comes back when the session ends at the latest)
     * @throws IllegalStateException if already acknowledged
     */
    void nack() throws InterruptedException;

    /**
     * Gives the item back, as {@link #nack()}, within a timeout of its own instead of the queue's
     * operation timeout: it returns within it even behind a silent partition.
     *
     * @param timeout the deadline of the call
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ConnectionLossException as for {@link #nack()}, with this timeout
     * @throws io.statesync.core.OperationTimeoutException as for {@link #nack()}, with this timeout
     * @throws io.statesync.core.AccessDeniedException if the credentials do not permit the release
     * @throws io.statesync.core.StateSyncException with reason {@code TIMEOUT} as for {@link
     *     #nack()}, within this timeout
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if already acknowledged
     */
    void nack(Duration timeout) throws InterruptedException;

    /**
     * Releases the claim if it is still held, as {@link #nack()} does; does nothing after {@link
     * #ack()} or {@link #nack()}. Never throws: if the release fails (connection lost), the item
     * comes back when the session ends. Like {@link #nack()}, it may wait for the connection up to
     * the queue's operation timeout; closing the queue instead never waits more than 1 s.
     */
    @Override
    void close();
}
