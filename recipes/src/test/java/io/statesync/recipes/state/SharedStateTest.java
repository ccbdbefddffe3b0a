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
package io.statesync.recipes.state;

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
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API of {@link SharedState} against a real server: values, writes, bad input. */
@Timeout(60)
class SharedStateTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator coordinator;
    private Coordinator other;

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

    private SharedState<Long> counter(Coordinator c) throws InterruptedException {
        SharedState<Long> s =
                SharedState.builder(c, "/app/counter", Codec.longs(), 0L).build();
        s.start();
        assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        return s;
    }

    @Test
    void createsTheInitialValueOnlyIfAbsentAndDeliversInitialFirst() throws Exception {
        Recorder<Long> first = new Recorder<>();
        try (SharedState<Long> a = SharedState.builder(coordinator, "/app/counter", Codec.longs(), 7L)
                .build()) {
            a.addListener(first);
            assertThat(a.get()).isEmpty();
            a.start();
            assertThat(a.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            assertThat(a.get().map(Versioned::value)).contains(7L);
            await().atMost(Duration.ofSeconds(10)).until(() -> !first.changes.isEmpty());
            assertThat(first.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
            assertThat(first.changes.get(0).current().map(Versioned::value)).contains(7L);

            // A second instance with another initial value does not overwrite it.
            try (SharedState<Long> b = SharedState.builder(other, "/app/counter", Codec.longs(), 99L)
                    .build()) {
                b.start();
                assertThat(b.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                assertThat(b.get().map(Versioned::value)).contains(7L);
                // A listener added after start gets INITIAL with the current value.
                Recorder<Long> late = new Recorder<>();
                b.addListener(late);
                await().atMost(Duration.ofSeconds(10)).until(() -> late.changes.size() == 1);
                assertThat(late.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
                assertThat(late.changes.get(0).current()).isEqualTo(b.get());
            }
        }
    }

    @Test
    void writesReachOtherNodesAndReadSeesThemAtOnce() throws Exception {
        try (SharedState<Long> a = counter(coordinator);
                SharedState<Long> b = counter(other)) {
            Recorder<Long> seen = new Recorder<>();
            b.addListener(seen);
            Versioned<Long> written = a.set(5L);
            assertThat(written.value()).isEqualTo(5L);
            assertThat(written.version()).isEqualTo(1);
            assertThat(a.get()).contains(written);
            assertThat(b.read()).contains(written);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.get().equals(java.util.Optional.of(written)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.lastValue("/app/counter").equals(java.util.Optional.of(5L)));
            assertThat(seen.kinds()).containsExactly(ChangeKind.INITIAL, ChangeKind.UPDATED);
            StateChange<Long> update = seen.changes.get(1);
            assertThat(update.previous().map(Versioned::value)).contains(0L);
        }
    }

    @Test
    void compareAndSetReturnsFalseOnConflict() throws Exception {
        try (SharedState<Long> a = counter(coordinator);
                SharedState<Long> b = counter(other)) {
            Versioned<Long> read = a.read().orElseThrow();
            Versioned<Long> base = b.read().orElseThrow();
            Versioned<Long> written = b.compareAndSet(base, 10L).orElseThrow();
            assertThat(written.value()).isEqualTo(10L);
            assertThat(written.version()).isEqualTo(base.version() + 1);
            assertThat(written.mzxid()).isGreaterThan(base.mzxid());
            assertThat(a.compareAndSet(read, 20L)).isEmpty();
            assertThat(a.read().map(Versioned::value)).contains(10L);
            assertThat(a.compareAndSet(a.read().orElseThrow(), 20L)).isPresent();
            assertThat(b.read().map(Versioned::value)).contains(20L);
        }
    }

    @Test
    void updateReturnsWhatItWroteAndConcurrentCallsAreCombinedWithoutLoss() throws Exception {
        try (SharedState<Long> a = counter(coordinator)) {
            Versioned<Long> one = a.update(x -> x + 1);
            assertThat(one.value()).isEqualTo(1L);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Callable<Long>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    calls.add(() -> a.update(x -> x + 1).value());
                }
                List<Future<Long>> results = pool.invokeAll(calls);
                java.util.Set<Long> values = new java.util.HashSet<>();
                for (Future<Long> f : results) {
                    values.add(f.get());
                }
                // Every call got its own result: the functions ran in sequence, exactly once each.
                assertThat(values).hasSize(200);
                assertThat(a.read().map(Versioned::value)).contains(201L);
                // Combining: fewer writes than calls.
                assertThat(a.read().orElseThrow().version()).isLessThanOrEqualTo(201);
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aThrowingFunctionFailsOnlyItsOwnCall() throws Exception {
        try (SharedState<Long> a = counter(coordinator)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> good = new java.util.ArrayList<>();
                List<Future<Long>> bad = new java.util.ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    good.add(pool.submit(() -> a.update(x -> x + 1).value()));
                    bad.add(pool.submit(() -> a.update(x -> {
                                throw new IllegalStateException("refused by the function");
                            })
                            .value()));
                }
                for (Future<Long> f : good) {
                    assertThat(f.get()).isPositive();
                }
                for (Future<Long> f : bad) {
                    assertThatThrownBy(f::get).hasCauseInstanceOf(IllegalStateException.class);
                }
                assertThat(a.read().map(Versioned::value)).contains(40L);
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void deletedAndRecreatedIsDeletedThenCreated() throws Exception {
        try (SharedState<Long> a = counter(coordinator);
                SharedState<Long> b = counter(other)) {
            Recorder<Long> seen = new Recorder<>();
            b.addListener(seen);
            long czxid = a.get().orElseThrow().czxid();
            assertThat(a.delete()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.get().isEmpty());
            assertThat(a.delete()).isFalse();
            Versioned<Long> again = a.update(x -> x + 3);
            assertThat(again.value()).isEqualTo(3L);
            assertThat(again.version()).isZero();
            assertThat(again.czxid()).isGreaterThan(czxid);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 3);
            assertThat(seen.kinds()).containsExactly(ChangeKind.INITIAL, ChangeKind.DELETED, ChangeKind.CREATED);
            assertThat(seen.changes.get(2).current()).contains(again);
            HistoryChecker.assertMonotonic(seen.changes);
        }
    }

    @Test
    void undecodableDataIsReportedAndDeliveryGoesOn() throws Exception {
        try (SharedState<Long> a = counter(coordinator)) {
            Recorder<Long> seen = new Recorder<>();
            a.addListener(seen);
            Versioned<Long> good = a.set(4L);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 2);
            Stat stat = other.curatorFramework()
                    .setData()
                    .forPath("/app/counter", "not a number".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.errors.size() == 1);
            DecodingException error = (DecodingException) seen.errors.get(0);
            assertThat(error.path()).isEqualTo("/app/counter");
            assertThat(error.version()).isEqualTo(stat.getVersion());
            assertThat(a.get()).contains(good);
            assertThatThrownBy(a::read).isInstanceOf(DecodingException.class);

            other.curatorFramework().setData().forPath("/app/counter", "12".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.get().map(Versioned::value).equals(java.util.Optional.of(12L)));
            assertThat(seen.lastValue("/app/counter")).contains(12L);
            assertThat(seen.kinds()).containsExactly(ChangeKind.INITIAL, ChangeKind.UPDATED, ChangeKind.UPDATED);
            // An update over undecodable data fails with the decoding error and writes nothing.
            other.curatorFramework().setData().forPath("/app/counter", new byte[] {(byte) 0xff});
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.errors.size() == 2);
            assertThatThrownBy(() -> a.update(x -> x + 1)).isInstanceOf(DecodingException.class);
        }
    }

    /**
     * With the value limit raised past ZooKeeper's packet limit, a value under the value limit whose
     * whole request (value, paths, marker, headers) is over the packet limit is refused before it is
     * sent, and the connection stays up; the same holds for a tree's compare-and-set and put.
     */
    @Test
    void aWriteWhoseWholeRequestIsOverThePacketLimitIsRefusedBeforeSending() throws Exception {
        try (Coordinator raised = TestNodes.open(zk, zk.connectString(), b -> b.maxValueBytes(2_000_000))) {
            Recorder<String> seen = new Recorder<>();
            String big = "x".repeat(io.statesync.core.internal.RequestSize.limit() - 100);
            try (SharedState<String> s = SharedState.builder(raised, "/app/packet", Codec.utf8(), "ok")
                            .build();
                    io.statesync.recipes.watch.StateTree<String> tree = io.statesync.recipes.watch.StateTree.builder(
                                    raised, "/app/tree", Codec.utf8())
                            .build()) {
                s.addListener(seen);
                s.start();
                tree.start();
                assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                assertThat(tree.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                assertThatThrownBy(() -> s.set(big)).isInstanceOf(ValueTooLargeException.class);
                assertThatThrownBy(() -> s.update(x -> big)).isInstanceOf(ValueTooLargeException.class);
                Versioned<String> small = tree.put("k", "small");
                assertThatThrownBy(() -> tree.put("k", big)).isInstanceOf(ValueTooLargeException.class);
                assertThatThrownBy(() -> tree.compareAndSet("k", small, big))
                        .isInstanceOf(ValueTooLargeException.class);
                assertThat(s.read().map(Versioned::value)).contains("ok");
                assertThat(tree.read("k").map(Versioned::value)).contains("small");
                assertThat(seen.connections).allMatch(e -> e.isConnected());
            }
        }
    }

    @Test
    void oversizedValuesAreRefusedBeforeSending() throws Exception {
        try (Coordinator small = TestNodes.open(zk, zk.connectString(), b -> b.maxValueBytes(16))) {
            Recorder<String> seen = new Recorder<>();
            try (SharedState<String> s =
                    SharedState.builder(small, "/app/text", Codec.utf8(), "ok").build()) {
                s.addListener(seen);
                s.start();
                assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                String big = "x".repeat(17);
                assertThatThrownBy(() -> s.set(big)).isInstanceOf(ValueTooLargeException.class);
                assertThatThrownBy(() -> s.update(x -> big)).isInstanceOf(ValueTooLargeException.class);
                assertThatThrownBy(() -> s.compareAndSet(s.get().orElseThrow(), big))
                        .isInstanceOf(ValueTooLargeException.class);
                assertThat(s.read().map(Versioned::value)).contains("ok");
                assertThat(s.read().orElseThrow().version()).isZero();
                // The connection was never disturbed.
                assertThat(seen.connections).allMatch(e -> e.isConnected());
            }
            assertThatThrownBy(() -> SharedState.builder(small, "/app/big", Codec.utf8(), "y".repeat(17))
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("/app/big");
        }
    }

    @Test
    void badOptionsAreRefusedAtBuildNamingThem() {
        assertThatThrownBy(() -> SharedState.builder(coordinator, "no-slash", Codec.longs(), 0L)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-slash");
        assertThatThrownBy(() -> SharedState.builder(coordinator, "/a//b", Codec.longs(), 0L)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/a//b");
        assertThatThrownBy(() -> SharedState.builder(coordinator, "/a", Codec.longs(), 0L)
                        .maxUpdateAttempts(0)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxUpdateAttempts");
        assertThatThrownBy(() -> SharedState.builder(coordinator, "/a", Codec.longs(), 0L)
                        .maxBackoff(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackoff");
    }
}
