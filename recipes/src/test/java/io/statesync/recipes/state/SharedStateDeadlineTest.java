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
package io.statesync.recipes.state;

import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.Versioned;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every blocking call of a shared state returns by its deadline behind a black-holed connection (a
 * silent partition: nothing is refused, nothing comes back), and an interrupt ends it the same way.
 * The session timeout (20 s) is far longer than every deadline here, so nothing but the deadline can
 * end the calls in time. The stated slack is 1 s on a loaded 2-core machine.
 */
@Timeout(120)
class SharedStateDeadlineTest {
    private static final Duration SLACK = Duration.ofSeconds(1);

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

    private Coordinator connect(String connectString, Duration operationTimeout) throws InterruptedException {
        return probe.connect(connectString, zk.namespace(), operationTimeout);
    }

    private SharedState<Long> counter(Coordinator c) throws InterruptedException {
        SharedState<Long> s =
                closeLater(SharedState.builder(c, "/counter", Codec.longs(), 0L).build());
        s.start();
        assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        return s;
    }

    @Test
    void aWriteSentIntoAPartitionEndsAtItsDeadlineWithTheOutcomeUnknown() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        SharedState<Long> state = counter(connect(proxy.connectString(), Duration.ofSeconds(30)));
        state.update(x -> x + 1); // the marker exists: the next write is one multi, sent at once

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> state.update(x -> x + 1, Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(OperationTimeoutException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.UNKNOWN);
                    assertThat(e).hasMessageContaining("/counter");
                });
        assertThat(millisSince(start)).isBetween(1900L, 2000L + SLACK.toMillis());
    }

    @Test
    void theCoordinatorsOperationTimeoutBoundsCallsWithoutOne() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        SharedState<Long> state = counter(connect(proxy.connectString(), Duration.ofMillis(1500)));

        proxy.blackhole();
        for (ThrowingCall call : List.<ThrowingCall>of(
                () -> state.update(x -> x + 1),
                () -> state.set(7L),
                state::read,
                state::delete,
                () -> state.compareAndSet(state.get().orElseThrow(), 9L))) {
            long start = System.nanoTime();
            assertThatThrownBy(call::run).isInstanceOf(OperationTimeoutException.class);
            assertThat(millisSince(start)).isLessThan(1500L + SLACK.toMillis());
        }
    }

    @Test
    void aReadIntoAPartitionEndsAtItsDeadlineAndChangedNothing() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        SharedState<Long> state = counter(connect(proxy.connectString(), Duration.ofSeconds(30)));

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> state.read(Duration.ofMillis(800)))
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.NOT_APPLIED));
        assertThat(millisSince(start)).isBetween(700L, 800L + SLACK.toMillis());
    }

    @Test
    void anInterruptEndsAWriteUnderWayAndKeepsTheFlag() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        SharedState<Long> state = counter(connect(proxy.connectString(), Duration.ofSeconds(60)));
        state.update(x -> x + 1);

        proxy.blackhole();
        DeadlineProbe.assertAnInterruptEndsItUnderWay(() -> state.update(x -> x + 1, Duration.ofSeconds(60)));
    }

    @Test
    void afterAWriteInDoubtTheNextWriteLandsOnceTheConnectionIsBack() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        SharedState<Long> state = counter(connect(proxy.connectString(), Duration.ofSeconds(30)));
        state.update(x -> x + 1);

        proxy.blackhole();
        assertThatThrownBy(() -> state.update(x -> x + 10, Duration.ofMillis(500)))
                .isInstanceOf(OperationTimeoutException.class);
        proxy.pass();
        // The write in doubt may land when the connection is back or may be lost with it; either
        // way the next update applies on the value as it is, once.
        Versioned<Long> after = state.update(x -> x + 100, Duration.ofSeconds(30));
        Versioned<Long> read = state.read(Duration.ofSeconds(30)).orElseThrow();
        assertThat(read.value()).isEqualTo(after.value()).isIn(101L, 111L);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
