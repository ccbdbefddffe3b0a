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
package io.statesync.demo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM, turned into a signal the command's own thread waits for, so that the
 * command closes its recipes, its coordinator and any embedded server itself. The JVM's shutdown
 * hook waits (up to 20 s) until {@link #close()} says the cleanup is done; without that wait the
 * JVM would halt half-way through it and leave, for example, the server's temporary directory
 * behind.
 *
 * <p>Open it first in a try-with-resources statement, so that it is closed last.
 */
final class StopSignal implements AutoCloseable {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    StopSignal() {
        hook = new Thread(
                () -> {
                    stop.countDown();
                    try {
                        cleanedUp.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "statesync-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits for Ctrl-C or SIGTERM. */
    void await() throws InterruptedException {
        stop.await();
    }

    /**
     * Waits for Ctrl-C or SIGTERM, at most {@code timeout}.
     *
     * @return {@code true} if stopped
     */
    boolean await(Duration timeout) throws InterruptedException {
        return stop.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether Ctrl-C or SIGTERM has arrived. */
    boolean stopped() {
        return stop.getCount() == 0;
    }

    /** Marks the cleanup done; lets the JVM exit if it is shutting down. */
    @Override
    public void close() {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and now returns
        }
    }
}
