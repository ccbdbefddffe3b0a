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
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Nodes;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A member that leaves and joins again between two reads of the group is seen to leave: a new
 * czxid is a new member, reported as DELETED (the old one) then CREATED (the new one), never as a
 * CREATED that silently replaces the old one, with or without a gap in the watcher's connection.
 */
@Timeout(90)
class MembershipRejoinTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final TestNodes nodes = new TestNodes(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private Coordinator connect(String connectString) throws InterruptedException {
        return nodes.connect(
                connectString, b -> b.sessionTimeout(Duration.ofSeconds(30)).connectionTimeout(Duration.ofSeconds(1)));
    }

    private GroupMembership<String> join(Coordinator c, String id) {
        GroupMembership<String> g = GroupMembership.builder(c, "/members", Codec.utf8())
                .memberId(id)
                .metadata("meta-" + id)
                .build();
        nodes.closeLater(g);
        g.start();
        return g;
    }

    private static Versioned<Member<String>> member(GroupMembership<String> g, String id) {
        return Objects.requireNonNull(g.members().get(id), id);
    }

    /** Records changes. */
    static final class Recorder implements StateListener<Member<String>> {
        final List<StateChange<Member<String>>> changes = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Member<String>> change) {
            changes.add(change);
        }

        List<StateChange<Member<String>>> of(String path) {
            return changes.stream().filter(c -> c.path().equals(path)).toList();
        }

        /** Whether the last change of {@code path} delivered shows the znode created at {@code czxid}. */
        boolean lastShows(String path, long czxid) {
            List<StateChange<Member<String>>> of = of(path);
            return !of.isEmpty()
                    && of.get(of.size() - 1)
                            .current()
                            .map(v -> v.czxid() == czxid)
                            .orElse(false);
        }
    }

    /** After the first change of {@code path} (INITIAL or CREATED): DELETED of the old, CREATED of the new. */
    private static void assertLeftThenJoined(Recorder seen, String path, long oldCzxid, long newCzxid) {
        List<StateChange<Member<String>>> changes = seen.of(path);
        assertThat(changes).isNotEmpty();
        assertThat(changes.get(0).kind()).isIn(ChangeKind.INITIAL, ChangeKind.CREATED);
        List<StateChange<Member<String>>> after = changes.subList(1, changes.size());
        assertThat(after).extracting(StateChange::kind).containsExactly(ChangeKind.DELETED, ChangeKind.CREATED);
        assertThat(after.get(0).previous().orElseThrow().czxid()).isEqualTo(oldCzxid);
        assertThat(after.get(0).current()).isEmpty();
        assertThat(after.get(1).previous()).isEmpty();
        assertThat(after.get(1).current().orElseThrow().czxid()).isEqualTo(newCzxid);
    }

    @Test
    void aMemberDeletedAndCreatedAgainAtOnceIsSeenToLeaveThenJoin() throws Exception {
        Coordinator admin = connect(zk.connectString());
        GroupMembership<String> watcher = join(connect(zk.connectString()), "w");
        Recorder seen = new Recorder();
        watcher.addListener(seen);
        Nodes.create(admin, "/members/x", "meta-x".getBytes(StandardCharsets.UTF_8), CreateMode.EPHEMERAL);
        await().atMost(Duration.ofSeconds(20)).until(() -> watcher.members().containsKey("x"));
        long oldCzxid = member(watcher, "x").czxid();

        // Deleted and created again in one transaction: no read of the group can fall in between.
        Nodes.transaction(
                admin,
                List.of(
                        admin.curatorFramework().transactionOp().delete().forPath("/members/x"),
                        admin.curatorFramework()
                                .transactionOp()
                                .create()
                                .withMode(CreateMode.EPHEMERAL)
                                .forPath("/members/x", "meta-x2".getBytes(StandardCharsets.UTF_8))));

        await().atMost(Duration.ofSeconds(20)).until(() -> member(watcher, "x").czxid() != oldCzxid);
        long newCzxid = member(watcher, "x").czxid();
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.lastShows("/members/x", newCzxid));
        assertLeftThenJoined(seen, "/members/x", oldCzxid, newCzxid);
    }

    @Test
    void aMemberWhoseSessionExpiredWhileTheWatcherWasCutOffIsSeenToLeaveThenJoin() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            Coordinator memberCoordinator = connect(zk.connectString());
            GroupMembership<String> m = join(memberCoordinator, "m");
            GroupMembership<String> watcher = join(connect(proxy.connectString()), "w");
            Recorder seen = new Recorder();
            watcher.addListener(seen);
            await().atMost(Duration.ofSeconds(20)).until(() -> watcher.members().containsKey("m") && m.isRegistered());
            long oldCzxid = member(watcher, "m").czxid();
            long oldSession = memberCoordinator.sessionId();

            // The watcher is cut off (and kept off), well within its 30 s session.
            proxy.refuse();
            proxy.cut();
            Faults.expireSession(
                    memberCoordinator.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> memberCoordinator.sessionId() != oldSession
                            && m.isRegistered()
                            && member(m, "m").czxid() != oldCzxid);
            long newCzxid = member(m, "m").czxid();
            proxy.pass();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> member(watcher, "m").czxid() == newCzxid);
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.lastShows("/members/m", newCzxid));
            assertLeftThenJoined(seen, "/members/m", oldCzxid, newCzxid);
        }
    }
}
