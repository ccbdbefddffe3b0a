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
package io.statesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent.Kind;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster faults of the test kit: a server killed under a client, and quorum loss. */
@Timeout(120)
class FaultKitClusterTest {
    @RegisterExtension
    final ZooKeeperExtension zk = ZooKeeperExtension.cluster(3);

    private Coordinator connect(Connections events) throws InterruptedException {
        Coordinator c = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(15))
                .connectionTimeout(Duration.ofSeconds(3))
                .build();
        c.addListener(events, Runnable::run);
        c.start();
        c.awaitConnected(Duration.ofSeconds(20));
        return c;
    }

    @Test
    void killingTheConnectedServerFailsTheClientOverWithItsSession() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = connect(events)) {
            Nodes.create(c, "/before", new byte[0], CreateMode.PERSISTENT);
            long session = c.sessionId();
            InstanceSpec connected =
                    zk.connectedServer(c.curatorFramework().getZookeeperClient().getZooKeeper());

            zk.killServer(connected);

            await().atMost(Duration.ofSeconds(30)).until(() -> events.kinds().contains(Kind.RECONNECTED));
            assertThat(events.kinds()).containsSubsequence(Kind.CONNECTED, Kind.SUSPENDED, Kind.RECONNECTED);
            assertThat(c.sessionId()).isEqualTo(session);
            InstanceSpec now =
                    zk.connectedServer(c.curatorFramework().getZookeeperClient().getZooKeeper());
            assertThat(now).isNotEqualTo(connected);
            Nodes.create(c, "/after", new byte[0], CreateMode.PERSISTENT);
            assertThat(Nodes.read(c, "/before")).isPresent();
        }
    }

    @Test
    void losingQuorumStopsTheClientUntilAMajorityIsBack() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = connect(events)) {
            List<InstanceSpec> servers = zk.clusterInstances();
            InstanceSpec first = servers.get(0);
            InstanceSpec second = servers.get(1);

            zk.killServer(first);
            zk.killServer(second);

            await().atMost(Duration.ofSeconds(30)).until(() -> events.kinds().contains(Kind.SUSPENDED));
            assertThat(c.isConnected()).isFalse();

            zk.restartServer(first);
            await().atMost(Duration.ofSeconds(60)).until(c::isConnected);
            Nodes.create(c, "/quorum-back", new byte[0], CreateMode.PERSISTENT);
            assertThat(Nodes.read(c, "/quorum-back")).isPresent();
        }
    }
}
