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
package io.statesync.core.testing;

import io.statesync.core.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when a test advances it, so that rules measured in seconds
 * (health's down-after, takeover delays, turn bounds, claim expiry) are tested in milliseconds.
 * Thread-safe; never goes backwards. Starts at an arbitrary non-zero reading, as {@code
 * System.nanoTime()} may.
 */
public final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
        return nanos.get();
    }

    /**
     * Moves the ticker forward.
     *
     * @param by how far; must not be negative
     * @return this ticker
     * @throws IllegalArgumentException if {@code by} is negative
     */
    public FakeTicker advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a ticker never goes back; advance by " + by);
        }
        nanos.addAndGet(by.toNanos());
        return this;
    }
}
