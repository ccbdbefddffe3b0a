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

import io.statesync.core.Ticker;
import io.statesync.core.internal.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The time rules of a {@code take}, read from the coordinator's {@link Ticker} (so they are tested on
 * a fake one):
 *
 * <ul>
 *   <li>the take gives up once its timeout has passed ({@link #expired()});
 *   <li>each pass of I/O (a claim attempt on a taker thread) may run until the take's timeout plus
 *       {@link #SLACK}, so a pass started just before the timeout still gets time to make its claim,
 *       and a dead connection holds neither the pass nor its caller longer than that ({@link #pass()});
 *   <li>a wait for a change between passes lasts at most {@link #WAIT_SLICE_NANOS} at a time
 *       ({@link #nextWaitNanos(Deadline)}), then the caller looks again.
 * </ul>
 */
final class TakeClock {
    /** How long past its timeout a take's pass of I/O may run. */
    static final Duration SLACK = Duration.ofMillis(500);
    /** The longest single wait for a change signal before the caller looks again. */
    static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Deadline take;
    private final Deadline pass;

    TakeClock(Ticker ticker, Duration timeout) {
        Duration t = timeout.isNegative() ? Duration.ZERO : timeout;
        this.take = Deadline.after(ticker, t);
        Duration withSlack;
        try {
            withSlack = t.plus(SLACK);
        } catch (ArithmeticException e) {
            withSlack = t;
        }
        this.pass = Deadline.after(ticker, withSlack);
    }

    /** Whether the take's own timeout has passed: it returns empty now. */
    boolean expired() {
        return take.passed();
    }

    /** The take's deadline (without the slack). */
    Deadline take() {
        return take;
    }

    /** The deadline of a pass of I/O, and of the caller's wait for it: the take's plus the slack. */
    Deadline pass() {
        return pass;
    }

    /**
     * How long the next wait for a change may last: what is left of {@code d}, at most one slice;
     * zero once {@code d} has passed.
     *
     * @param d the deadline of the waiting call
     * @return nanoseconds, zero or more
     */
    static long nextWaitNanos(Deadline d) {
        return Math.min(d.remainingNanos(), WAIT_SLICE_NANOS);
    }
}
