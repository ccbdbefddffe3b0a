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
package io.statesync.recipes.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.StateChange;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import io.statesync.core.testing.HistoryChecker;
import io.statesync.core.testing.Recorder;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API of {@link StateTree} against a real server. */
@Timeout(60)
class StateTreeTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator coordinator;
    private Coordinator other;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void connectAll() throws Exception {
        coordinator = TestNodes.open(zk, zk.connectString(), b -> b);
        other = TestNodes.open(zk, zk.connectString(), b -> b);
    }

    @AfterEach
    void closeAll() {
        coordinator.close();
        other.close();
    }

    private StateTree<String> tree(Coordinator c) throws InterruptedException {
        StateTree<String> t = StateTree.builder(c, "/flags", Codec.utf8()).build();
        t.start();
        assertThat(t.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        return t;
    }

    @Test
    void loadsExistingKeysAsInitialAndFollowsEveryChange() throws Exception {
        other.curatorFramework().create().creatingParentContainersIfNeeded().forPath("/flags/a", utf8("1"));
        other.curatorFramework().create().forPath("/flags/b", utf8("2"));
        other.curatorFramework().create().forPath("/flags/b/deeper", utf8("ignored"));
        Recorder<String> seen = new Recorder<>();
        try (StateTree<String> t =
                StateTree.builder(coordinator, "/flags", Codec.utf8()).build()) {
            t.addListener(seen);
            t.start();
            assertThat(t.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            assertThat(t.snapshot()).containsOnlyKeys("a", "b");
            assertThat(t.get("a").map(Versioned::value)).contains("1");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 2);
            assertThat(seen.kinds()).containsExactly(ChangeKind.INITIAL, ChangeKind.INITIAL);
            assertThat(seen.changes.get(0).path()).isEqualTo("/flags/a");

            other.curatorFramework().setData().forPath("/flags/a", utf8("10"));
            other.curatorFramework().create().forPath("/flags/c", utf8("3"));
            other.curatorFramework().setData().forPath("/flags/b/deeper", utf8("still ignored"));
            other.curatorFramework().delete().forPath("/flags/b/deeper");
            other.curatorFramework().delete().forPath("/flags/b");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 5);
            assertThat(seen.changes.subList(2, 5))
                    .extracting(StateChange::kind, StateChange::path)
                    .containsExactlyInAnyOrder( // order holds per key, not across keys
                            org.assertj.core.groups.Tuple.tuple(ChangeKind.UPDATED, "/flags/a"),
                            org.assertj.core.groups.Tuple.tuple(ChangeKind.CREATED, "/flags/c"),
                            org.assertj.core.groups.Tuple.tuple(ChangeKind.DELETED, "/flags/b"));
            assertThat(t.snapshot()).containsOnlyKeys("a", "c");
            assertThat(t.size()).isEqualTo(2);

            // A listener added now gets INITIAL for every key.
            Recorder<String> late = new Recorder<>();
            t.addListener(late);
            await().atMost(Duration.ofSeconds(10)).until(() -> late.changes.size() == 2);
            assertThat(late.kinds()).containsOnly(ChangeKind.INITIAL);
            HistoryChecker.assertMonotonic(seen.changes);
        }
    }

    @Test
    void putCompareAndSetAndRemove() throws Exception {
        try (StateTree<String> a = tree(coordinator);
                StateTree<String> b = tree(other)) {
            Versioned<String> x = a.put("x", "one");
            assertThat(x.version()).isZero();
            assertThat(a.get("x")).contains(x);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.get("x").equals(Optional.of(x)));
            Versioned<String> x2 = b.put("x", "two");
            assertThat(x2.version()).isEqualTo(1);
            assertThat(a.compareAndSet("x", x, "stale")).isEmpty();
            assertThat(b.compareAndSet("x", x2, "three").map(Versioned::version))
                    .contains(2);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.get("x").map(Versioned::value).equals(Optional.of("three")));
            assertThat(a.remove("x")).isTrue();
            assertThat(a.remove("x")).isFalse();
            assertThat(a.compareAndSet("x", x2, "gone")).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.get("x").isEmpty());
        }
    }

    @Test
    void deletedAndRecreatedKeyIsDeletedThenCreated() throws Exception {
        try (StateTree<String> a = tree(coordinator);
                StateTree<String> b = tree(other)) {
            Recorder<String> seen = new Recorder<>();
            b.addListener(seen);
            Versioned<String> first = a.put("k", "v1");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 1);
            a.remove("k");
            Versioned<String> second = a.put("k", "v1");
            assertThat(second.czxid()).isGreaterThan(first.czxid());
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 3);
            assertThat(seen.kinds()).containsExactly(ChangeKind.CREATED, ChangeKind.DELETED, ChangeKind.CREATED);
            assertThat(seen.changes.get(2).current()).contains(second);
            HistoryChecker.assertMonotonic(seen.changes);
        }
    }

    @Test
    void invalidKeysAndOversizedValuesAreRefusedBeforeAnyNetworkCall() throws Exception {
        try (Coordinator small = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .maxValueBytes(8)
                        .build();
                StateTree<String> latent =
                        StateTree.builder(coordinator, "/flags", Codec.utf8()).build()) {
            // Not even started: a bad key fails before anything else is looked at.
            for (String bad : new String[] {"", "a/b", "..", ".", "bad\u0000key"}) {
                assertThatThrownBy(() -> latent.put(bad, "v")).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> latent.get(bad)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> latent.remove(bad)).isInstanceOf(IllegalArgumentException.class);
            }
            small.start();
            small.awaitConnected(Duration.ofSeconds(10));
            try (StateTree<String> t = tree(small)) {
                assertThatThrownBy(() -> t.put("k", "123456789")).isInstanceOf(ValueTooLargeException.class);
                assertThat(other.curatorFramework().checkExists().forPath("/flags/k"))
                        .isNull();
            }
            assertThatThrownBy(() -> StateTree.builder(coordinator, "flags", Codec.utf8())
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("flags");
        }
    }

    @Test
    void undecodableDataIsReportedAndTheKeyKeepsItsLastGoodValue() throws Exception {
        try (StateTree<Long> t =
                StateTree.builder(coordinator, "/nums", Codec.longs()).build()) {
            Recorder<Long> seen = new Recorder<>();
            t.addListener(seen);
            t.start();
            assertThat(t.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            Versioned<Long> good = t.put("n", 5L);
            Stat stat = other.curatorFramework().setData().forPath("/nums/n", utf8("five"));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.errors.size() == 1);
            DecodingException e = (DecodingException) seen.errors.get(0);
            assertThat(e.path()).isEqualTo("/nums/n");
            assertThat(e.version()).isEqualTo(stat.getVersion());
            assertThat(t.get("n")).contains(good);
            other.curatorFramework().setData().forPath("/nums/n", utf8("6"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> t.get("n").map(Versioned::value).equals(Optional.of(6L)));
            assertThat(seen.kinds()).containsExactly(ChangeKind.CREATED, ChangeKind.UPDATED);
            assertThat(seen.changes.get(1).previous()).contains(good);
        }
    }

    @Test
    void anUndecodableVersionIsReportedOnceAcrossASessionExpiryAndItsSuccessorIsAnUpdate() throws Exception {
        try (StateTree<Long> t =
                StateTree.builder(coordinator, "/nums", Codec.longs()).build()) {
            Recorder<Long> seen = new Recorder<>();
            t.addListener(seen);
            t.start();
            assertThat(t.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            Versioned<Long> good = t.put("n", 5L);
            other.curatorFramework().setData().forPath("/nums/n", utf8("five"));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.errors.size() == 1);

            // The re-read after the expiry finds the same undecodable version: the tree still knows
            // it (its view shows only the last good value), so it is neither reported again nor
            // taken as a gap; the next version is the direct successor, whichever it is read first.
            long session = coordinator.sessionId();
            Faults.expireSession(
                    coordinator.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> coordinator.isConnected() && coordinator.sessionId() != session);
            other.curatorFramework().setData().forPath("/nums/n", utf8("6"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> t.get("n").map(Versioned::value).equals(Optional.of(6L)));
            assertThat(seen.errors).hasSize(1);
            assertThat(seen.kinds()).containsExactly(ChangeKind.CREATED, ChangeKind.UPDATED);
            assertThat(seen.changes.get(1).previous()).contains(good);
        }
    }
}
