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

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.statesync.core.AccessDeniedException;
import io.statesync.core.AclMode;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.NotLeaderException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The typed errors the election promises: {@code NotLeaderException} for a guarded write after the
 * session expired, {@code AccessDeniedException} for a path it may not access, and a clean close in
 * the documented order.
 */
@Timeout(90)
class LeaderErrorsTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final Opened opened = new Opened();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void closeAll() throws Exception {
        try {
            opened.close();
        } finally {
            root.detachAppender(logs);
        }
    }

    /** Log events at ERROR, or mentioning a Curator client that is not started, as text. */
    private List<String> errorLogs() {
        synchronized (logs.list) {
            return logs.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)
                            || e.getFormattedMessage().contains("not started"))
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
                    .toList();
        }
    }

    /** Records errors. */
    static final class Errors implements StateListener<Leadership> {
        final List<StateSyncException> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Leadership> change) {}

        @Override
        public void onError(StateSyncException error) {
            seen.add(error);
        }
    }

    @Test
    void aGuardedWriteAfterTheSessionExpiredThrowsNotLeaderUnderOnLost() throws Exception {
        TcpProxy proxy = opened.add(TcpProxy.start(zk.connectString()));
        Coordinator c = opened.add(Coordinator.builder(proxy.connectString())
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(8))
                .connectionTimeout(Duration.ofSeconds(6))
                .connectionLossPolicy(ConnectionLossPolicy.ON_LOST)
                .build());
        List<ConnectionEvent.Kind> events = new CopyOnWriteArrayList<>();
        c.addListener(e -> events.add(e.kind()), Runnable::run);
        c.start();
        c.awaitConnected(Duration.ofSeconds(20));
        LeaderElection election = opened.add(
                LeaderElection.builder(c, "/election").participantId("a").build());
        election.start();
        assertThat(election.awaitLeadership(Duration.ofSeconds(20))).isTrue();
        election.write(GuardedWrite.of().create("/before", new byte[0]));

        // Cut off: SUSPENDED, which is no loss under ON_LOST, so the node still leads.
        proxy.blackhole();
        await().atMost(Duration.ofSeconds(30)).until(() -> events.contains(ConnectionEvent.Kind.SUSPENDED));
        assertThat(election.isLeader()).isTrue();
        // Meanwhile the server expires the session; the leader has not heard of it yet.
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));

        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                election.write(GuardedWrite.of().create("/after-expiry", new byte[0]), Duration.ofSeconds(30));
                outcome.complete(new AssertionError("the write landed"));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        writer.start();
        // The write waits for its answer (sent asynchronously, queued in the client until it is
        // connected again); then the network heals.
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        (writer.getState() == Thread.State.WAITING || writer.getState() == Thread.State.TIMED_WAITING)
                                && Arrays.stream(writer.getStackTrace())
                                        .anyMatch(f -> f.getClassName().endsWith(".GuardedWrites")));
        proxy.pass();

        Throwable thrown = outcome.get(30, TimeUnit.SECONDS);
        assertThat(thrown)
                .isInstanceOf(NotLeaderException.class)
                .hasMessageContaining("a no longer leads")
                .hasMessageContaining("session");
        await().atMost(Duration.ofSeconds(20)).until(() -> !election.isLeader() || c.isConnected());
        Coordinator observer = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        assertThat(Nodes.read(observer, "/after-expiry")).isEmpty();
        assertThat(Nodes.read(observer, "/before")).isPresent();
    }

    @Test
    void anElectionThatMayNotAccessItsPathReportsAccessDenied() throws Exception {
        // The namespace is open to all (created first, without ACLs); only the election's path is not.
        Coordinator stranger = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        Nodes.create(stranger, "/open", new byte[0], CreateMode.PERSISTENT);
        Coordinator owner = opened.add(Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .digestAuthentication("orders", "s3cret")
                .aclMode(AclMode.CREATOR_ONLY)
                .build());
        owner.start();
        owner.awaitConnected(Duration.ofSeconds(20));
        Nodes.create(owner, "/election", new byte[0], CreateMode.PERSISTENT);
        LeaderElection election = opened.add(
                LeaderElection.builder(stranger, "/election").participantId("s").build());
        Errors errors = new Errors();
        election.addListener(errors);
        election.start();

        long start = System.nanoTime();
        assertThatThrownBy(() -> election.awaitLeadership(Duration.ofSeconds(30)))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("/election");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> !errors.seen.isEmpty());
        assertThat(errors.seen.get(0)).isInstanceOf(AccessDeniedException.class);
        assertThat(errors.seen.get(0).getMessage()).contains("/election");
        // Retried with backoff, reported once, and no error logs on every retry.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> errors.seen.size() == 1);
        assertThat(errorLogs()).isEmpty();
        assertThat(election.isLeader()).isFalse();
    }

    @Test
    void closingTheElectionThenItsCoordinatorLogsNoError() throws Exception {
        Coordinator c = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection leader = LeaderElection.builder(c, "/election")
                .participantId("a")
                .scheduledTask(Duration.ofMillis(20), l -> {})
                .build();
        Coordinator c2 = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection follower =
                LeaderElection.builder(c2, "/election").participantId("b").build();
        leader.start();
        assertThat(leader.awaitLeadership(Duration.ofSeconds(20))).isTrue();
        follower.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.participants().size() == 2);

        // The documented order: recipes first, then their coordinator; a follower (whose watches are
        // still set) and a leader.
        follower.close();
        c2.close();
        leader.close();
        c.close();

        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> errorLogs().isEmpty());
        assertThat(errorLogs()).isEmpty();
    }

    @Test
    void closingTheElectionThenItsCoordinatorWhileDisconnectedLogsNoError() throws Exception {
        TcpProxy proxy = opened.add(TcpProxy.start(zk.connectString()));
        Coordinator c = Coordinator.builder(proxy.connectString())
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(10))
                .connectionTimeout(Duration.ofSeconds(2))
                .build();
        List<ConnectionEvent.Kind> events = new CopyOnWriteArrayList<>();
        c.addListener(e -> events.add(e.kind()), Runnable::run);
        c.start();
        c.awaitConnected(Duration.ofSeconds(20));
        Coordinator c2 = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection leader =
                LeaderElection.builder(c2, "/election").participantId("a").build();
        leader.start();
        assertThat(leader.awaitLeadership(Duration.ofSeconds(20))).isTrue();
        LeaderElection follower =
                LeaderElection.builder(c, "/election").participantId("b").build();
        follower.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.participants().size() == 2);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> follower.currentLeader().isPresent());

        proxy.refuse();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(ConnectionEvent.Kind.SUSPENDED));
        follower.close();
        c.close();

        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(6))
                .until(() -> errorLogs().isEmpty());
        assertThat(errorLogs()).isEmpty();
        // The server removes the follower's znode with its session (closed with the coordinator).
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.participants().size() == 1);
        leader.close();
    }

    @Test
    void anElectionClosedWhileDisconnectedDeletesItsZnodeOnceReconnected() throws Exception {
        TcpProxy proxy = opened.add(TcpProxy.start(zk.connectString()));
        Coordinator c = opened.add(Coordinator.builder(proxy.connectString())
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(20))
                .connectionTimeout(Duration.ofSeconds(2))
                .build());
        List<ConnectionEvent.Kind> events = new CopyOnWriteArrayList<>();
        c.addListener(e -> events.add(e.kind()), Runnable::run);
        c.start();
        c.awaitConnected(Duration.ofSeconds(20));
        long session = c.sessionId();
        Coordinator c2 = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection leader = opened.add(
                LeaderElection.builder(c2, "/election").participantId("a").build());
        leader.start();
        assertThat(leader.awaitLeadership(Duration.ofSeconds(20))).isTrue();
        LeaderElection follower =
                LeaderElection.builder(c, "/election").participantId("b").build();
        follower.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.participants().size() == 2);

        proxy.refuse();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(ConnectionEvent.Kind.SUSPENDED));
        follower.close();
        proxy.pass();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(ConnectionEvent.Kind.RECONNECTED));
        assertThat(c.sessionId()).isEqualTo(session);

        // The coordinator (and its session) lives on; the closed election's znode goes all the same.
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.participants().equals(List.of("a")));
        assertThat(errorLogs()).isEmpty();
    }
}
