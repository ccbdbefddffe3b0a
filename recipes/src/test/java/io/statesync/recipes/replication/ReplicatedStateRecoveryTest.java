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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The leader's reads of the command log run against the coordinator's operation timeout (2 s
 * here), not the retry policy: with a policy that waits 20 s between retries, a leader whose
 * read a black-holed outage caught applies a command submitted after the network heals within
 * seconds. The session (20 s) outlives the outage, and the coordinator keeps leadership through
 * a suspended connection ({@link ConnectionLossPolicy#ON_LOST}), so the same leader resumes.
 */
@Timeout(120)
class ReplicatedStateRecoveryTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    @Test
    void aLeaderCaughtByAnOutageAppliesACommandWithinSecondsAfterItHeals() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = probe.slowRetrying(
                proxy.connectString(), zk.namespace(), b -> b.connectionLossPolicy(ConnectionLossPolicy.ON_LOST));
        ReplicatedState<Long, Long> r =
                probe.closeLater(Nodes3.counter(c, "/r", "a").build());
        r.start();
        assertThat(r.submit(1L, Duration.ofSeconds(30))
                        .get(30, TimeUnit.SECONDS)
                        .position())
                .isZero();

        proxy.blackhole();
        // The leader's follower re-reads the command log at least every 5 s: a read is caught by the
        // outage, and fails when the client notices the loss (2/3 of the session timeout).
        await().atMost(Duration.ofSeconds(40)).until(() -> !c.isConnected());
        proxy.pass();
        c.awaitConnected(Duration.ofSeconds(20));
        assertThat(r.submit(2L, Duration.ofSeconds(8))
                        .get(15, TimeUnit.SECONDS)
                        .state()
                        .value())
                .isEqualTo(3L);
    }
}
