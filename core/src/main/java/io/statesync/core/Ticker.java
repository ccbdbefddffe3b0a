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

/**
 * The source of elapsed time that every time-dependent rule of a {@link Coordinator} and its recipes
 * reads: deadlines of blocking calls, backoff, a leader's takeover delay, a shared state's turn
 * bound, a queue claim's expiry, how long the connection has been down. Only differences between two
 * readings mean anything, as with {@link System#nanoTime()}; the value is not wall-clock time.
 *
 * <p>The default, {@link #system()}, is {@code System.nanoTime()}. A test can give {@link
 * Coordinator.Builder#ticker(Ticker)} a ticker it advances by hand, so that rules measured in
 * seconds are tested in milliseconds. Waits on other threads (a monitor, a future, ZooKeeper's own
 * session timer) still take real time: a fake ticker changes what the rules decide, not how long a
 * thread sleeps.
 *
 * <p>Implementations must be thread-safe and must never go backwards.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * The current reading.
     *
     * @return nanoseconds since an arbitrary fixed origin; only differences between readings of the
     *     same ticker are meaningful
     */
    long read();

    /**
     * The ticker that reads {@link System#nanoTime()}.
     *
     * @return the system ticker; the one place in the library that reads {@code System.nanoTime()}
     */
    static Ticker system() {
        return System::nanoTime;
    }
}
