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
/**
 * A distributed work queue on ZooKeeper that keeps working past ten thousand items.
 *
 * <p>{@link io.statesync.recipes.queue.WorkQueue} hands items out in offer order. A consumer's
 * {@link io.statesync.recipes.queue.WorkQueue#take(java.time.Duration) take} returns a {@link
 * io.statesync.recipes.queue.Claim}: an ephemeral znode of the consumer's session hides the item
 * from every other consumer while that session lives. {@link io.statesync.recipes.queue.Claim#ack()}
 * removes the item; {@link io.statesync.recipes.queue.Claim#nack()}, closing the queue, or the
 * session dying makes it available again with its delivery count increased. An item delivered
 * {@code maxDeliveries} times, or one that does not decode, moves to the dead-letter queue with the
 * reason ({@link io.statesync.recipes.queue.DeadLetter}) instead of blocking the items behind it.
 *
 * <p>Storage is segmented like the event log's: positions are znode names in segment and group
 * directories, so no znode holds more than {@code max(segmentSize, groupSize)} children (default
 * 1,000) whatever the depth. Queue depth reaches applications through {@link
 * io.statesync.core.StateListener}, as do dead-letter arrivals. {@code docs/queue.md} describes the
 * layout, the delivery semantics and the limits.
 */
@NullMarked
package io.statesync.recipes.queue;

import org.jspecify.annotations.NullMarked;
