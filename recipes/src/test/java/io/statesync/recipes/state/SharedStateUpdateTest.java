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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.testing.HistoryChecker;
import io.statesync.core.testing.Recorder;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No lost update and no double update: N clients × M {@code update(x -> x + 1)} end at exactly
 * N×M, also while connections are cut; a write whose reply is lost is resolved, never re-applied.
 */
@Timeout(120)
class SharedStateUpdateTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static Coordinator connect(String connectString) throws InterruptedException {
        return TestNodes.open(
                zk,
                connectString,
                b -> b.sessionTimeout(Duration.ofSeconds(20)).connectionTimeout(Duration.ofSeconds(2)));
    }

    @Test
    void fourClientsTimes500IncrementsEndAtExactly2000() throws Exception {
        counters(4, 500, false);
    }

    @Test
    void fourClientsTimes150IncrementsWhileConnectionsAreCut() throws Exception {
        counters(4, 150, true);
    }

    @Test
    @Tag("slow")
    void fourClientsTimes500IncrementsWhileConnectionsAreCut() throws Exception {
        counters(4, 500, true);
    }

    /**
     * Contention without faults, one caller per client, all for the same time: every caller's updates
     * land within the attempt bound, and no caller is starved — each gets a fair share of the updates
     * (a caller that keeps losing the race to the last winner is what makes an update fail).
     */
    @Test
    void contendingClientsEachGetAFairShareAndNoUpdateRunsOutOfAttempts() throws Exception {
        int clients = 3;
        int total = 1_500;
        List<Coordinator> coordinators = new ArrayList<>();
        List<SharedState<Long>> states = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger landed = new AtomicInteger();
        try {
            for (int i = 0; i < clients; i++) {
                Coordinator c = connect(zk.connectString());
                coordinators.add(c);
                SharedState<Long> s =
                        SharedState.builder(c, "/contended", Codec.longs(), 0L).build();
                s.start();
                assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                states.add(s);
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> shares = new ArrayList<>();
            for (SharedState<Long> s : states) {
                shares.add(pool.submit(() -> {
                    go.await();
                    int mine = 0;
                    while (landed.get() < total) {
                        s.update(x -> x + 1);
                        landed.incrementAndGet();
                        mine++;
                    }
                    return mine;
                }));
            }
            go.countDown();
            List<Integer> counts = new ArrayList<>();
            for (Future<Integer> f : shares) {
                counts.add(f.get()); // an update that ran out of attempts fails here
            }
            int sum = counts.stream().mapToInt(Integer::intValue).sum();
            assertThat(states.get(0).read().map(Versioned::value)).contains((long) sum);
            // A fair share is total / clients; a starved caller would get next to nothing.
            assertThat(counts)
                    .as("updates per client")
                    .allSatisfy(n -> assertThat(n).isGreaterThan(total / clients / 4));
            // Every turn taken was given up: no ticket is left to hold later writers back.
            CuratorFramework curator = coordinators.get(0).curatorFramework();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> tickets(curator, "/contended").isEmpty());
        } finally {
            states.forEach(SharedState::close);
            coordinators.forEach(Coordinator::close);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * An interrupt ends an update: before anything was sent with {@link InterruptedException} and
     * nothing written; once its write is under way with {@link OperationTimeoutException} saying
     * whether it may have landed, and the interrupt flag set again. No write counts twice.
     */
    @Test
    void anInterruptEndsAnUpdateAndNoWriteCountsTwice() throws Exception {
        try (Coordinator c = connect(zk.connectString());
                SharedState<Long> s = SharedState.builder(c, "/interrupted", Codec.longs(), 0L)
                        .build()) {
            s.start();
            assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> s.update(x -> x + 1))
                    .isInstanceOf(InterruptedException.class)
                    .hasMessageContaining("not started");
            assertThat(Thread.interrupted())
                    .as("InterruptedException clears the flag")
                    .isFalse();
            assertThat(s.read().map(Versioned::value)).contains(0L);

            ExecutorService one = Executors.newSingleThreadExecutor();
            try {
                CountDownLatch started = new CountDownLatch(1);
                Future<Object[]> writer = one.submit(() -> {
                    started.countDown();
                    long landed = 0;
                    try {
                        while (true) {
                            s.update(x -> x + 1);
                            landed++;
                        }
                    } catch (InterruptedException e) {
                        return new Object[] {landed, e, false};
                    } catch (OperationTimeoutException e) {
                        return new Object[] {landed, e, Thread.currentThread().isInterrupted()};
                    }
                });
                started.await();
                one.shutdownNow(); // interrupts the writer somewhere in its loop
                Object[] end = writer.get(30, TimeUnit.SECONDS);
                long landed = (Long) end[0];
                long value = s.read().orElseThrow().value();
                if (end[1] instanceof OperationTimeoutException timeout) {
                    assertThat((Boolean) end[2]).as("flag set again").isTrue();
                    if (timeout.outcome() == OperationTimeoutException.Outcome.UNKNOWN) {
                        assertThat(value).isIn(landed, landed + 1);
                    } else {
                        assertThat(value).isEqualTo(landed);
                    }
                } else {
                    assertThat(value).isEqualTo(landed);
                }
            } finally {
                one.shutdownNow();
            }
        }
    }

    /**
     * A ticket whose create landed but whose reply was lost would hold the other writers back for as
     * long as its session lives; it is found by the instance's id and deleted on the next connection
     * of the same session.
     */
    @Test
    void aTicketWhoseCreateReplyIsLostIsDeletedOnTheNextConnection() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = connect(proxy.connectString());
                Coordinator observer = connect(zk.connectString())) {
            ZooKeeper handle = c.internalAccess().handle();
            long session = handle.getSessionId();
            Turns turns = new Turns(c, "/orphan");
            try {
                turns.attach(handle);
                c.curatorFramework().createContainers("/.statesync/turns/orphan");
                proxy.dropReplies();
                ExecutorService one = Executors.newSingleThreadExecutor();
                try {
                    Future<?> taking = one.submit(() -> turns.take(handle, Deadline.after(Duration.ofSeconds(30))));
                    // The create reached the server; its reply will not reach the client.
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> tickets(observer.curatorFramework(), "/orphan")
                                            .size()
                                    == 1);
                    proxy.cut();
                    taking.get(30, TimeUnit.SECONDS);
                } finally {
                    one.shutdownNow();
                }
                assertThat(turns.holds(handle)).isFalse();
                await().atMost(Duration.ofSeconds(20))
                        .until(() ->
                                tickets(observer.curatorFramework(), "/orphan").isEmpty());
                assertThat(c.internalAccess().handle().getSessionId())
                        .as("the same session: the ticket did not go with it")
                        .isEqualTo(session);
            } finally {
                turns.detach();
            }
        }
    }

    private static List<String> tickets(CuratorFramework curator, String path) throws Exception {
        try {
            return curator.getChildren().forPath("/.statesync/turns" + path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /**
     * A turn whose holder stopped (here: a ticket another client took and never gives up) holds the
     * other writers back for at most {@code maxBackoff} per attempt; it slows them, never stops them.
     * When the holder's session ends its ticket goes with it.
     */
    @Test
    void aStuckTurnSlowsWritersButDoesNotStopThem() throws Exception {
        try (Coordinator holder = connect(zk.connectString());
                Coordinator c = connect(zk.connectString());
                SharedState<Long> s = SharedState.builder(c, "/stuck", Codec.longs(), 0L)
                        .maxBackoff(Duration.ofMillis(300))
                        .build()) {
            s.start();
            assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            s.update(x -> x + 1); // the writer now watches the turns of /stuck
            holder.curatorFramework()
                    .create()
                    .creatingParentContainersIfNeeded()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath("/.statesync/turns/stuck/t-stuck-");
            s.read(); // its reply comes after the ticket's watch event: the writer knows of the ticket
            long t = System.nanoTime();
            assertThat(s.update(x -> x + 1).value()).isEqualTo(2L);
            assertThat(Duration.ofNanos(System.nanoTime() - t))
                    .as("held back for the stuck turn")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));

            Faults.expireSession(
                    holder.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> tickets(c.curatorFramework(), "/stuck").isEmpty());
            t = System.nanoTime();
            assertThat(s.update(x -> x + 1).value()).isEqualTo(3L);
            assertThat(Duration.ofNanos(System.nanoTime() - t))
                    .as("no turn left to wait for")
                    .isLessThan(Duration.ofMillis(300));
        }
    }

    private void counters(int clients, int increments, boolean cut) throws Exception {
        List<TcpProxy> proxies = new ArrayList<>();
        List<Coordinator> coordinators = new ArrayList<>();
        List<SharedState<Long>> states = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger cuts = new AtomicInteger();
        try {
            for (int i = 0; i < clients; i++) {
                TcpProxy proxy = TcpProxy.start(zk.connectString());
                proxies.add(proxy);
                Coordinator c = connect(proxy.connectString());
                coordinators.add(c);
                SharedState<Long> s =
                        SharedState.builder(c, "/counter", Codec.longs(), 0L).build();
                s.start();
                assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                states.add(s);
            }
            Future<?> chaos = pool.submit(() -> {
                while (cut && writing.get()) {
                    proxies.get(ThreadLocalRandom.current().nextInt(clients)).cut();
                    cuts.incrementAndGet();
                    try {
                        TimeUnit.MILLISECONDS.sleep(100); // fault cadence, not synchronization
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<Future<List<Long>>> results = new ArrayList<>();
            for (SharedState<Long> s : states) {
                results.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int j = 0; j < increments; j++) {
                        mine.add(s.update(x -> x + 1).value());
                    }
                    return mine;
                }));
            }
            java.util.Set<Long> all = new java.util.HashSet<>();
            for (Future<List<Long>> f : results) {
                for (Long v : f.get()) {
                    assertThat(all.add(v))
                            .as("value %s returned to two updates", v)
                            .isTrue();
                }
            }
            writing.set(false);
            chaos.get();
            long expected = (long) clients * increments;
            // Every update returned a distinct value: each was applied exactly once.
            assertThat(all).hasSize((int) expected);
            assertThat(states.get(0).read().map(Versioned::value)).contains(expected);
            // Convergence: every instance lands on the final value.
            for (SharedState<Long> s : states) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> s.get().map(Versioned::value).equals(Optional.of(expected)));
            }
            if (cut) {
                assertThat(cuts.get()).isPositive();
            }
        } finally {
            writing.set(false);
            states.forEach(SharedState::close);
            coordinators.forEach(Coordinator::close);
            proxies.forEach(TcpProxy::close);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void anUpdateWhoseReplyIsLostIsResolvedAsLandedNotAppliedTwice() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = connect(proxy.connectString());
                Coordinator observer = connect(zk.connectString());
                SharedState<Long> s =
                        SharedState.builder(c, "/counter", Codec.longs(), 0L).build();
                SharedState<Long> o = SharedState.builder(observer, "/counter", Codec.longs(), 0L)
                        .build()) {
            s.start();
            o.start();
            assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            assertThat(o.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            s.update(x -> x + 1);
            Recorder<Long> seen = new Recorder<>();
            o.addListener(seen);

            proxy.dropReplies();
            ExecutorService one = Executors.newSingleThreadExecutor();
            try {
                Future<Versioned<Long>> update = one.submit(() -> s.update(x -> x + 1));
                // The server applied it (another client sees it); the writer never got the reply.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> o.read().map(Versioned::value).equals(Optional.of(2L)));
                assertThat(update).isNotDone();
                proxy.cut();
                Versioned<Long> result = update.get(30, TimeUnit.SECONDS);
                assertThat(result.value()).isEqualTo(2L);
                assertThat(o.read().map(Versioned::value)).contains(2L);
                assertThat(o.read().orElseThrow().version()).isEqualTo(2);
                assertThat(result).isEqualTo(o.read().orElseThrow());
            } finally {
                one.shutdownNow();
            }
            // One more update lands on top: nothing was applied twice, nothing lost.
            assertThat(s.update(x -> x + 1).value()).isEqualTo(3L);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.lastValue("/counter").equals(Optional.of(3L)));
            HistoryChecker.assertMonotonic(seen.changes);
        }
    }

    @Test
    void anUpdateWhoseRequestIsLostIsSentAgainExactlyOnce() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator c = connect(proxy.connectString());
                Coordinator observer = connect(zk.connectString());
                SharedState<Long> s =
                        SharedState.builder(c, "/counter", Codec.longs(), 0L).build();
                SharedState<Long> o = SharedState.builder(observer, "/counter", Codec.longs(), 0L)
                        .build()) {
            s.start();
            o.start();
            assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            assertThat(o.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            s.update(x -> x + 1);

            proxy.dropRequests();
            ExecutorService one = Executors.newSingleThreadExecutor();
            try {
                Future<Versioned<Long>> update = one.submit(() -> s.update(x -> x + 10));
                // The request left the client and was lost on the way.
                await().atMost(Duration.ofSeconds(10)).until(() -> proxy.droppedRequestBytes() > 40);
                // Meanwhile another writer moves the value: the lost write must be recomputed on it.
                assertThat(o.update(x -> x * 100).value()).isEqualTo(100L);
                proxy.cut();
                Versioned<Long> result = update.get(30, TimeUnit.SECONDS);
                assertThat(result.value()).isEqualTo(110L);
                assertThat(o.read().map(Versioned::value)).contains(110L);
                assertThat(o.read().orElseThrow().version()).isEqualTo(3);
            } finally {
                one.shutdownNow();
            }
        }
    }
}
