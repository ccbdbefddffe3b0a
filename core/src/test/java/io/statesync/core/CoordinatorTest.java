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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent.Kind;
import io.statesync.core.internal.Nodes;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The coordinator and the guarded operations every recipe uses, against a real server. */
@Timeout(60)
class CoordinatorTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator.Builder builder() {
        return Coordinator.builder(zk.connectString()).namespace(zk.namespace());
    }

    @Test
    void connectsReportsConnectedAndClosesIdempotently() throws Exception {
        Connections events = new Connections();
        Coordinator c = builder().build();
        c.addListener(events);
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        assertThat(c.isConnected()).isTrue();
        assertThat(c.sessionId()).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.events.isEmpty());
        ConnectionEvent first = events.events.get(0);
        assertThat(first.kind()).isEqualTo(Kind.CONNECTED);
        assertThat(first.isNewSession()).isTrue();
        assertThat(first.isLoss()).isFalse();
        assertThat(first.sessionId()).isEqualTo(c.sessionId());

        assertThatThrownBy(c::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start() may be called once");
        c.close();
        c.close();
        assertThat(c.state()).isEqualTo(LifecycleState.CLOSED);
        assertThat(c.isConnected()).isFalse();
        assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.awaitConnected(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingEndsTheSessionSoEphemeralNodesGoAtOnce() throws Exception {
        try (Coordinator observer = TestNodes.open(builder())) {
            Coordinator c = TestNodes.open(builder());
            c.curatorFramework().create().withMode(CreateMode.EPHEMERAL).forPath("/ephemeral");
            assertThat(Nodes.read(observer, "/ephemeral")).isPresent();
            c.close();
            assertThat(Nodes.read(observer, "/ephemeral")).isEmpty();
        }
    }

    @Test
    void awaitConnectedTimesOutNamingTheConnectString() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + port;
        try (Coordinator c = Coordinator.builder(nowhere)
                .connectionTimeout(Duration.ofMillis(500))
                .sessionTimeout(Duration.ofSeconds(2))
                .build()) {
            c.start();
            assertThatThrownBy(() -> c.awaitConnected(Duration.ofMillis(300)))
                    .isInstanceOf(OperationTimeoutException.class)
                    .hasMessageContaining(nowhere)
                    .extracting(e -> ((StateSyncException) e).reason())
                    .isEqualTo(StateSyncException.Reason.TIMEOUT);
        }
    }

    @Test
    void lossFlagFollowsThePolicy() throws Exception {
        for (ConnectionLossPolicy policy : ConnectionLossPolicy.values()) {
            Connections events = new Connections();
            try (Coordinator c = builder()
                    .connectionLossPolicy(policy)
                    .sessionTimeout(Duration.ofSeconds(20))
                    .build()) {
                c.addListener(events, Runnable::run);
                c.start();
                c.awaitConnected(Duration.ofSeconds(10));
                zk.stopServer();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> events.kinds().contains(Kind.SUSPENDED));
                zk.restartServer();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> events.kinds().contains(Kind.RECONNECTED));
                ConnectionEvent suspended = events.events.get(events.kinds().indexOf(Kind.SUSPENDED));
                assertThat(suspended.isLoss())
                        .as("SUSPENDED under %s", policy)
                        .isEqualTo(policy == ConnectionLossPolicy.ON_SUSPENDED);
            }
        }
    }

    @Test
    void negotiatedSessionTimeoutIsWhatTheServerGranted() throws Exception {
        // The test servers grant at most 60 s; a request for 10 min is narrowed to that.
        try (Coordinator c = TestNodes.open(builder().sessionTimeout(Duration.ofMinutes(10)))) {
            assertThat(c.sessionTimeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(c.negotiatedSessionTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(c.negotiatedSessionTimeout().toMillis())
                    .isEqualTo(c.curatorFramework()
                            .getZookeeperClient()
                            .getZooKeeper()
                            .getSessionTimeout());
        }
    }

    @Test
    void everyThreadComesFromTheGivenFactory() throws Exception {
        java.util.Set<Thread> made = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ThreadFactory factory = r -> {
            Thread t = new Thread(r);
            made.add(t);
            return t;
        };
        java.util.concurrent.CountDownLatch heard = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> listenerThread =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (Coordinator c = builder().threadFactory(factory).build()) {
            c.addListener(event -> {
                listenerThread.set(Thread.currentThread());
                heard.countDown();
            });
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            assertThat(heard.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread listener = java.util.Objects.requireNonNull(listenerThread.get());
            assertThat(made).contains(listener);
            assertThat(listener.getName()).startsWith("statesync-listener-");
            assertThat(listener.isDaemon()).isTrue();
            Thread own = c.internalAccess().newThread("statesync-test-loop", () -> {});
            assertThat(made).contains(own);
            assertThat(own.getName()).isEqualTo("statesync-test-loop");
            assertThat(own.isDaemon()).isTrue();
        }
    }

    /**
     * The namespace's znode is created when the coordinator connects, not by whichever call comes
     * first (Curator creates it in a retrying foreground call, which during a partition holds that
     * caller for minutes).
     */
    @Test
    void theNamespaceIsSetUpWhenTheCoordinatorConnects() throws Exception {
        String ns = zk.namespace() + "-own";
        try (Coordinator c =
                        TestNodes.open(Coordinator.builder(zk.connectString()).namespace(ns));
                Coordinator observer =
                        TestNodes.open(Coordinator.builder(zk.connectString()).namespace(""))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> observer.curatorFramework().checkExists().forPath("/" + ns) != null);
            assertThat(c.isConnected()).isTrue();
        }
    }

    @Test
    void closeBehindASilentPartitionReturnsWithinTheCloseWait() throws Exception {
        try (io.statesync.testkit.TcpProxy proxy = io.statesync.testkit.TcpProxy.start(zk.connectString())) {
            Coordinator c = TestNodes.open(Coordinator.builder(proxy.connectString())
                    .namespace(zk.namespace())
                    .sessionTimeout(Duration.ofSeconds(30)));
            proxy.blackhole();
            long start = System.nanoTime();
            c.close();
            // Without the bound, the close request waits for the client's read timeout (20 s here).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Coordinator.CLOSE_WAIT.plusSeconds(1));
            assertThat(c.state()).isEqualTo(LifecycleState.CLOSED);
        }
    }

    @Test
    void sessionExpiryIsLostThenANewSession() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = builder().sessionTimeout(Duration.ofSeconds(10)).build()) {
            c.addListener(events, Runnable::run);
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            long before = c.sessionId();
            Faults.expireSession(
                    c.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.kinds().contains(Kind.RECONNECTED));
            ConnectionEvent lost = events.events.get(events.kinds().indexOf(Kind.LOST));
            assertThat(lost.isLoss()).isTrue();
            assertThat(lost.sessionId())
                    .as("LOST names the session that was lost")
                    .isEqualTo(before);
            assertThat(events.events
                            .get(events.kinds().lastIndexOf(Kind.RECONNECTED))
                            .isNewSession())
                    .isTrue();
        }
    }

    @Test
    void creatorOnlyAclKeepsOtherIdentitiesOut() throws Exception {
        // A znode carries the ACL of whoever creates it first: the owner creates the namespace and
        // the node before any other client connects (each coordinator sets up its namespace when it
        // connects).
        try (Coordinator owner = TestNodes.open(
                builder().digestAuthentication("orders", "s3cret").aclMode(AclMode.CREATOR_ONLY))) {
            Nodes.create(owner, "/secret", "v1".getBytes(UTF_8), CreateMode.PERSISTENT);
            try (Coordinator sameCredentials = TestNodes.open(builder().digestAuthentication("orders", "s3cret"));
                    Coordinator anonymous = TestNodes.open(builder());
                    Coordinator stranger = TestNodes.open(builder().digestAuthentication("intruder", "guess"))) {
                outsidersAreKeptOut(owner, sameCredentials, anonymous, stranger);
            }
        }
    }

    private void outsidersAreKeptOut(
            Coordinator owner, Coordinator sameCredentials, Coordinator anonymous, Coordinator stranger)
            throws Exception {
        assertThat(Nodes.read(sameCredentials, "/secret").orElseThrow().value()).isEqualTo("v1".getBytes(UTF_8));
        Nodes.write(sameCredentials, "/secret", "v2".getBytes(UTF_8), -1);

        for (Coordinator outsider : List.of(anonymous, stranger)) {
            assertThatThrownBy(() -> Nodes.read(outsider, "/secret"))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("/secret");
            assertThatThrownBy(() -> Nodes.write(outsider, "/secret", "evil".getBytes(UTF_8), -1))
                    .isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> Nodes.delete(outsider, "/secret", -1)).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> Nodes.create(outsider, "/secret/child", new byte[0], CreateMode.PERSISTENT))
                    .isInstanceOf(AccessDeniedException.class);
        }
        assertThat(Nodes.read(owner, "/secret").orElseThrow().value()).isEqualTo("v2".getBytes(UTF_8));
        // The namespace node itself is protected too.
        assertThat(owner.curatorFramework().usingNamespace(null).getACL().forPath("/" + zk.namespace()))
                .allSatisfy(acl -> assertThat(acl.getId().getScheme()).isEqualTo("digest"));
    }

    @Test
    void oversizedValuesAreRefusedBeforeSendingAndTheConnectionStaysUp() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = TestNodes.open(builder().maxValueBytes(1024))) {
            c.addListener(events, Runnable::run);
            long session = c.sessionId();
            Nodes.create(c, "/small", new byte[1024], CreateMode.PERSISTENT);

            assertThatThrownBy(() -> Nodes.create(c, "/big", new byte[1025], CreateMode.PERSISTENT))
                    .isInstanceOf(ValueTooLargeException.class)
                    .hasMessageContaining("/big")
                    .hasMessageContaining("1025 bytes")
                    .hasMessageContaining("1024 bytes")
                    .satisfies(
                            e -> assertThat(((ValueTooLargeException) e).size()).isEqualTo(1025));
            assertThatThrownBy(() -> Nodes.write(c, "/small", new byte[4096], -1))
                    .isInstanceOf(ValueTooLargeException.class);
            CuratorOp a = c.curatorFramework().transactionOp().create().forPath("/t1", new byte[600]);
            CuratorOp b = c.curatorFramework().transactionOp().create().forPath("/t2", new byte[600]);
            assertThatThrownBy(() -> Nodes.transaction(c, List.of(a, b)))
                    .isInstanceOf(ValueTooLargeException.class)
                    .hasMessageContaining("1200 bytes");

            assertThat(Nodes.read(c, "/big")).isEmpty();
            assertThat(Nodes.read(c, "/t1")).isEmpty();
            assertThat(Nodes.read(c, "/small").orElseThrow().version()).isZero();
            assertThat(events.kinds()).doesNotContain(Kind.SUSPENDED, Kind.LOST, Kind.RECONNECTED);
            assertThat(c.sessionId()).isEqualTo(session);
            assertThat(c.isConnected()).isTrue();
        }
    }

    @Test
    void theDefaultLimitStopsARequestTheServerWouldDropTheConnectionFor() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = TestNodes.open(builder())) {
            c.addListener(events, Runnable::run);
            assertThatThrownBy(() -> Nodes.create(c, "/huge", new byte[1_100_000], CreateMode.PERSISTENT))
                    .isInstanceOf(ValueTooLargeException.class);
            Nodes.create(c, "/fits", new byte[1_000_000], CreateMode.PERSISTENT);
            assertThat(Nodes.read(c, "/fits").orElseThrow().value()).hasSize(1_000_000);
            assertThat(events.kinds()).doesNotContain(Kind.SUSPENDED, Kind.LOST, Kind.RECONNECTED);
        }
    }

    @Test
    void invalidPathsFailBeforeAnyNetworkCall() throws Exception {
        Connections events = new Connections();
        try (Coordinator c = TestNodes.open(builder())) {
            c.addListener(events, Runnable::run);
            for (String bad : List.of("relative", "/a/", "/a/../b", "/zookeeper/x", "/a\u0000")) {
                assertThatThrownBy(() -> Nodes.create(c, bad, new byte[0], CreateMode.PERSISTENT))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("invalid path");
                assertThatThrownBy(() -> Nodes.read(c, bad)).isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(c.curatorFramework().getChildren().forPath("/")).isEmpty();
            assertThat(events.kinds()).doesNotContain(Kind.SUSPENDED, Kind.LOST, Kind.RECONNECTED);
        }
    }

    @Test
    void zooKeeperErrorsBecomeTypedErrors() throws Exception {
        try (Coordinator c = TestNodes.open(builder())) {
            Versioned<byte[]> created = Nodes.create(c, "/v", "a".getBytes(UTF_8), CreateMode.PERSISTENT);
            assertThat(created.version()).isZero();
            assertThat(created.czxid()).isEqualTo(created.mzxid());
            Versioned<byte[]> written = Nodes.write(c, "/v", "b".getBytes(UTF_8), 0);
            assertThat(written.version()).isEqualTo(1);
            assertThat(written.mzxid()).isGreaterThan(created.mzxid());
            assertThat(written.czxid()).isEqualTo(created.czxid());

            assertThatThrownBy(() -> Nodes.write(c, "/v", "c".getBytes(UTF_8), 0))
                    .isInstanceOf(VersionConflictException.class)
                    .hasMessageContaining("/v");
            assertThatThrownBy(() -> Nodes.create(c, "/v", new byte[0], CreateMode.PERSISTENT))
                    .isInstanceOf(StateSyncException.class)
                    .extracting(e -> ((StateSyncException) e).reason())
                    .isEqualTo(StateSyncException.Reason.NODE_EXISTS);
            assertThatThrownBy(() -> Nodes.write(c, "/none", new byte[0], -1))
                    .extracting(e -> ((StateSyncException) e).reason())
                    .isEqualTo(StateSyncException.Reason.NO_NODE);
            Nodes.create(c, "/v/child", new byte[0], CreateMode.PERSISTENT);
            assertThatThrownBy(() -> Nodes.delete(c, "/v", -1))
                    .extracting(e -> ((StateSyncException) e).reason())
                    .isEqualTo(StateSyncException.Reason.NOT_EMPTY);
            assertThat(Nodes.delete(c, "/v/child", 0)).isTrue();
            assertThat(Nodes.delete(c, "/v/child", -1)).isFalse();
            Nodes.create(c, "/deep/er/node", new byte[0], CreateMode.PERSISTENT);
            assertThat(Nodes.read(c, "/deep/er")).isPresent();
        }
    }

    @Test
    void aGuardedTransactionLandsOnlyWhileTheGuardExists() throws Exception {
        try (Coordinator c = TestNodes.open(builder())) {
            Nodes.create(c, "/guard", new byte[0], CreateMode.EPHEMERAL);
            Nodes.create(c, "/data", "0".getBytes(UTF_8), CreateMode.PERSISTENT);
            CuratorOp write1 = c.curatorFramework().transactionOp().setData().forPath("/data", "1".getBytes(UTF_8));
            Nodes.guardedTransaction(c, "/guard", List.of(write1), p -> new LockLostException(p, "lost " + p, null));
            assertThat(Nodes.read(c, "/data").map(v -> new String(v.value(), UTF_8)))
                    .contains("1");

            Nodes.delete(c, "/guard", -1);
            CuratorOp write2 = c.curatorFramework().transactionOp().setData().forPath("/data", "2".getBytes(UTF_8));
            CuratorOp create = c.curatorFramework().transactionOp().create().forPath("/other", new byte[0]);
            assertThatThrownBy(() -> Nodes.guardedTransaction(
                            c, "/guard", List.of(write2, create), p -> new LockLostException(p, "lost " + p, null)))
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining("/guard");
            assertThat(Nodes.read(c, "/data").map(v -> new String(v.value(), UTF_8)))
                    .contains("1");
            assertThat(Nodes.read(c, "/other")).isEmpty();
        }
    }

    @Test
    void aFailedTransactionNamesTheFailingOperationAndLandsNothing() throws Exception {
        try (Coordinator c = TestNodes.open(builder())) {
            Nodes.create(c, "/exists", new byte[0], CreateMode.PERSISTENT);
            CuratorOp ok = c.curatorFramework().transactionOp().create().forPath("/fresh", new byte[0]);
            CuratorOp clash = c.curatorFramework().transactionOp().create().forPath("/exists", new byte[0]);
            assertThatThrownBy(() -> Nodes.transaction(c, List.of(ok, clash)))
                    .isInstanceOf(StateSyncException.class)
                    .hasMessageContaining("/exists")
                    .extracting(e -> ((StateSyncException) e).reason())
                    .isEqualTo(StateSyncException.Reason.NODE_EXISTS);
            Optional<Versioned<byte[]>> fresh = Nodes.read(c, "/fresh");
            assertThat(fresh).isEmpty();
        }
    }
}
