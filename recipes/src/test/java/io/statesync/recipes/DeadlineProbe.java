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
package io.statesync.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Retry;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * What the deadline tests of every recipe share: the coordinators and proxies of a test, closed
 * after it in reverse order, and the check that an interrupt ends a call under way with an unknown
 * outcome and the interrupt flag set again, within the stated slack.
 */
public final class DeadlineProbe implements AutoCloseable {
    /** The slack every deadline test allows past a bound, for a loaded 2-core machine. */
    public static final Duration SLACK = Duration.ofSeconds(1);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    /**
     * Closes {@code c} after the test, before everything registered earlier.
     *
     * @param c what to close
     * @param <C> its type
     * @return {@code c}
     */
    public <C extends AutoCloseable> C closeLater(C c) {
        toClose.add(c);
        return c;
    }

    /**
     * A started coordinator with a 20 s session (far longer than any deadline of a test, so only
     * the deadline can end a call) and the given operation timeout.
     *
     * @param connectString where to connect (a proxy's, to partition it)
     * @param namespace the test's namespace
     * @param operationTimeout the coordinator's operation timeout
     * @return the connected coordinator, closed after the test
     * @throws InterruptedException if interrupted while connecting
     */
    public Coordinator connect(String connectString, String namespace, Duration operationTimeout)
            throws InterruptedException {
        return closeLater(TestNodes.open(Coordinator.builder(connectString)
                .namespace(namespace)
                .sessionTimeout(Duration.ofSeconds(20))
                .operationTimeout(operationTimeout)));
    }

    /**
     * A started coordinator with a 20 s session and the default operation timeout.
     *
     * @param connectString where to connect (a proxy's, to partition it)
     * @param namespace the test's namespace
     * @return the connected coordinator, closed after the test
     * @throws InterruptedException if interrupted while connecting
     */
    public Coordinator connect(String connectString, String namespace) throws InterruptedException {
        return closeLater(TestNodes.open(
                Coordinator.builder(connectString).namespace(namespace).sessionTimeout(Duration.ofSeconds(20))));
    }

    /**
     * A latch counted down by the first connection event of {@code kind} on {@code c}.
     *
     * @param c the coordinator
     * @param kind the event kind, e.g. SUSPENDED
     * @return the latch
     */
    public static CountDownLatch latchOn(Coordinator c, ConnectionEvent.Kind kind) {
        CountDownLatch latch = new CountDownLatch(1);
        c.addListener(event -> {
            if (event.kind() == kind) {
                latch.countDown();
            }
        });
        return latch;
    }

    /**
     * Milliseconds since {@code startNanos}.
     *
     * @param startNanos a {@link System#nanoTime()} reading
     * @return the milliseconds since
     */
    public static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /**
     * Asserts that {@code call} throws an {@link OperationTimeoutException} with {@code outcome}
     * within {@code deadline} plus {@link #SLACK}.
     *
     * @param call the call
     * @param deadline its deadline
     * @param outcome the outcome it must report
     */
    public static void assertEndsAtItsDeadline(
            Call call, Duration deadline, OperationTimeoutException.Outcome outcome) {
        long start = System.nanoTime();
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(outcome));
        assertThat(millisSince(start)).isLessThan(deadline.plus(SLACK).toMillis());
    }

    /**
     * A retry policy that sleeps 20 s before each of 29 retries: a call or a background pass that
     * retried by it on its own would still be asleep long after a partition healed.
     */
    public static final Retry SLOW_RETRY = Retry.exponentialBackoff(Duration.ofSeconds(20), Duration.ofSeconds(20), 29);

    /**
     * A started coordinator with a 20 s session, 2 s connection and operation timeouts and {@link
     * #SLOW_RETRY}: only its deadlines, not its retry policy, can make a pass caught by a partition
     * end soon, so a recipe that recovers within seconds of a heal proves its passes are bounded.
     *
     * @param connectString where to connect (a proxy's, to partition it)
     * @param namespace the test's namespace
     * @param options more options for the builder (e.g. a connection-loss policy), or {@code b -> b}
     * @return the connected coordinator, closed after the test
     * @throws InterruptedException if interrupted while connecting
     */
    public Coordinator slowRetrying(String connectString, String namespace, UnaryOperator<Coordinator.Builder> options)
            throws InterruptedException {
        return closeLater(TestNodes.open(options.apply(Coordinator.builder(connectString)
                .namespace(namespace)
                .sessionTimeout(Duration.ofSeconds(20))
                .connectionTimeout(Duration.ofSeconds(2))
                .operationTimeout(Duration.ofSeconds(2))
                .retry(SLOW_RETRY))));
    }

    /**
     * A proxy to the server, closed after the test.
     *
     * @param connectString the server
     * @return the proxy
     * @throws java.io.IOException if it cannot listen
     */
    public TcpProxy proxy(String connectString) throws java.io.IOException {
        return closeLater(TcpProxy.start(connectString));
    }

    @Override
    public void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }

    /**
     * Runs {@code call} on a thread of its own, interrupts that thread once it waits, and asserts
     * that the call ends within {@link #SLACK} with an {@link OperationTimeoutException} whose
     * outcome is UNKNOWN and whose message says "interrupted", with the interrupt flag set again.
     *
     * @param call a call that sends a write and then waits (behind a partition)
     * @throws Exception if the test itself fails to run
     */
    public static void assertAnInterruptEndsItUnderWay(Call call) throws Exception {
        AtomicBoolean flagKept = new AtomicBoolean();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                call.run();
                outcome.complete(new AssertionError("the call returned"));
            } catch (Throwable t) {
                flagKept.set(Thread.currentThread().isInterrupted());
                outcome.complete(t);
            }
        });
        caller.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        caller.getState() == Thread.State.TIMED_WAITING || caller.getState() == Thread.State.WAITING);
        long interruptedAt = System.nanoTime();
        caller.interrupt();
        Throwable t = outcome.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - interruptedAt)).isLessThan(SLACK);
        assertThat(t).isInstanceOfSatisfying(OperationTimeoutException.class, e -> {
            assertThat(e.outcome()).isEqualTo(OperationTimeoutException.Outcome.UNKNOWN);
            assertThat(e).hasMessageContaining("interrupted");
        });
        assertThat(flagKept).as("the interrupt flag is set again").isTrue();
    }

    /** A call that may throw. */
    @FunctionalInterface
    public interface Call {
        /**
         * Makes the call.
         *
         * @throws Exception whatever it throws
         */
        void run() throws Exception;
    }
}
