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
package io.statesync.recipes.leader;

import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every blocking call of a leader election returns by its deadline behind a black-holed connection
 * (a silent partition), an interrupt ends a guarded write the same way, close returns within its
 * stated bound, and the rules derived from the session timeout use the timeout the server granted.
 * The session timeout (20 s) is far longer than every bound here, so nothing but the deadline can
 * end the calls in time. The stated slack is 1 s on a loaded 2-core machine.
 */
@Timeout(60)
class LeaderDeadlineTest {
    private static final long SLACK_MS = 1000;
    private static final GuardedWrite WRITE =
            GuardedWrite.of().create("/deadline-data", "x".getBytes(StandardCharsets.UTF_8));

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

    private Coordinator connect(String connectString, Duration sessionTimeout, Duration operationTimeout)
            throws InterruptedException {
        Coordinator c = closeLater(Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(sessionTimeout)
                .operationTimeout(operationTimeout)
                .build());
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    private LeaderElection leading(Coordinator c, String path) throws InterruptedException {
        LeaderElection e =
                closeLater(LeaderElection.builder(c, path).participantId("a").build());
        e.start();
        assertThat(e.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        return e;
    }

    @Test
    void aGuardedWriteIntoAPartitionEndsAtItsTimeoutWithTheOutcomeUnknown() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        LeaderElection e =
                leading(connect(proxy.connectString(), Duration.ofSeconds(20), Duration.ofSeconds(30)), "/el/write");

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> e.write(WRITE, Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        ex -> assertThat(ex.outcome()).isEqualTo(Outcome.UNKNOWN));
        assertThat(millisSince(start)).isBetween(1900L, 2000L + SLACK_MS);
    }

    @Test
    void callsWithoutATimeoutEndAtTheOperationTimeout() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        LeaderElection e =
                leading(connect(proxy.connectString(), Duration.ofSeconds(20), Duration.ofMillis(1500)), "/el/plain");

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> e.write(WRITE)).isInstanceOf(OperationTimeoutException.class);
        assertThat(millisSince(start)).as("write()").isLessThan(1500L + SLACK_MS);

        start = System.nanoTime();
        assertThatThrownBy(e::participants)
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        ex -> assertThat(ex.outcome()).isEqualTo(Outcome.NOT_APPLIED));
        assertThat(millisSince(start)).as("participants()").isLessThan(1500L + SLACK_MS);

        start = System.nanoTime();
        assertThatThrownBy(e::relinquish).isInstanceOf(OperationTimeoutException.class);
        assertThat(millisSince(start)).as("relinquish()").isLessThan(1500L + SLACK_MS);
        assertThat(e.isLeader()).as("leadership is given up at once").isFalse();
    }

    @Test
    void anInterruptEndsAGuardedWriteUnderWayAndKeepsTheFlag() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        LeaderElection e = leading(
                connect(proxy.connectString(), Duration.ofSeconds(20), Duration.ofSeconds(60)), "/el/interrupt");

        proxy.blackhole();
        DeadlineProbe.assertAnInterruptEndsItUnderWay(() -> e.write(WRITE, Duration.ofSeconds(60)));
    }

    @Test
    void awaitLeadershipOfAFollowerEndsAtItsTimeoutInAPartition() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = connect(proxy.connectString(), Duration.ofSeconds(20), Duration.ofSeconds(30));
        leading(c, "/el/await");
        LeaderElection follower = closeLater(
                LeaderElection.builder(c, "/el/await").participantId("b").build());
        follower.start();

        proxy.blackhole();
        long start = System.nanoTime();
        assertThat(follower.awaitLeadership(Duration.ofSeconds(1))).isFalse();
        assertThat(millisSince(start)).isBetween(900L, 1000L + SLACK_MS);
    }

    @Test
    void closeOfALeaderReturnsWithinTwoSecondsInAPartition() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        LeaderElection e =
                leading(connect(proxy.connectString(), Duration.ofSeconds(20), Duration.ofSeconds(30)), "/el/close");

        proxy.blackhole();
        long start = System.nanoTime();
        e.close();
        assertThat(millisSince(start)).isLessThan(2000L + SLACK_MS);
    }

    @Test
    void theTakeoverDelayIsDerivedFromTheGrantedSessionTimeout() throws Exception {
        // The test servers grant at most 60 s: a request of 10 minutes is cut down.
        Duration requested = Duration.ofMinutes(10);
        Coordinator c = connect(zk.connectString(), requested, Duration.ofSeconds(10));
        Duration granted = c.negotiatedSessionTimeout();
        assertThat(granted).isLessThan(requested);

        DefaultLeaderElection e = (DefaultLeaderElection) closeLater(LeaderElection.builder(c, "/el/granted")
                .participantId("a")
                .stopTimeout(Duration.ofSeconds(5))
                .build());
        assertThat(e.takeoverDelay()).isEqualTo(Duration.ofSeconds(5).plus(granted.dividedBy(3)));
    }
}
