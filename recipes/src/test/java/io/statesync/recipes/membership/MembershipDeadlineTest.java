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
package io.statesync.recipes.membership;

import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every blocking call of a group membership returns by its deadline behind a black-holed
 * connection (a silent partition), an interrupt ends a metadata update the same way, and close
 * returns within its stated bound. The session timeout (20 s) is far longer than every bound here,
 * so nothing but the deadline can end the calls in time. The stated slack is 1 s on a loaded 2-core
 * machine.
 */
@Timeout(60)
class MembershipDeadlineTest {
    private static final long SLACK_MS = 1000;

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

    private Coordinator connect(TcpProxy proxy, Duration operationTimeout) throws InterruptedException {
        return probe.connect(proxy.connectString(), zk.namespace(), operationTimeout);
    }

    private GroupMembership<String> registered(TcpProxy proxy, Duration operationTimeout, String path)
            throws InterruptedException {
        return registered(connect(proxy, operationTimeout), path);
    }

    private GroupMembership<String> registered(Coordinator c, String path) throws InterruptedException {
        GroupMembership<String> g = closeLater(GroupMembership.builder(c, path, Codec.utf8())
                .memberId("m1")
                .metadata("v1")
                .build());
        g.start();
        assertThat(g.awaitRegistered(Duration.ofSeconds(10))).isTrue();
        return g;
    }

    @Test
    void aMetadataUpdateIntoAPartitionEndsAtItsTimeout() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        GroupMembership<String> g = registered(proxy, Duration.ofSeconds(30), "/members/update");

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> g.updateMetadata("v2", Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.UNKNOWN));
        assertThat(millisSince(start)).isBetween(1900L, 2000L + SLACK_MS);
    }

    @Test
    void anUpdateWithoutATimeoutEndsAtTheOperationTimeout() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        GroupMembership<String> g = registered(proxy, Duration.ofMillis(1500), "/members/plain");

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> g.updateMetadata("v2")).isInstanceOf(OperationTimeoutException.class);
        assertThat(millisSince(start)).isLessThan(1500L + SLACK_MS);
    }

    @Test
    void anInterruptEndsAnUpdateUnderWayAndKeepsTheFlag() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        GroupMembership<String> g = registered(proxy, Duration.ofSeconds(60), "/members/interrupt");

        proxy.blackhole();
        DeadlineProbe.assertAnInterruptEndsItUnderWay(() -> g.updateMetadata("v2", Duration.ofSeconds(60)));
    }

    @Test
    void awaitRegisteredEndsAtItsTimeoutInAPartition() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = connect(proxy, Duration.ofSeconds(30));
        registered(c, "/members/await");

        proxy.blackhole();
        GroupMembership<String> second = closeLater(GroupMembership.builder(c, "/members/await", Codec.utf8())
                .memberId("m2")
                .metadata("v1")
                .build());
        second.start();
        long start = System.nanoTime();
        assertThat(second.awaitRegistered(Duration.ofSeconds(1))).isFalse();
        assertThat(millisSince(start)).isBetween(900L, 1000L + SLACK_MS);
    }

    @Test
    void closeReturnsWithinTwoSecondsInAPartition() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        GroupMembership<String> g = registered(proxy, Duration.ofSeconds(30), "/members/close");

        proxy.blackhole();
        long start = System.nanoTime();
        g.close();
        assertThat(millisSince(start)).isLessThan(2000L + SLACK_MS);
    }
}
