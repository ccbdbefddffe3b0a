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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Guarantee 5: membership converges on every node after joins, clean leaves, crashes and expiries. */
@Timeout(60)
class GroupMembershipTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** Typed metadata, as a service would register it. */
    record Endpoint(String host, int port) {}

    private static final Codec<Endpoint> CODEC = Codec.json(Endpoint.class);
    private final TestNodes nodes = new TestNodes(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private Coordinator connect(String connectString, Duration session) throws InterruptedException {
        return nodes.connect(connectString, b -> b.sessionTimeout(session).connectionTimeout(Duration.ofSeconds(1)));
    }

    private GroupMembership<Endpoint> join(Coordinator c, String id, int port) {
        GroupMembership<Endpoint> g = GroupMembership.builder(c, "/workers", CODEC)
                .memberId(id)
                .metadata(new Endpoint("10.0.0." + port, port))
                .build();
        nodes.closeLater(g);
        g.start();
        return g;
    }

    private static Versioned<Member<Endpoint>> member(GroupMembership<Endpoint> g, String id) {
        return java.util.Objects.requireNonNull(g.members().get(id), id);
    }

    private static Map<String, Endpoint> view(GroupMembership<Endpoint> g) {
        return g.members().entrySet().stream()
                .collect(Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().value().metadata()));
    }

    private static void awaitAllSee(List<GroupMembership<Endpoint>> groups, String... ids) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> groups.stream().allMatch(g -> g.members().keySet().equals(java.util.Set.of(ids))));
    }

    /** Records member changes and errors. */
    static final class Recorder implements StateListener<Endpoint> {
        final List<StateChange<Endpoint>> changes = new CopyOnWriteArrayList<>();
        final List<StateSyncException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Endpoint> change) {
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
                    .collect(Collectors.toList());
        }
    }

    /** Adapts the Endpoint recorder to the member listener type. */
    private static StateListener<Member<Endpoint>> adapt(Recorder r) {
        return new StateListener<>() {
            @Override
            public void onChange(StateChange<Member<Endpoint>> change) {
                r.onChange(StateChange.of(
                        change.path(),
                        change.kind(),
                        change.previous()
                                .map(v -> v.withValue(v.value().metadata()))
                                .orElse(null),
                        change.current()
                                .map(v -> v.withValue(v.value().metadata()))
                                .orElse(null)));
            }

            @Override
            public void onError(StateSyncException error) {
                r.onError(error);
            }
        };
    }

    @Test
    void joinsMetadataChangesAndCleanLeavesReachEveryNode() throws Exception {
        Duration longSession = Duration.ofSeconds(30);
        GroupMembership<Endpoint> a = join(connect(zk.connectString(), longSession), "a", 1);
        Recorder seenByA = new Recorder();
        a.addListener(adapt(seenByA));
        GroupMembership<Endpoint> b = join(connect(zk.connectString(), longSession), "b", 2);
        GroupMembership<Endpoint> c = join(connect(zk.connectString(), longSession), "c", 3);
        List<GroupMembership<Endpoint>> all = List.of(a, b, c);

        awaitAllSee(all, "a", "b", "c");
        assertThat(view(b)).containsEntry("c", new Endpoint("10.0.0.3", 3));
        assertThat(a.awaitRegistered(Duration.ofSeconds(1))).isTrue();
        Versioned<Member<Endpoint>> cAsSeen = member(b, "c");
        assertThat(cAsSeen.value().sessionId()).isNotZero();

        c.updateMetadata(new Endpoint("10.0.0.33", 33));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> all.stream()
                        .allMatch(g -> member(g, "c").value().metadata().port() == 33));

        long leftAt = System.nanoTime();
        c.close();
        // A clean leave is seen at once, not after the 30 s session timeout.
        awaitAllSee(List.of(a, b), "a", "b");
        assertThat(Duration.ofNanos(System.nanoTime() - leftAt)).isLessThan(Duration.ofSeconds(5));
        List<ChangeKind> kindsOfC = seenByA.kindsFor("/workers/c");
        assertThat(kindsOfC.get(0)).isIn(ChangeKind.INITIAL, ChangeKind.CREATED);
        assertThat(kindsOfC.subList(1, kindsOfC.size())).containsExactly(ChangeKind.UPDATED, ChangeKind.DELETED);

        // A listener added now starts with one INITIAL per member.
        Recorder late = new Recorder();
        b.addListener(adapt(late));
        await().atMost(Duration.ofSeconds(10)).until(() -> late.changes.size() == 2);
        assertThat(late.changes).extracting(StateChange::kind).containsOnly(ChangeKind.INITIAL);
        assertThat(late.changes).extracting(StateChange::path).containsExactly("/workers/a", "/workers/b");
    }

    @Test
    void aCrashedMemberDisappearsAfterItsSessionTimeoutAndAReplacementJoins() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            GroupMembership<Endpoint> a = join(connect(zk.connectString(), Duration.ofSeconds(20)), "a", 1);
            GroupMembership<Endpoint> b = join(connect(zk.connectString(), Duration.ofSeconds(20)), "b", 2);
            GroupMembership<Endpoint> c = join(connect(proxy.connectString(), Duration.ofSeconds(2)), "c", 3);
            awaitAllSee(List.of(a, b, c), "a", "b", "c");
            long firstSession = member(a, "c").value().sessionId();

            proxy.blackhole(); // the process hangs or dies: the server stops hearing from it
            awaitAllSee(List.of(a, b), "a", "b");

            // It is restarted as a new process under the same member id.
            GroupMembership<Endpoint> restarted = join(connect(zk.connectString(), Duration.ofSeconds(20)), "c", 4);
            awaitAllSee(List.of(a, b, restarted), "a", "b", "c");
            assertThat(member(a, "c").value().sessionId()).isNotEqualTo(firstSession);
            assertThat(member(b, "c").value().metadata().port()).isEqualTo(4);
            await().atMost(Duration.ofSeconds(10)).until(() -> !c.isRegistered());
        }
    }

    @Test
    void aMemberRegistersAgainAfterItsSessionExpires() throws Exception {
        Coordinator expiring = connect(zk.connectString(), Duration.ofSeconds(10));
        GroupMembership<Endpoint> a = join(expiring, "a", 1);
        GroupMembership<Endpoint> b = join(connect(zk.connectString(), Duration.ofSeconds(10)), "b", 2);
        Recorder seenByB = new Recorder();
        b.addListener(adapt(seenByB));
        awaitAllSee(List.of(a, b), "a", "b");
        long before = expiring.sessionId();

        Faults.expireSession(
                expiring.curatorFramework().getZookeeperClient().getZooKeeper(),
                zk.connectString(),
                Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> expiring.sessionId() != before
                        && b.members().containsKey("a")
                        && member(b, "a").value().sessionId() == expiring.sessionId());
        awaitAllSee(List.of(a, b), "a", "b");
        assertThat(a.isRegistered()).isTrue();
        assertThat(view(a)).isEqualTo(view(b));
        assertThat(seenByB.kindsFor("/workers/a"))
                .contains(ChangeKind.DELETED)
                .last()
                .isNotEqualTo(ChangeKind.DELETED);
    }

    @Test
    void undecodableMetadataIsReportedAndTheRestIsDelivered() throws Exception {
        Coordinator c = connect(zk.connectString(), Duration.ofSeconds(10));
        GroupMembership<Endpoint> a = join(c, "a", 1);
        Recorder seen = new Recorder();
        a.addListener(adapt(seen));
        awaitAllSee(List.of(a), "a");

        c.curatorFramework()
                .create()
                .withMode(CreateMode.EPHEMERAL)
                .forPath("/workers/broken", "not json".getBytes(StandardCharsets.UTF_8));
        GroupMembership<Endpoint> b = join(connect(zk.connectString(), Duration.ofSeconds(10)), "b", 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.errors.isEmpty());
        assertThat(seen.errors.get(0)).isInstanceOf(DecodingException.class);
        assertThat(seen.errors.get(0).path()).isEqualTo("/workers/broken");
        awaitAllSee(List.of(a, b), "a", "b");
    }

    @Test
    void aTakenMemberIdIsReportedAndTakenOverWhenItsHolderLeaves() throws Exception {
        GroupMembership<Endpoint> first = join(connect(zk.connectString(), Duration.ofSeconds(10)), "same", 1);
        assertThat(first.awaitRegistered(Duration.ofSeconds(10))).isTrue();
        GroupMembership<Endpoint> second = GroupMembership.builder(
                        connect(zk.connectString(), Duration.ofSeconds(10)), "/workers", CODEC)
                .memberId("same")
                .metadata(new Endpoint("10.0.0.2", 2))
                .build();
        nodes.closeLater(second);
        Recorder seen = new Recorder();
        second.addListener(adapt(seen));
        second.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.errors.isEmpty());
        assertThat(seen.errors.get(0).reason()).isEqualTo(StateSyncException.Reason.NODE_EXISTS);
        assertThat(second.isRegistered()).isFalse();

        first.close();
        assertThat(second.awaitRegistered(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> second.members().containsKey("same")
                        && member(second, "same").value().metadata().port() == 2);
    }

    @Test
    void theBuilderNamesTheBadOption() throws Exception {
        Coordinator c = connect(zk.connectString(), Duration.ofSeconds(10));
        assertThatThrownBy(() -> GroupMembership.builder(c, "/g", CODEC)
                        .memberId("a/b")
                        .metadata(new Endpoint("h", 1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/b");
        assertThatThrownBy(() ->
                        GroupMembership.builder(c, "/g", CODEC).memberId("a").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metadata is required");
        assertThatThrownBy(() -> GroupMembership.builder(c, "g", CODEC)
                        .metadata(new Endpoint("h", 1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"g\"");
        GroupMembership<Endpoint> latent = GroupMembership.builder(c, "/g", CODEC)
                .metadata(new Endpoint("h", 1))
                .build();
        assertThatThrownBy(() -> latent.updateMetadata(new Endpoint("h", 2))).isInstanceOf(IllegalStateException.class);
        latent.close();
    }
}
