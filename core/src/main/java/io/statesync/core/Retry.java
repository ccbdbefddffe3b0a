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
package io.statesync.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Coordinator} retries an operation that failed because the connection dropped.
 * Only operations that are safe to repeat are retried (ZooKeeper reads and writes guarded by a
 * version or a sequence); recipes resolve the rest themselves.
 *
 * <p>Thread-safe: immutable.
 */
public final class Retry {
    private final int maxRetries;
    private final Duration baseSleep;
    private final Duration maxSleep;

    private Retry(int maxRetries, Duration baseSleep, Duration maxSleep) {
        this.maxRetries = maxRetries;
        this.baseSleep = baseSleep;
        this.maxSleep = maxSleep;
    }

    /**
     * Exponential backoff with jitter: the n-th retry sleeps a random time up to {@code baseSleep ×
     * 2^n}, capped at {@code maxSleep}.
     *
     * @param baseSleep the first sleep, at least 1 ms
     * @param maxSleep the longest sleep, at least {@code baseSleep}
     * @param maxRetries how many retries at most, 0 to 29
     * @return the policy
     * @throws IllegalArgumentException if a bound is out of range; the message names it
     */
    public static Retry exponentialBackoff(Duration baseSleep, Duration maxSleep, int maxRetries) {
        Objects.requireNonNull(baseSleep, "baseSleep");
        Objects.requireNonNull(maxSleep, "maxSleep");
        if (baseSleep.toMillis() < 1) {
            throw new IllegalArgumentException("baseSleep must be at least 1 ms, was " + baseSleep);
        }
        if (maxSleep.compareTo(baseSleep) < 0) {
            throw new IllegalArgumentException("maxSleep " + maxSleep + " is shorter than baseSleep " + baseSleep);
        }
        if (maxRetries < 0 || maxRetries > 29) {
            throw new IllegalArgumentException("maxRetries must be 0 to 29, was " + maxRetries);
        }
        return new Retry(maxRetries, baseSleep, maxSleep);
    }

    /**
     * No retries: a connection loss fails the operation at once.
     *
     * @return the policy
     */
    public static Retry none() {
        return new Retry(0, Duration.ofMillis(1), Duration.ofMillis(1));
    }

    /**
     * The default: 100 ms doubling up to 5 s, at most 10 retries.
     *
     * @return the default policy
     */
    public static Retry defaults() {
        return exponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 10);
    }

    /**
     * How many retries at most.
     *
     * @return the retry count
     */
    public int maxRetries() {
        return maxRetries;
    }

    /**
     * The first sleep.
     *
     * @return the base sleep
     */
    public Duration baseSleep() {
        return baseSleep;
    }

    /**
     * The longest sleep.
     *
     * @return the cap
     */
    public Duration maxSleep() {
        return maxSleep;
    }

    @Override
    public String toString() {
        return maxRetries == 0
                ? "Retry.none()"
                : "Retry.exponentialBackoff(" + baseSleep + ", " + maxSleep + ", " + maxRetries + ")";
    }
}
