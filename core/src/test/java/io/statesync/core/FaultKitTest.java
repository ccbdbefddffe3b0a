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
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each fault helper of the test kit demonstrably causes its fault. */
@Timeout(60)
class FaultKitTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator coordinator(String connectString, Duration sessionTimeout, Connections events) {
        Coordinator c = Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(Duration.ofSeconds(1))
                .build();
        c.addListener(events, Runnable::run);
        c.start();
        return c;
    }

    @Test
    void expireSessionEndsTheSessionOnTheServer() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = coordinator(zk.connectString(), Duration.ofSeconds(10), events)) {
            c.awaitConnected(Duration.ofSeconds(10));
            long before = c.sessionId();
            c.curatorFramework().create().withMode(CreateMode.EPHEMERAL).forPath("/mine");

            Faults.expireSession(
                    c.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(5));

            await().atMost(Duration.ofSeconds(20)).until(() -> events.kinds().contains(Kind.RECONNECTED));
            assertThat(events.kinds()).containsSubsequence(Kind.CONNECTED, Kind.LOST, Kind.RECONNECTED);
            ConnectionEvent reconnected = events.events.get(events.events.size() - 1);
            assertThat(reconnected.isNewSession()).isTrue();
            assertThat(reconnected.sessionId()).isNotEqualTo(before).isEqualTo(c.sessionId());
            assertThat(c.curatorFramework().checkExists().forPath("/mine")).isNull();
        }
    }

    @Test
    void serverRestartSuspendsAndReconnectsTheSameSession() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = coordinator(zk.connectString(), Duration.ofSeconds(20), events)) {
            c.awaitConnected(Duration.ofSeconds(10));
            long before = c.sessionId();

            zk.stopServer();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds().contains(Kind.SUSPENDED));
            zk.restartServer();

            await().atMost(Duration.ofSeconds(20)).until(() -> events.kinds().contains(Kind.RECONNECTED));
            assertThat(events.kinds()).containsExactly(Kind.CONNECTED, Kind.SUSPENDED, Kind.RECONNECTED);
            assertThat(events.events.get(2).isNewSession()).isFalse();
            assertThat(c.sessionId()).isEqualTo(before);
        }
    }

    @Test
    void proxyCutDropsTheConnectionAndTheClientReconnects() throws Exception {
        Connections events = new Connections();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = coordinator(proxy.connectString(), Duration.ofSeconds(20), events)) {
            c.awaitConnected(Duration.ofSeconds(10));
            long before = c.sessionId();

            proxy.cut();

            await().atMost(Duration.ofSeconds(20)).until(() -> events.kinds().contains(Kind.RECONNECTED));
            assertThat(events.kinds()).containsExactly(Kind.CONNECTED, Kind.SUSPENDED, Kind.RECONNECTED);
            assertThat(c.sessionId()).isEqualTo(before);
            assertThat(proxy.acceptedConnections()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void proxyBlackholeIsNoticedOnlyByTimeoutAndHealsWithTheSameSession() throws Exception {
        Connections events = new Connections();
        Duration session = Duration.ofSeconds(10);
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = coordinator(proxy.connectString(), session, events)) {
            c.awaitConnected(Duration.ofSeconds(10));
            long before = c.sessionId();

            long start = System.nanoTime();
            proxy.blackhole();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.kinds().contains(Kind.SUSPENDED));
            Duration noticed = Duration.ofNanos(System.nanoTime() - start);
            // Nothing was closed: the client noticed only by its read timeout (2/3 of the session timeout).
            assertThat(noticed).isGreaterThan(Duration.ofSeconds(5));

            proxy.pass();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.kinds().contains(Kind.RECONNECTED));
            assertThat(c.isConnected()).isTrue();
            assertThat(c.sessionId()).isEqualTo(before);
            assertThat(events.kinds()).containsExactly(Kind.CONNECTED, Kind.SUSPENDED, Kind.RECONNECTED);
        }
    }

    /** Creates {@code path} through the client's raw handle, without waiting; the future holds the reply's code. */
    private static CompletableFuture<Integer> createAsync(Coordinator c, String path) throws Exception {
        CompletableFuture<Integer> reply = new CompletableFuture<>();
        c.curatorFramework()
                .getZookeeperClient()
                .getZooKeeper()
                .create(
                        path,
                        new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT,
                        (rc, p, ctx, name) -> reply.complete(rc),
                        null);
        return reply;
    }

    private static boolean existsOnTheServer(Coordinator observer, String path) throws Exception {
        return observer.curatorFramework().getZookeeperClient().getZooKeeper().exists(path, false) != null;
    }

    @Test
    void proxyDropRepliesLetsTheServerActWhileTheClientNeverHears() throws Exception {
        String path = "/faultkit-drop-replies-" + System.nanoTime();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = coordinator(proxy.connectString(), Duration.ofSeconds(20), new Connections());
                Coordinator observer = coordinator(zk.connectString(), Duration.ofSeconds(20), new Connections())) {
            c.awaitConnected(Duration.ofSeconds(10));
            observer.awaitConnected(Duration.ofSeconds(10));

            proxy.dropReplies();
            CompletableFuture<Integer> reply = createAsync(c, path);

            await().atMost(Duration.ofSeconds(10)).until(() -> existsOnTheServer(observer, path));
            assertThat(reply).as("the reply was dropped").isNotDone();
            proxy.cut();
            assertThat(reply.get(20, TimeUnit.SECONDS))
                    .as("the client learns only that the connection was lost")
                    .isEqualTo(KeeperException.Code.CONNECTIONLOSS.intValue());
        }
    }

    @Test
    void proxyDropRequestsKeepsARequestFromTheServer() throws Exception {
        String path = "/faultkit-drop-requests-" + System.nanoTime();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = coordinator(proxy.connectString(), Duration.ofSeconds(20), new Connections());
                Coordinator observer = coordinator(zk.connectString(), Duration.ofSeconds(20), new Connections())) {
            c.awaitConnected(Duration.ofSeconds(10));
            observer.awaitConnected(Duration.ofSeconds(10));

            proxy.dropRequests();
            CompletableFuture<Integer> reply = createAsync(c, path);

            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.droppedRequestBytes() > 0);
            proxy.cut();
            assertThat(reply.get(20, TimeUnit.SECONDS)).isEqualTo(KeeperException.Code.CONNECTIONLOSS.intValue());
            assertThat(existsOnTheServer(observer, path))
                    .as("the dropped request never reached the server")
                    .isFalse();
            c.awaitConnected(Duration.ofSeconds(20));
            assertThat(createAsync(c, path).get(20, TimeUnit.SECONDS))
                    .as("after the cut the proxy forwards again")
                    .isEqualTo(KeeperException.Code.OK.intValue());
        }
    }

    @Test
    void proxyRefuseKeepsTheClientOutUntilPass() throws Exception {
        Connections events = new Connections();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = coordinator(proxy.connectString(), Duration.ofSeconds(20), events)) {
            c.awaitConnected(Duration.ofSeconds(10));

            proxy.refuse();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds().contains(Kind.SUSPENDED));
            int attempts = proxy.acceptedConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.acceptedConnections() > attempts);
            assertThat(c.isConnected()).isFalse();

            proxy.pass();
            await().atMost(Duration.ofSeconds(20)).until(c::isConnected);
            assertThat(events.kinds()).endsWith(Kind.RECONNECTED);
        }
    }
}
