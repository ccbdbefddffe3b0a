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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.statesync.core.AccessDeniedException;
import io.statesync.core.AclMode;
import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Nodes;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** A member whose znode another client deleted, and a member that may not access its group. */
@Timeout(60)
class MembershipRecoveryTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final TestNodes nodes = new TestNodes(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private Coordinator connect() throws InterruptedException {
        return nodes.connect(zk.connectString(), b -> b);
    }

    private GroupMembership<String> join(Coordinator c, String id, Recorder recorder) {
        GroupMembership<String> g = GroupMembership.builder(c, "/members", Codec.utf8())
                .memberId(id)
                .metadata("meta-" + id)
                .build();
        nodes.closeLater(g);
        g.addListener(recorder);
        g.start();
        return g;
    }

    private static Versioned<Member<String>> member(GroupMembership<String> g, String id) {
        return Objects.requireNonNull(g.members().get(id), id);
    }

    /** Records changes and errors. */
    static final class Recorder implements StateListener<Member<String>> {
        final List<StateChange<Member<String>>> changes = new CopyOnWriteArrayList<>();
        final List<StateSyncException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Member<String>> change) {
            changes.add(change);
        }

        @Override
        public void onError(StateSyncException error) {
            errors.add(error);
        }

        List<ChangeKind> kindsFor(String path) {
            return changes.stream()
                    .filter(c -> c.path().equals(path))
                    .map(StateChange::kind)
                    .toList();
        }
    }

    @Test
    void aMemberWhoseZnodeAnotherClientDeletedRegistersAgainAndTellsItsListeners() throws Exception {
        Coordinator c1 = connect();
        Coordinator c2 = connect();
        Coordinator admin = connect();
        Recorder own = new Recorder();
        Recorder others = new Recorder();
        GroupMembership<String> m1 = join(c1, "m1", own);
        GroupMembership<String> m2 = join(c2, "m2", others);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> m1.members().size() == 2 && m2.members().size() == 2);
        long firstCzxid = member(m2, "m1").czxid();

        Nodes.delete(admin, "/members/m1", -1);

        // The member comes back for the rest of the group, in the same session.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> m2.members().containsKey("m1") && member(m2, "m1").czxid() != firstCzxid);
        assertThat(member(m2, "m1").value().sessionId()).isEqualTo(c1.sessionId());
        await().atMost(Duration.ofSeconds(20)).until(m1::isRegistered);
        assertThat(Nodes.read(admin, "/members/m1")).isPresent();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> others.kindsFor("/members/m1").containsAll(List.of(ChangeKind.DELETED)));
        // Its own listeners saw it leave and come back, and were told why.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> own.kindsFor("/members/m1").contains(ChangeKind.CREATED));
        List<ChangeKind> ownKinds = own.kindsFor("/members/m1");
        assertThat(ownKinds.subList(ownKinds.indexOf(ChangeKind.DELETED), ownKinds.size()))
                .containsSubsequence(ChangeKind.DELETED, ChangeKind.CREATED);
        assertThat(own.errors)
                .anySatisfy(e -> assertThat(e.reason()).isEqualTo(StateSyncException.Reason.NO_NODE))
                .anySatisfy(e -> assertThat(e.getMessage()).contains("/members/m1"));
    }

    @Test
    void isRegisteredIsFalseFromTheDeletionUntilTheMemberIsBack() throws Exception {
        Coordinator c1 = connect();
        Coordinator admin = connect();
        Recorder own = new Recorder();
        GroupMembership<String> m1 = join(c1, "m1", own);
        assertThat(m1.awaitRegistered(Duration.ofSeconds(20))).isTrue();
        assertThat(m1.isRegistered()).isTrue();

        // Another client deletes the member and takes its id: the member cannot register again yet.
        Nodes.transaction(
                admin,
                List.of(
                        admin.curatorFramework().transactionOp().delete().forPath("/members/m1"),
                        admin.curatorFramework()
                                .transactionOp()
                                .create()
                                .withMode(CreateMode.EPHEMERAL)
                                .forPath("/members/m1", "squatter".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(20)).until(() -> !m1.isRegistered());
        assertThat(m1.awaitRegistered(Duration.ofMillis(200))).isFalse();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> own.errors.stream().anyMatch(e -> e.reason() == StateSyncException.Reason.NODE_EXISTS));

        Nodes.delete(admin, "/members/m1", -1);
        assertThat(m1.awaitRegistered(Duration.ofSeconds(20))).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(m1::isRegistered);
        assertThat(member(m1, "m1").value().sessionId()).isEqualTo(c1.sessionId());
    }

    @Test
    void aMemberThatMayNotAccessItsGroupReportsAccessDenied() throws Exception {
        Coordinator owner = nodes.connect(
                zk.connectString(),
                b -> b.digestAuthentication("orders", "s3cret").aclMode(AclMode.CREATOR_ONLY));
        Nodes.create(owner, "/members", new byte[0], CreateMode.PERSISTENT);
        Coordinator stranger = connect();
        Recorder recorder = new Recorder();
        GroupMembership<String> m = join(stranger, "intruder", recorder);

        await().atMost(Duration.ofSeconds(20)).until(() -> !recorder.errors.isEmpty());
        assertThat(recorder.errors.get(0)).isInstanceOf(AccessDeniedException.class);
        assertThat(recorder.errors.get(0).getMessage()).contains("/members");
        assertThatThrownBy(() -> m.awaitRegistered(Duration.ofSeconds(20)))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("/members");
        assertThat(m.isRegistered()).isFalse();
        // Reported once per episode, not once per retry.
        assertThat(recorder.errors).hasSize(1);
    }

    @Test
    void aMemberClosedWhileDisconnectedLeavesOnceReconnectedAndItsCoordinatorClosesWithoutErrors() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        try {
            TcpProxy proxy = TcpProxy.start(zk.connectString());
            nodes.closeLater(proxy);
            Coordinator c = nodes.connect(
                    proxy.connectString(),
                    b -> b.sessionTimeout(Duration.ofSeconds(20)).connectionTimeout(Duration.ofSeconds(2)));
            List<ConnectionEvent.Kind> events = new CopyOnWriteArrayList<>();
            c.addListener(e -> events.add(e.kind()), Runnable::run);
            Coordinator observer = connect();
            GroupMembership<String> watcher = join(observer, "watcher", new Recorder());
            GroupMembership<String> leaving = join(c, "leaving", new Recorder());
            await().atMost(Duration.ofSeconds(20)).until(() -> watcher.members().size() == 2);

            // Closed while disconnected; the coordinator lives on and reconnects in the same session.
            proxy.refuse();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(ConnectionEvent.Kind.SUSPENDED));
            leaving.close();
            proxy.pass();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(ConnectionEvent.Kind.RECONNECTED));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> watcher.members().keySet().equals(Set.of("watcher")));

            // Closed while disconnected, then its coordinator at once: no error is logged.
            GroupMembership<String> again = join(c, "again", new Recorder());
            await().atMost(Duration.ofSeconds(20)).until(() -> watcher.members().size() == 2);
            proxy.refuse();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events.stream()
                                    .filter(k -> k == ConnectionEvent.Kind.SUSPENDED)
                                    .count()
                            == 2);
            again.close();
            c.close();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> watcher.members().keySet().equals(Set.of("watcher")));
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> errors(logs).isEmpty());
        } finally {
            root.detachAppender(logs);
        }
    }

    private static List<String> errors(ListAppender<ILoggingEvent> logs) {
        synchronized (logs.list) {
            return logs.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)
                            || e.getFormattedMessage().contains("not started"))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                    .toList();
        }
    }
}
