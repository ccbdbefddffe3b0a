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

import static io.statesync.recipes.DeadlineProbe.assertEndsAtItsDeadline;
import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
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
 * Every blocking call of an event log returns by its deadline behind a black-holed connection (a
 * silent partition: nothing is refused, nothing comes back), an interrupt ends an append under way,
 * and closing the log, a subscription or an event-sourced state returns within 1 s. The session
 * timeout (20 s) is far longer than every deadline here, so nothing but the deadline can end the
 * calls in time. The stated slack is 1 s on a loaded 2-core machine.
 */
@Timeout(120)
class EventLogDeadlineTest {
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

    private TcpProxy proxy() throws Exception {
        return probe.proxy(zk.connectString());
    }

    private Coordinator connect(TcpProxy proxy, Duration operationTimeout) throws InterruptedException {
        return probe.connect(proxy.connectString(), zk.namespace(), operationTimeout);
    }

    private EventLog<String> log(Coordinator c, Duration appendTimeout) {
        EventLog<String> log = closeLater(EventLog.builder(c, "/log", Codec.utf8())
                .appendTimeout(appendTimeout)
                .build());
        log.start();
        return log;
    }

    @Test
    void anAppendSentIntoAPartitionEndsAtItsDeadlineWithTheOutcomeUnknown() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, Duration.ofSeconds(30)), Duration.ofSeconds(30));
        log.append("first"); // the layout and the end of the log are known: the next append is one multi

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> log.append("second", DEADLINE))
                .isInstanceOfSatisfying(OperationTimeoutException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.UNKNOWN);
                    assertThat(e).hasMessageContaining("position 1");
                });
        assertThat(millisSince(start))
                .isBetween(DEADLINE.toMillis() - 100, DEADLINE.plus(SLACK).toMillis());
        assertEndsAtItsDeadline(() -> log.appendAll(List.of("a", "b"), DEADLINE), DEADLINE, Outcome.UNKNOWN);
    }

    @Test
    void anAppendWithoutATimeoutIsBoundByTheAppendTimeout() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, Duration.ofSeconds(30)), DEADLINE);
        log.append("first");

        proxy.blackhole();
        assertEndsAtItsDeadline(() -> log.append("second"), DEADLINE, Outcome.UNKNOWN);
        assertEndsAtItsDeadline(() -> log.appendAll(List.of("a", "b")), DEADLINE, Outcome.UNKNOWN);
    }

    @Test
    void theFirstAppendToAFreshLogEndsAtItsDeadlineHavingWrittenNothing() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, Duration.ofSeconds(30)), Duration.ofSeconds(30));

        proxy.blackhole(); // the log's znodes are read (or created) first: nothing is sent before that
        assertEndsAtItsDeadline(() -> log.append("first", DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
    }

    @Test
    void readsEndAtTheirDeadline() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, Duration.ofSeconds(30)), Duration.ofSeconds(30));
        log.appendAll(List.of("a", "b", "c"));

        proxy.blackhole();
        assertEndsAtItsDeadline(() -> log.read(0, 10, DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> log.endPosition(DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> log.earliestPosition(DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> log.truncateBefore(1, DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
    }

    @Test
    void theCoordinatorsOperationTimeoutBoundsReadsWithoutOne() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, DEADLINE), Duration.ofSeconds(30));
        log.appendAll(List.of("a", "b", "c"));

        proxy.blackhole();
        assertEndsAtItsDeadline(() -> log.read(0, 10), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(log::endPosition, DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(log::earliestPosition, DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> log.truncateBefore(1), DEADLINE, Outcome.NOT_APPLIED);
    }

    @Test
    void anInterruptEndsAnAppendUnderWayAndKeepsTheFlag() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, Duration.ofSeconds(60)), Duration.ofSeconds(60));
        log.append("first");

        proxy.blackhole();
        DeadlineProbe.assertAnInterruptEndsItUnderWay(() -> log.append("second"));
    }

    @Test
    void anInterruptBeforeAnythingIsSentIsAnInterruptedException() throws Exception {
        TcpProxy proxy = proxy();
        EventLog<String> log = log(connect(proxy, Duration.ofSeconds(30)), Duration.ofSeconds(30));
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> log.append("x")).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void closingTheLogASubscriptionAndAnEventSourcedStateReturnsWithinOneSecondBehindAPartition() throws Exception {
        TcpProxy proxy = proxy();
        Coordinator c = connect(proxy, Duration.ofSeconds(30));
        EventLog<String> log = log(c, Duration.ofSeconds(30));
        log.appendAll(List.of("a", "b"));
        EventSubscription<String> sub = log.subscribe(0, change -> {});
        EventSubscription<String> sub2 = log.subscribe(0, change -> {});
        EventSourcedState<String, String> state =
                EventSourcedState.builder(log, "", String::concat).build();
        state.start();
        assertThat(state.awaitPosition(2, Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> sub.position() == 2 && sub2.position() == 2);

        proxy.blackhole();
        // Each follower is (or soon is) waiting for a request that never gets an answer.
        long start = System.nanoTime();
        state.close();
        assertThat(millisSince(start)).isLessThan(1000 + SLACK.toMillis());
        start = System.nanoTime();
        sub.close();
        assertThat(millisSince(start)).isLessThan(1000 + SLACK.toMillis());
        start = System.nanoTime();
        log.close(); // closes sub2
        assertThat(millisSince(start)).isLessThan(1000 + SLACK.toMillis());
    }
}
