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

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An item that left a {@link WorkQueue} without being acknowledged: it was delivered {@code
 * maxDeliveries} times, or it does not decode. It keeps its original bytes and the reason, and stays
 * in the queue's dead-letter queue until {@link WorkQueue#deleteDeadLetter(long)} removes it.
 *
 * <p>Thread-safe: immutable (the data is copied on the way out).
 *
 * @param <T> the item type
 */
public final class DeadLetter<T> {

    /** Why an item became a dead letter. */
    public enum Cause {
        /** It was handed out {@code maxDeliveries} times and never acknowledged. */
        DELIVERIES_EXHAUSTED,
        /** Its data does not decode (not a queue record, or the codec refused it). */
        UNDECODABLE
    }

    private final long id;
    private final long position;
    private final Cause cause;
    private final String detail;
    private final int deliveries;
    private final byte[] data;
    private final @Nullable T value;

    DeadLetter(long id, long position, Cause cause, String detail, int deliveries, byte[] data, @Nullable T value) {
        this.id = id;
        this.position = position;
        this.cause = Objects.requireNonNull(cause, "cause");
        this.detail = Objects.requireNonNull(detail, "detail");
        this.deliveries = deliveries;
        this.data = data.clone();
        this.value = value;
    }

    /**
     * This dead letter's id: its position in the dead-letter queue, in arrival order, from 0.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * The position the item had in the queue.
     *
     * @return the original position
     */
    public long position() {
        return position;
    }

    /**
     * Why the item became a dead letter.
     *
     * @return the cause
     */
    public Cause cause() {
        return cause;
    }

    /**
     * A readable explanation: the decoding error, or the number of deliveries.
     *
     * @return the detail
     */
    public String detail() {
        return detail;
    }

    /**
     * How many times the item was handed out before it became a dead letter (0 for an item that
     * never decoded).
     *
     * @return the delivery count
     */
    public int deliveries() {
        return deliveries;
    }

    /**
     * The item's encoded bytes as the producer's codec wrote them (for an item that is not a queue
     * record at all, the znode's raw data).
     *
     * @return a copy of the bytes
     */
    public byte[] data() {
        return data.clone();
    }

    /**
     * The decoded item, if it decodes.
     *
     * @return the item, or empty for an undecodable one
     */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DeadLetter<?> that)) {
            return false;
        }
        return id == that.id && position == that.position && cause == that.cause;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, position, cause);
    }

    @Override
    public String toString() {
        return "DeadLetter{id=" + id + ", position=" + position + ", " + cause + ", deliveries=" + deliveries + ", "
                + detail + '}';
    }
}
