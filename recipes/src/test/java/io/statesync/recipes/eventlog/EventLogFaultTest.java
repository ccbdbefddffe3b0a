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
package io.statesync.recipes.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event log's guarantees under real faults: session expiry, server restart and a cut
 * connection while several nodes append and follow.
 */
@Timeout(90)
class EventLogFaultTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    static final BiFunction<Long, String, Long> HASH = (h, e) -> h * 31 + e.hashCode();

    /** One node of the service: a log, a subscriber recording every event, and a folded state. */
    static final class Node implements AutoCloseable {
        final String name;
        final Coordinator coordinator;
        final EventLog<String> log;
        final List<LogEvent<String>> seen = new CopyOnWriteArrayList<>();
        final List<ConnectionEvent> connections = new CopyOnWriteArrayList<>();
        final EventSubscription<String> subscription;
        final EventSourcedState<Long, String> state;

        Node(String name, Coordinator coordinator) {
            this.name = name;
            this.coordinator = coordinator;
            this.log = EventLog.builder(coordinator, "/shared", Codec.utf8())
                    .segmentSize(100)
                    .groupSize(10)
                    .build();
            log.start();
            this.subscription = log.subscribe(0, new StateListener<>() {
                @Override
                public void onChange(StateChange<LogEvent<String>> change) {
                    seen.add(change.current().get().value());
                }

                @Override
                public void onConnection(ConnectionEvent event) {
                    connections.add(event);
                }
            });
            this.state = EventSourcedState.builder(log, 0L, HASH).build();
            state.start();
        }

        @Override
        public void close() {
            state.close();
            log.close();
            coordinator.close();
        }
    }

    @Test
    void threeNodesAppendingThroughExpirySeverRestartAndACutEndIdenticalAndSeeEveryEventOnce() throws Exception {
        int phases = 4;
        int perPhase = 60;
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Node a = new Node("A", EventLogFixtures.connect(zk, zk.connectString()));
                Node b = new Node("B", EventLogFixtures.connect(zk, zk.connectString()));
                Node c = new Node("C", EventLogFixtures.connect(zk, proxy.connectString()))) {
            List<Node> nodes = List.of(a, b, c);
            CyclicBarrier barrier = new CyclicBarrier(nodes.size() + 1);
            Map<Long, String> returned = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
            List<Future<Integer>> appenders = new ArrayList<>();
            for (Node n : nodes) {
                appenders.add(pool.submit(() -> {
                    int count = 0;
                    for (int phase = 0; phase < phases; phase++) {
                        barrier.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < perPhase; i++) {
                            String id = n.name + "-" + phase + "-" + i;
                            if (i % 10 == 9) {
                                List<String> batch = List.of(id + "a", id + "b", id + "c");
                                long first = n.log.appendAll(batch);
                                for (int j = 0; j < batch.size(); j++) {
                                    assertThat(returned.put(first + j, batch.get(j)))
                                            .isNull();
                                }
                                count += batch.size();
                            } else {
                                assertThat(returned.put(n.log.append(id), id)).isNull();
                                count++;
                            }
                        }
                    }
                    return count;
                }));
            }
            try {
                barrier.await(30, TimeUnit.SECONDS); // phase 0: no fault
                long sessionB = b.coordinator.sessionId();
                barrier.await(30, TimeUnit.SECONDS); // phase 1: B's session expires mid-phase
                Faults.expireSession(
                        b.coordinator.curatorFramework().getZookeeperClient().getZooKeeper(),
                        zk.connectString(),
                        Duration.ofSeconds(10));
                barrier.await(30, TimeUnit.SECONDS); // phase 2: the server restarts mid-phase
                zk.stopServer();
                zk.restartServer();
                barrier.await(30, TimeUnit.SECONDS); // phase 3: C's connection is cut mid-phase
                proxy.cut();
                int total = 0;
                for (Future<Integer> f : appenders) {
                    total += f.get(60, TimeUnit.SECONDS);
                }
                long end = total;
                assertThat(a.log.endPosition()).isEqualTo(end);
                for (Node n : nodes) {
                    assertThat(n.state.awaitPosition(end, Duration.ofSeconds(30)))
                            .as(n.name)
                            .isTrue();
                    await().atMost(Duration.ofSeconds(30)).until(() -> n.seen.size() >= end);
                }
                // Every append's returned position holds exactly what it appended.
                assertThat(returned).hasSize(total);
                List<String> expected = new ArrayList<>();
                for (long p = 0; p < end; p++) {
                    expected.add(returned.get(p));
                }
                long hash = 0;
                for (String e : expected) {
                    hash = HASH.apply(hash, e);
                }
                for (Node n : nodes) {
                    assertThat(n.seen).as(n.name).hasSize(total);
                    assertThat(n.seen.stream().map(LogEvent::position).collect(Collectors.toList()))
                            .as(n.name)
                            .containsExactlyElementsOf(EventLogTest.range(0, end));
                    assertThat(n.seen.stream().map(LogEvent::event).collect(Collectors.toList()))
                            .as(n.name)
                            .containsExactlyElementsOf(expected);
                    assertThat(n.state.current().value()).as(n.name).isEqualTo(hash);
                    assertThat(n.subscription.failure()).isEmpty();
                }
                assertThat(new HashSet<>(expected)).hasSize(total);
                // The faults happened, to the nodes that kept following through them.
                assertThat(b.coordinator.sessionId()).isNotEqualTo(sessionB);
                assertThat(b.connections)
                        .anyMatch(e -> e.kind() == ConnectionEvent.Kind.RECONNECTED && e.isNewSession());
                for (Node n : nodes) {
                    assertThat(n.connections.stream().map(ConnectionEvent::kind))
                            .as(n.name)
                            .contains(ConnectionEvent.Kind.SUSPENDED, ConnectionEvent.Kind.RECONNECTED);
                }
                assertThat(proxy.acceptedConnections()).isGreaterThanOrEqualTo(2);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aSubscriberStoppedForTenThousandAppendsResumesFromItsPositionAndSeesEachOnce() throws Exception {
        try (Coordinator writerNode = EventLogFixtures.connect(zk, zk.connectString());
                Coordinator readerNode = EventLogFixtures.connect(zk, zk.connectString());
                EventLog<String> writer =
                        EventLog.builder(writerNode, "/resume", Codec.utf8()).build();
                EventLog<String> reader =
                        EventLog.builder(readerNode, "/resume", Codec.utf8()).build()) {
            writer.start();
            reader.start();
            for (int i = 0; i < 25; i++) {
                writer.append("before-" + i);
            }
            List<LogEvent<String>> first = new CopyOnWriteArrayList<>();
            long resumeAt;
            try (EventSubscription<String> sub = reader.subscribe(
                    0, change -> first.add(change.current().get().value()))) {
                await().atMost(Duration.ofSeconds(20)).until(() -> first.size() == 25);
                resumeAt = sub.position();
            }
            assertThat(resumeAt).isEqualTo(25);
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                batch.add("while-away-" + i);
            }
            for (int i = 0; i < batch.size(); i += 100) {
                writer.appendAll(batch.subList(i, i + 100));
            }
            List<LogEvent<String>> resumed = new CopyOnWriteArrayList<>();
            try (EventSubscription<String> sub = reader.subscribe(
                    resumeAt, change -> resumed.add(change.current().get().value()))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> resumed.size() >= 10_000);
                writer.append("after");
                await().atMost(Duration.ofSeconds(20)).until(() -> resumed.size() >= 10_001);
                assertThat(sub.position()).isEqualTo(10_026);
            }
            assertThat(resumed).hasSize(10_001);
            assertThat(resumed.stream().map(LogEvent::position).collect(Collectors.toList()))
                    .containsExactlyElementsOf(EventLogTest.range(25, 10_026));
            assertThat(resumed.subList(0, 10_000).stream().map(LogEvent::event).collect(Collectors.toList()))
                    .containsExactlyElementsOf(batch);
        }
    }

    @Test
    void anAppendWhoseReplyWasLostIsRecognisedAndLandsOnce() throws Exception {
        try (Coordinator node = EventLogFixtures.connect(zk, zk.connectString())) {
            // The log is built around a store the test holds, to write what a lost reply leaves.
            LogStore store = EventLogFixtures.store(node, "/retry", 10);
            try (EventLog<String> log = EventLogFixtures.log(node, Codec.utf8(), store);
                    EventLog<String> other = EventLog.builder(node, "/retry", Codec.utf8())
                            .segmentSize(10)
                            .build()) {
                log.start();
                other.start();
                log.append("a");
                log.append("b");
                // The first attempt of the next append landed but its reply was lost: its znode is
                // there, carrying this writer's id and the append's sequence number.
                UUID writer = store.writerId();
                byte[] landed = PackFormat.encode(
                        writer.getMostSignificantBits(),
                        writer.getLeastSignificantBits(),
                        store.lastSequence() + 1,
                        List.of(Codec.utf8().encode("c")));
                node.curatorFramework().create().forPath("/retry/log/0/0/2", landed);
                // The retry targets the same position, finds its own znode and lands nothing more.
                assertThat(log.append("c")).isEqualTo(2);
                // A znode at the target written by another writer is not mistaken for ours.
                other.append("d");
                assertThat(log.append("e")).isEqualTo(4);
                assertThat(log.read(0, 10)).extracting(LogEvent::event).containsExactly("a", "b", "c", "d", "e");
            }
        }
    }

    @Test
    void appendsThroughRepeatedlyCutConnectionsEachLandExactlyOnceAtTheReturnedPosition() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator node = EventLogFixtures.connect(zk, proxy.connectString());
                Coordinator observer = EventLogFixtures.connect(zk, zk.connectString());
                EventLog<String> log =
                        EventLog.builder(node, "/cut", Codec.utf8()).build();
                EventLog<String> check =
                        EventLog.builder(observer, "/cut", Codec.utf8()).build()) {
            log.start();
            check.start();
            AtomicInteger done = new AtomicInteger();
            Map<Long, String> returned = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> appender = pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        String id = "cut-" + i;
                        assertThat(returned.put(log.append(id), id)).isNull();
                        done.incrementAndGet();
                    }
                    return null;
                });
                for (int cut = 1; cut <= 4; cut++) {
                    int threshold = cut * 60;
                    await().atMost(Duration.ofSeconds(30)).until(() -> done.get() >= threshold);
                    int connections = proxy.acceptedConnections();
                    proxy.cut();
                    await().atMost(Duration.ofSeconds(30)).until(() -> proxy.acceptedConnections() > connections);
                }
                appender.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            List<LogEvent<String>> all = check.read(0, 1000);
            assertThat(all).hasSize(300);
            Set<String> distinct = new HashSet<>();
            for (LogEvent<String> e : all) {
                assertThat(distinct.add(e.event())).as("duplicate " + e).isTrue();
                assertThat(returned.get(e.position())).isEqualTo(e.event());
            }
            assertThat(proxy.acceptedConnections()).isGreaterThanOrEqualTo(5);
        }
    }
}
