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
package io.statesync.recipes.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the event log's docs promise about its size limit, its append timeout and its
 * event-sourced state's {@code awaitPosition} and snapshot start.
 */
@Timeout(60)
class EventLogPromisesTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final int LIMIT = 10_000;

    /** Every coordinator here: a 20 s session, a 2 s connection timeout, values up to {@link #LIMIT}. */
    private static final UnaryOperator<Coordinator.Builder> SETTINGS = b -> b.sessionTimeout(Duration.ofSeconds(20))
            .connectionTimeout(Duration.ofSeconds(2))
            .maxValueBytes(LIMIT);

    private Coordinator coordinator;

    @BeforeEach
    void connect() throws Exception {
        coordinator = TestNodes.open(zk, zk.connectString(), SETTINGS);
    }

    @AfterEach
    void close() {
        coordinator.close();
    }

    private EventLog<String> log(Coordinator c) {
        EventLog<String> log = EventLog.builder(c, "/log", Codec.utf8())
                .segmentSize(10)
                .groupSize(10)
                .build();
        log.start();
        return log;
    }

    @Test
    void theLargestAcceptedEventIsTheLimitLessTheDocumentedThirtyFourBytesAndTheErrorStatesTheExactSize()
            throws Exception {
        int largest = LIMIT - EventLog.RECORD_OVERHEAD_BYTES;
        assertThat(EventLog.RECORD_OVERHEAD_BYTES).isEqualTo(34);
        try (EventLog<String> log = log(coordinator)) {
            // Both at a segment's first position and in its middle, alone and as a batch of one.
            assertThat(log.append("x".repeat(largest))).isZero();
            assertThat(log.appendAll(List.of("y".repeat(largest)))).isEqualTo(1);
            assertThat(log.read(0, 2)).extracting(e -> e.event().length()).containsExactly(largest, largest);
            assertThatThrownBy(() -> log.append("z".repeat(largest + 1)))
                    .isInstanceOfSatisfying(ValueTooLargeException.class, e -> {
                        assertThat(e.size()).isEqualTo(LIMIT + 1);
                        assertThat(e.limit()).isEqualTo(LIMIT);
                        assertThat(e.getMessage()).contains(Integer.toString(LIMIT + 1));
                    });
            assertThatThrownBy(() -> log.appendAll(List.of("z".repeat(largest + 1))))
                    .isInstanceOfSatisfying(
                            ValueTooLargeException.class,
                            e -> assertThat(e.size()).isEqualTo(LIMIT + 1));
            assertThat(log.endPosition()).isEqualTo(2);
        }
    }

    @Test
    void anOversizedFirstAppendWithTheServerUnreachableIsRefusedAtOnce() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = TestNodes.open(zk, proxy.connectString(), SETTINGS)) {
            try (EventLog<String> log = log(c)) {
                proxy.blackhole();
                long t0 = System.nanoTime();
                CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
                    try {
                        log.append("x".repeat(LIMIT));
                        return null;
                    } catch (Throwable e) {
                        return e;
                    }
                });
                // Refused before any I/O: well under a second, measured with a 3 s allowance for a loaded host.
                Throwable e = thrown.get(3, TimeUnit.SECONDS);
                assertThat(e).isInstanceOf(ValueTooLargeException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
                proxy.pass();
            }
        }
    }

    @Test
    void anAppendThatRunsOutOfTimeSaysWhetherAnythingWasWritten() throws Exception {
        try (EventLog<String> fast = EventLog.builder(coordinator, "/log", Codec.utf8())
                        .segmentSize(10)
                        .groupSize(10)
                        .appendTimeout(Duration.ofNanos(1))
                        .build();
                EventLog<String> other = log(coordinator)) {
            fast.start();
            assertThat(fast.append("first", Duration.ofSeconds(30))).isZero();
            other.appendAll(List.of("b", "c", "d"));
            // The 1 ns append timeout has passed before any reply can come: the append ends with
            // its outcome, NOT_APPLIED only if nothing it sent can land.
            assertThatThrownBy(() -> fast.append("late")).isInstanceOfSatisfying(OperationTimeoutException.class, e -> {
                if (e.outcome() == OperationTimeoutException.Outcome.NOT_APPLIED) {
                    assertThat(e.getMessage()).containsAnyOf("nothing was written", "did not take effect");
                } else {
                    assertThat(e.getMessage()).contains("position 1", "sequence");
                }
            });
            List<String> events =
                    other.read(0, 10).stream().map(LogEvent::event).toList();
            assertThat(events).startsWith("first", "b", "c", "d");
        }
    }

    @Test
    void awaitPositionReturnsFalseOnlyOnTimeoutAndThrowsWhenTheStateHasStopped() throws Exception {
        try (EventLog<String> log = log(coordinator)) {
            log.append("a");
            coordinator
                    .curatorFramework()
                    .create()
                    .forPath("/log/log/0/0/1", "garbage".getBytes(StandardCharsets.UTF_8));
            EventSourcedState<String, String> state =
                    EventSourcedState.builder(log, "", String::concat).build();
            assertThatThrownBy(() -> state.awaitPosition(1, Duration.ofMillis(10)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not started");
            state.start();
            assertThat(state.awaitPosition(1, Duration.ofSeconds(20))).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> state.failure().isPresent());
            assertThatThrownBy(() -> state.awaitPosition(5, Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(StateSyncException.class, e -> {
                        assertThat(e.getCause()).isSameAs(state.failure().get());
                        assertThat(e.getMessage()).contains("stopped at position 1");
                    });
            state.close();
            assertThatThrownBy(() -> state.awaitPosition(5, Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
        try (EventLog<String> log =
                EventLog.builder(coordinator, "/other", Codec.utf8()).build()) {
            log.start();
            try (EventSourcedState<String, String> state =
                    EventSourcedState.builder(log, "", String::concat).build()) {
                state.start();
                assertThat(state.awaitPosition(1, Duration.ofMillis(200))).isFalse();
            }
        }
    }

    @Test
    void anEventSourcedStateTellsWhichSnapshotItStartedFrom() throws Exception {
        try (EventLog<String> log = log(coordinator)) {
            for (int i = 0; i < 7; i++) {
                log.append("e" + i);
            }
            try (EventSourcedState<String, String> first = EventSourcedState.builder(log, "", String::concat)
                    .snapshots(Codec.utf8(), 5)
                    .build()) {
                assertThat(first.startSnapshotPosition()).isEmpty();
                first.start();
                assertThat(first.awaitPosition(7, Duration.ofSeconds(20))).isTrue();
                assertThat(first.startSnapshotPosition()).isEmpty();
            }
            try (EventSourcedState<String, String> second = EventSourcedState.builder(log, "", String::concat)
                    .snapshots(Codec.utf8(), 5)
                    .build()) {
                second.start();
                assertThat(second.awaitPosition(7, Duration.ofSeconds(20))).isTrue();
                assertThat(second.startSnapshotPosition()).hasValue(5);
                assertThat(second.current().value()).isEqualTo("e0e1e2e3e4e5e6");
            }
            try (EventSourcedState<String, String> none =
                    EventSourcedState.builder(log, "", String::concat).build()) {
                none.start();
                assertThat(none.awaitPosition(7, Duration.ofSeconds(20))).isTrue();
                assertThat(none.startSnapshotPosition()).isEmpty();
            }
        }
    }
}
