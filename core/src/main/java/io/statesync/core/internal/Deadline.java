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

import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The point in time a blocking call must return by: every wait and every sleep of a call runs
 * against one deadline, so retries, backoff and waits for replies add up to at most the caller's
 * timeout. Every wait answers an interrupt. Immutable and thread-safe.
 */
public final class Deadline {
    private final Ticker ticker;
    private final long startNanos;
    private final long timeoutNanos;

    private Deadline(Ticker ticker, long startNanos, long timeoutNanos) {
        this.ticker = ticker;
        this.startNanos = startNanos;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * A deadline {@code timeout} from now on the {@linkplain Ticker#system() system ticker}, for
     * code that has no coordinator at hand; recipes use {@link #after(Ticker, Duration)} with their
     * coordinator's ticker.
     *
     * @param timeout how long from now; negative counts as zero, very long as about 292 years
     * @return the deadline
     */
    public static Deadline after(Duration timeout) {
        return after(Ticker.system(), timeout);
    }

    /**
     * A deadline {@code timeout} from now on {@code ticker}. The time left is read from that ticker;
     * waits and sleeps still take real time (at most the time left by the ticker).
     *
     * @param ticker the time source, normally {@link io.statesync.core.Coordinator#ticker()}
     * @param timeout how long from now; negative counts as zero, very long as about 292 years
     * @return the deadline
     */
    public static Deadline after(Ticker ticker, Duration timeout) {
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = Math.max(0, timeout.toNanos());
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 2;
        }
        return new Deadline(ticker, ticker.read(), Math.min(nanos, Long.MAX_VALUE / 2));
    }

    /**
     * Checks a caller's timeout argument.
     *
     * @param timeout the timeout
     * @param name the parameter's name, for the message
     * @return the timeout
     * @throws NullPointerException if it is {@code null}
     * @throws IllegalArgumentException if it is negative, naming it
     */
    public static Duration checkTimeout(@Nullable Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + timeout);
        }
        return timeout;
    }

    /**
     * The time left.
     *
     * @return nanoseconds until the deadline, 0 once it has passed
     */
    public long remainingNanos() {
        return Math.max(0, timeoutNanos - (ticker.read() - startNanos));
    }

    /**
     * Whether the deadline has passed.
     *
     * @return {@code true} once no time is left
     */
    public boolean passed() {
        return remainingNanos() == 0;
    }

    /**
     * The timeout this deadline was made from, for messages.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /**
     * The earlier of this deadline and another.
     *
     * @param other the other deadline
     * @return whichever passes first
     */
    public Deadline min(Deadline other) {
        return other.endNanos() - endNanos() < 0 ? other : this;
    }

    private long endNanos() {
        return startNanos + timeoutNanos;
    }

    /**
     * Waits for a future until the deadline.
     *
     * @param future the future
     * @param <T> its value's type
     * @return its value
     * @throws InterruptedException if interrupted while waiting (the future is left as it is)
     * @throws TimeoutException if the deadline passed first
     * @throws ExecutionException if the future failed
     */
    public <T> T await(CompletableFuture<T> future) throws InterruptedException, TimeoutException, ExecutionException {
        if (future.isDone()) {
            return future.get();
        }
        long left = remainingNanos();
        if (left == 0) {
            throw new TimeoutException();
        }
        return future.get(left, TimeUnit.NANOSECONDS);
    }

    /**
     * Sleeps {@code nanos}, or until the deadline if that comes first.
     *
     * @param nanos how long
     * @return {@code true} if it slept the whole time, {@code false} if the deadline cut it short
     * @throws InterruptedException if interrupted while sleeping
     */
    public boolean sleep(long nanos) throws InterruptedException {
        long left = remainingNanos();
        if (nanos <= left) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        }
        TimeUnit.NANOSECONDS.sleep(left);
        return false;
    }

    /**
     * Waits on {@code monitor}, which the caller holds, while {@code blocked} holds.
     *
     * @param monitor the monitor the caller holds and the condition's writers notify
     * @param blocked the condition to wait out, evaluated with the monitor held
     * @return {@code true} if the condition no longer holds, {@code false} if the deadline passed
     *     first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitWhile(Object monitor, BooleanSupplier blocked) throws InterruptedException {
        while (blocked.getAsBoolean()) {
            long left = remainingNanos();
            if (left == 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
        return true;
    }

    /**
     * The error for a call that ran out of time.
     *
     * @param path the path concerned, or {@code null}
     * @param what the operation, e.g. {@code "update of /config"}
     * @param outcome whether it may have taken effect
     * @return the error, naming the operation, the timeout and the outcome
     */
    public OperationTimeoutException expired(
            @Nullable String path, String what, OperationTimeoutException.Outcome outcome) {
        return new OperationTimeoutException(
                path, what + " did not complete within " + timeout() + "; " + describe(outcome), outcome, null);
    }

    /**
     * The error for a call that was interrupted after it had sent a request. Sets the thread's
     * interrupt flag again, so the caller still sees the interrupt.
     *
     * @param path the path concerned, or {@code null}
     * @param what the operation
     * @param outcome whether it may have taken effect
     * @return the error
     */
    public static OperationTimeoutException interrupted(
            @Nullable String path, String what, OperationTimeoutException.Outcome outcome) {
        Thread.currentThread().interrupt();
        return new OperationTimeoutException(path, what + " was interrupted; " + describe(outcome), outcome, null);
    }

    private static String describe(OperationTimeoutException.Outcome outcome) {
        return outcome == OperationTimeoutException.Outcome.NOT_APPLIED
                ? "it did not take effect"
                : "a request was sent and whether it took effect is unknown";
    }

    @Override
    public String toString() {
        return "Deadline{" + Duration.ofNanos(remainingNanos()) + " left of " + timeout() + '}';
    }
}
