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
package io.statesync.core.internal;

import io.statesync.core.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A bounded wait on a monitor: while a condition holds, wait on the monitor (which its writers
 * notify) until a deadline read on the {@linkplain Ticker#system() system ticker}. New code uses
 * {@link Deadline#awaitWhile(Object, BooleanSupplier)}, which reads the coordinator's ticker.
 */
public final class Waits {
    private Waits() {}

    /**
     * Waits on {@code monitor}, which the caller holds, while {@code blocked} holds.
     *
     * @param monitor the monitor the caller holds and the condition's writers notify
     * @param blocked the condition to wait out, evaluated with the monitor held
     * @param deadline a reading of {@link Ticker#system()}
     * @return {@code true} if the condition no longer holds, {@code false} if the deadline passed
     *     first
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean awaitWhile(Object monitor, BooleanSupplier blocked, long deadline)
            throws InterruptedException {
        while (blocked.getAsBoolean()) {
            long left = deadline - Ticker.system().read();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
        return true;
    }
}
