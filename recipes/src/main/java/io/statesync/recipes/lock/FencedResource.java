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
package io.statesync.recipes.lock;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A resource that checks fencing tokens: it accepts a change only with a token at least as high as
 * the highest it has seen, so a lock holder that was deposed while paused (and whose successor has
 * already written with a higher token) is refused instead of writing over the successor.
 *
 * <p>This in-memory class is the pattern, small enough to copy into the resource you protect: a
 * database row keeps the highest token in a column and updates with {@code ... WHERE
 * highest_token <= :token}; a storage service compares it in its write path. The check and the
 * change must be one atomic step on the resource's side, as they are here.
 *
 * <pre>{@code
 * FencedResource<Ledger> ledger = new FencedResource<>(Ledger.empty());
 * try (LockHandle handle = lock.acquire(Duration.ofSeconds(5))) {
 *     if (!ledger.write(handle.token(), l -> l.append(entry))) {
 *         // a holder with a higher token has written: we were deposed; stop
 *     }
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe; {@link #write} runs the update under the resource's monitor.
 *
 * @param <T> the protected value; treat it as immutable, or change it only inside {@code update}
 */
public final class FencedResource<T> {
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private T value;
    /** Guarded by {@link #lock}. */
    private long highestToken = Long.MIN_VALUE;
    /** Guarded by {@link #lock}. */
    private long refused;

    /**
     * Creates the resource.
     *
     * @param initial its initial value
     */
    public FencedResource(T initial) {
        this.value = Objects.requireNonNull(initial, "initial");
    }

    /**
     * Applies {@code update} if {@code token} is not lower than the highest token seen, and
     * remembers it as the highest.
     *
     * @param token the writer's fencing token ({@link LockHandle#token()})
     * @param update computes the new value from the current one; runs under the resource's monitor
     * @return {@code true} if accepted; {@code false} if refused as stale (nothing changed)
     */
    public boolean write(long token, UnaryOperator<T> update) {
        Objects.requireNonNull(update, "update");
        synchronized (lock) {
            if (token < highestToken) {
                refused++;
                return false;
            }
            value = Objects.requireNonNull(update.apply(value), "update returned null");
            highestToken = token;
            return true;
        }
    }

    /**
     * The current value.
     *
     * @return the value
     */
    public T read() {
        synchronized (lock) {
            return value;
        }
    }

    /**
     * The highest token accepted so far.
     *
     * @return the token, or {@link Long#MIN_VALUE} before the first write
     */
    public long highestToken() {
        synchronized (lock) {
            return highestToken;
        }
    }

    /**
     * How many writes were refused as stale.
     *
     * @return the count
     */
    public long refusedWrites() {
        synchronized (lock) {
            return refused;
        }
    }
}
