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
package io.statesync.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop schedule: send {@code i} is due at {@code start + i * period}, whatever happened to
 * the sends before it, and latency is measured from the due time. A send that runs late (the sender
 * was still busy with an earlier one, or was descheduled) counts its lateness in the latency of what
 * it sent, so a stall shows in the tail instead of slowing the schedule down.
 */
final class Paced {
    private Paced() {}

    /** One send; {@code due} is its scheduled time on the {@link System#nanoTime()} scale. */
    @FunctionalInterface
    interface Send {
        void send(long index, long due) throws Exception;
    }

    /**
     * What a schedule did.
     *
     * @param sends how many sends were due (and made)
     * @param firstDue the first send's due time
     * @param lastDue the last send's due time
     * @param seconds from the first due time to the end of the last send
     * @param maxLagNanos the most any send started after its due time
     */
    record Run(long sends, long firstDue, long lastDue, double seconds, long maxLagNanos) {
        double perSecond() {
            return sends / seconds;
        }

        double maxLagMs() {
            return maxLagNanos / 1e6;
        }
    }

    /** How many sends a schedule of {@code perSecond} over {@code duration} makes (at least 20). */
    static long sends(int perSecond, Duration duration) {
        return Math.max(20, duration.toNanos() * perSecond / 1_000_000_000L);
    }

    /**
     * Makes {@code sends} sends on this thread, {@code perSecond} a second, starting one period from
     * now. Each send starts at its due time, or at once if the one before it ended later.
     */
    static Run run(int perSecond, long sends, Send send) throws Exception {
        long period = 1_000_000_000L / perSecond;
        long start = System.nanoTime() + period;
        long maxLag = 0;
        for (long i = 0; i < sends; i++) {
            long due = start + i * period;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait); // keeping to the schedule, not waiting for another thread
            }
            maxLag = Math.max(maxLag, System.nanoTime() - due);
            send.send(i, due);
        }
        return new Run(sends, start, start + (sends - 1) * period, (System.nanoTime() - start) / 1e9, maxLag);
    }
}
