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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A background pass of the election (join, read the line, claim, release) runs against one
 * deadline, the coordinator's operation timeout, with no retry loop nested in another: behind a
 * black-holed connection it ends at that deadline, so once the link is healed the election acts on
 * the reconnection at once instead of waiting out a retry loop of its own.
 *
 * <p>The coordinator's retry policy sleeps 20 s before every retry and allows many: a pass that
 * retried by that policy on its own would sleep at least 20 s after the connection is declared lost
 * before it tried again. The link is healed as soon as the client declares the connection lost (the
 * session, 20 s, lives on), and the election must lead again within 7 s of that.
 */
@Timeout(90)
class LeaderPassDeadlineTest {

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    @Test
    void aJoinStartedInAPartitionEndsAtItsDeadlineAndTheElectionLeadsPromptlyOnceHealed() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = probe.slowRetrying(proxy.connectString(), zk.namespace(), b -> b);
        CountDownLatch suspended = DeadlineProbe.latchOn(c, ConnectionEvent.Kind.SUSPENDED);

        proxy.blackhole();
        // Started while the client still believes it is connected: its first pass sends its join
        // into the black hole.
        LeaderElection e = probe.closeLater(
                LeaderElection.builder(c, "/el/pass").participantId("a").build());
        e.start();
        assertThat(suspended.await(30, TimeUnit.SECONDS))
                .as("the client declares the connection lost")
                .isTrue();
        proxy.pass();
        long healed = System.nanoTime();

        assertThat(e.awaitLeadership(Duration.ofSeconds(7)))
                .as("leads within 7 s of the link being healed")
                .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - healed)).isLessThan(Duration.ofSeconds(7));
        assertThat(e.participants(Duration.ofSeconds(10)))
                .as("no znode of a join whose answer was lost is left in the line")
                .containsExactly("a");
    }

    @Test
    void aFollowerReadInAPartitionEndsAtItsDeadlineAndTheFollowerTakesOverPromptlyOnceHealed() throws Exception {
        Coordinator other = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection first = probe.closeLater(
                LeaderElection.builder(other, "/el/follow").participantId("a").build());
        first.start();
        assertThat(first.awaitLeadership(Duration.ofSeconds(10))).isTrue();

        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = probe.slowRetrying(proxy.connectString(), zk.namespace(), b -> b);
        CountDownLatch suspended = DeadlineProbe.latchOn(c, ConnectionEvent.Kind.SUSPENDED);
        LeaderElection follower = probe.closeLater(
                LeaderElection.builder(c, "/el/follow").participantId("b").build());
        follower.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> follower.currentLeader().isPresent());

        proxy.blackhole();
        // The follower's watch on the leader cannot reach it; a relinquish starts a pass that
        // re-queues it, whose requests go into the black hole.
        assertThatThrownBy(() -> follower.relinquish(Duration.ofMillis(500)))
                .isInstanceOf(OperationTimeoutException.class);
        assertThat(suspended.await(30, TimeUnit.SECONDS)).isTrue();
        first.close();
        proxy.pass();

        assertThat(follower.awaitLeadership(Duration.ofSeconds(7)))
                .as("the follower leads within 7 s of the link being healed")
                .isTrue();
    }
}
