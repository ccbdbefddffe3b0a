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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.NotLeaderException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Guarantee 2: a deposed leader's publish is refused, and no node ever applies it. */
@Timeout(60)
class DeposedLeaderTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final long MARK = 1_000_000;

    private final Nodes3 nodes = new Nodes3(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    @Test
    void aLeaderDeposedWhileApplyingNeverPublishes() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Node a's function stalls on the command 100 (ignoring the interrupt that deposition sends)
        // and then answers differently from every other node, so that its result would be visible.
        BiFunction<Long, Long, Long> stalling = (sum, amount) -> {
            if (amount == 100 && entered.getCount() == 1) {
                entered.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        release.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return sum + amount + MARK;
            }
            return sum + amount;
        };
        Coordinator ca = nodes.coordinator();
        Nodes3.Versions va = new Nodes3.Versions();
        ReplicatedState<Long, Long> a = nodes.start(
                nodes.add(ReplicatedState.builder(ca, "/r", Codec.longs(), Codec.longs(), 0L, stalling)
                        .participantId("a")
                        .build()),
                va);
        await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
        Nodes3.Versions vb = new Nodes3.Versions();
        Nodes3.Versions vc = new Nodes3.Versions();
        ReplicatedState<Long, Long> b =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "b").build(), vb);
        ReplicatedState<Long, Long> c =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "c").build(), vc);
        assertThat(b.submit(1L).get(20, TimeUnit.SECONDS).position()).isEqualTo(0);

        var stalled = b.submit(100L);
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
        nodes.expire(ca); // a is deposed while its function runs
        await().atMost(Duration.ofSeconds(20)).until(() -> b.isLeader() || c.isLeader());
        assertThat(stalled.get(20, TimeUnit.SECONDS).position()).isEqualTo(1);
        assertThat(c.awaitVersion(2, Duration.ofSeconds(20))).isTrue();
        assertThat(c.current().value()).isEqualTo(101L);

        release.countDown(); // a's stale apply loop now tries to publish 1_000_101
        var after = a.submit(5L);
        assertThat(after.get(20, TimeUnit.SECONDS).position()).isEqualTo(2);
        for (ReplicatedState<Long, Long> r : List.of(a, b, c)) {
            assertThat(r.awaitVersion(3, Duration.ofSeconds(20))).isTrue();
            assertThat(r.current().value()).isEqualTo(106L);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> va.last() == 106 && vb.last() == 106 && vc.last() == 106);
        for (Nodes3.Versions v : List.of(va, vb, vc)) {
            assertThat(v.values()).allMatch(value -> value < MARK);
            assertThat(v.versions()).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void thePublishOfALeaderWhoseZnodeIsGoneIsRefusedByZooKeeper() throws Exception {
        Coordinator ca = nodes.coordinator();
        Nodes3.Versions vb = new Nodes3.Versions();
        ReplicatedState<Long, Long> a =
                nodes.start(Nodes3.counter(ca, "/r", "a").build(), new Nodes3.Versions());
        await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
        ReplicatedState<Long, Long> b =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "b").build(), vb);
        assertThat(a.submit(7L).get(20, TimeUnit.SECONDS).position()).isEqualTo(0);

        // The znode a leads by, and the publish a would send next: the same guarded multi.
        Coordinator observer = nodes.coordinator();
        String aZnode = null;
        for (String child : observer.curatorFramework().getChildren().forPath("/r/leader")) {
            byte[] data = observer.curatorFramework().getData().forPath("/r/leader/" + child);
            if (new String(data, StandardCharsets.UTF_8).startsWith("a\n")) {
                aZnode = "/r/leader/" + child;
            }
        }
        assertThat(aZnode).isNotNull();
        byte[] forged =
                Published.encode(999, 1, 0, new TreeMap<>(), Codec.longs().encode(MARK));
        int version = Nodes.read(observer, "/r/state").orElseThrow().version();

        nodes.expire(ca);
        await().atMost(Duration.ofSeconds(20)).until(b::isLeader);
        String guard = java.util.Objects.requireNonNull(aZnode);
        assertThatThrownBy(() -> Nodes.guardedWrite(
                        observer,
                        guard,
                        GuardedWrite.of().setData("/r/state", forged, version),
                        p -> new NotLeaderException(p, "deposed: " + p + " is gone", null)))
                .isInstanceOf(NotLeaderException.class)
                .hasMessageContaining(guard);

        assertThat(b.submit(3L).get(20, TimeUnit.SECONDS).position()).isEqualTo(1);
        assertThat(b.awaitVersion(2, Duration.ofSeconds(20))).isTrue();
        assertThat(b.current().value()).isEqualTo(10L);
        assertThat(vb.values()).allMatch(value -> value < MARK);
        assertThat(vb.versions()).allMatch(v -> v <= 2);
    }
}
