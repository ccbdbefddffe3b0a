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
package io.statesync.recipes.replication;

import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replicated state behind a black-holed connection (a silent partition: nothing is refused,
 * nothing comes back): submit returns at once and its future fails by the command's timeout, an
 * interrupted submitter is neither blocked nor cleared, awaitVersion returns by its timeout, and
 * close returns within 2 s. The session timeout (20 s) is far longer than every deadline here, so
 * nothing but the deadline can end the calls in time. The stated slack is 1 s on a loaded 2-core
 * machine.
 */
@Timeout(120)
class ReplicatedStateDeadlineTest {
    private static final Duration SLACK = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofMillis(800);

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    private <C extends AutoCloseable> C closeLater(C c) {
        return probe.closeLater(c);
    }

    private Coordinator connect(TcpProxy proxy) throws InterruptedException {
        return probe.connect(proxy.connectString(), zk.namespace());
    }

    /** A counter that has applied one command, so it leads and its parts are set up. */
    private ReplicatedState<Long, Long> leadingCounter(TcpProxy proxy, Duration commandTimeout) throws Exception {
        ReplicatedState<Long, Long> r = closeLater(Nodes3.counter(connect(proxy), "/r", "a")
                .commandTimeout(commandTimeout)
                .build());
        r.start();
        assertThat(r.submit(1L, Duration.ofSeconds(30))
                        .get(30, TimeUnit.SECONDS)
                        .position())
                .isZero();
        return r;
    }

    private static void assertFailsInTime(CompletableFuture<?> future, long start, Duration timeout) {
        assertThatThrownBy(() -> future.get(timeout.plus(SLACK).toMillis() + 5_000, TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OperationTimeoutException.class);
        assertThat(millisSince(start)).isLessThan(timeout.plus(SLACK).toMillis());
    }

    @Test
    void aSubmitIntoAPartitionReturnsAtOnceAndItsFutureFailsByItsTimeout() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        ReplicatedState<Long, Long> r = leadingCounter(proxy, Duration.ofSeconds(60));

        proxy.blackhole();
        long start = System.nanoTime();
        CompletableFuture<Applied<Long>> f = r.submit(2L, DEADLINE);
        assertThat(millisSince(start)).isLessThan(SLACK.toMillis());
        assertFailsInTime(f, start, DEADLINE);
        assertThatThrownBy(f::join)
                .cause()
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.UNKNOWN)); // the appender sent it at once
    }

    @Test
    void aSubmitWithoutATimeoutFailsByTheCommandTimeout() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        ReplicatedState<Long, Long> r = leadingCounter(proxy, DEADLINE);

        proxy.blackhole();
        long start = System.nanoTime();
        CompletableFuture<Applied<Long>> f = r.submit(2L);
        assertThat(millisSince(start)).isLessThan(SLACK.toMillis());
        assertFailsInTime(f, start, DEADLINE);
    }

    @Test
    void anInterruptedSubmitterIsNotBlockedAndKeepsItsFlag() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        ReplicatedState<Long, Long> r = leadingCounter(proxy, Duration.ofSeconds(60));

        proxy.blackhole();
        long start = System.nanoTime();
        Thread.currentThread().interrupt();
        CompletableFuture<Applied<Long>> f;
        try {
            f = r.submit(2L, DEADLINE);
            assertThat(Thread.currentThread().isInterrupted())
                    .as("the flag is left as it is")
                    .isTrue();
            // Waiting on the future answers the interrupt at once.
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(millisSince(start)).isLessThan(SLACK.toMillis());
        assertFailsInTime(f, start, DEADLINE);
    }

    @Test
    void awaitVersionIntoAPartitionReturnsFalseByItsTimeout() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        ReplicatedState<Long, Long> r = leadingCounter(proxy, Duration.ofSeconds(60));

        proxy.blackhole();
        r.submit(2L);
        long start = System.nanoTime();
        assertThat(r.awaitVersion(2, DEADLINE)).isFalse();
        assertThat(millisSince(start)).isLessThan(DEADLINE.plus(SLACK).toMillis());
    }

    @Test
    void closeReturnsWithinTwoSecondsBehindAPartitionAndFailsWhatWasPending() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        ReplicatedState<Long, Long> r = leadingCounter(proxy, Duration.ofSeconds(60));

        proxy.blackhole();
        CompletableFuture<Applied<Long>> pending = r.submit(2L);
        long start = System.nanoTime();
        r.close();
        assertThat(millisSince(start))
                .isLessThan(Coordinator.CLOSE_WAIT.plus(SLACK).toMillis());
        assertThat(pending).isCompletedExceptionally();
    }
}
