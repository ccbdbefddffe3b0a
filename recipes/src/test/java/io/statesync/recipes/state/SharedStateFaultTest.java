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
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.Versioned;
import io.statesync.core.testing.HistoryChecker;
import io.statesync.core.testing.Recorder;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No going back, convergence, and a history consistent with the server's, while ZooKeeper does its
 * worst: sessions expired on the server every 200 ms under a write burst, and a server restart.
 */
@Timeout(120)
class SharedStateFaultTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/burst/value";

    static Coordinator connect(String connectString, String namespace, Duration session) throws InterruptedException {
        return TestNodes.open(Coordinator.builder(connectString)
                .namespace(namespace)
                .sessionTimeout(session)
                .connectionTimeout(Duration.ofSeconds(1)));
    }

    /**
     * Writes 0, 1, 2, ... through {@code writer}, deleting and re-creating the node every 25 writes,
     * recording every stored value and every ended incarnation in {@code history}.
     */
    static Future<Integer> burst(
            ExecutorService pool,
            SharedState<Long> writer,
            HistoryChecker.ServerHistory<Long> history,
            AtomicBoolean running) {
        return pool.submit(() -> {
            int writes = 0;
            while (running.get()) {
                if (writes % 25 == 24) {
                    Versioned<Long> last = writer.read().orElseThrow();
                    assertThat(writer.delete()).isTrue();
                    history.deleted(PATH, last.czxid());
                }
                history.stored(PATH, writer.set((long) writes));
                writes++;
            }
            return writes;
        });
    }

    @Test
    void noGoingBackUnderAWriteBurstWithSessionExpiryEvery200ms() throws Exception {
        expiryBurst(Duration.ofSeconds(5));
    }

    @Test
    @Tag("slow")
    void noGoingBackUnderALongWriteBurstWithSessionExpiryEvery200ms() throws Exception {
        expiryBurst(Duration.ofSeconds(30));
    }

    private void expiryBurst(Duration length) throws Exception {
        HistoryChecker.ServerHistory<Long> history = new HistoryChecker.ServerHistory<>();
        Recorder<Long> recorded = new Recorder<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Coordinator writerC = connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                Coordinator readerC = connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                SharedState<Long> writer =
                        SharedState.builder(writerC, PATH, Codec.longs(), -1L).build();
                SharedState<Long> reader =
                        SharedState.builder(readerC, PATH, Codec.longs(), -1L).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            history.stored(PATH, writer.read().orElseThrow());
            reader.addListener(recorded);
            reader.start();
            assertThat(reader.awaitInitialized(Duration.ofSeconds(10))).isTrue();

            Future<Integer> writes = burst(pool, writer, history, running);
            int expiries = 0;
            long end = System.nanoTime() + length.toNanos();
            long expired = 0;
            while (System.nanoTime() < end) {
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                // Expire the reader's current session once it has one (the last one is gone).
                long previous = expired;
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> readerC.isConnected() && readerC.sessionId() != previous);
                expired = readerC.sessionId();
                Faults.expireSession(
                        readerC.curatorFramework().getZookeeperClient().getZooKeeper(),
                        zk.connectString(),
                        Duration.ofSeconds(5));
                expiries++;
                long left = next - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left); // the fault cadence the issue asks for
                }
            }
            running.set(false);
            assertThat(writes.get(30, TimeUnit.SECONDS)).isPositive();
            // The client needs up to a second to come back after each expiry (ZooKeeper's reconnect delay).
            assertThat(expiries).isGreaterThanOrEqualTo(3);

            // Convergence: after the writes stop, the listener's last value is the server's.
            Optional<Versioned<Long>> server = writer.read();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> recorded.last(PATH).equals(server));
            assertThat(reader.get()).isEqualTo(server);
            HistoryChecker.assertConsistent(recorded.changes, history, true);
            assertThat(recorded.connections.stream().map(ConnectionEvent::kind)).contains(ConnectionEvent.Kind.LOST);
        } finally {
            running.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void withoutFaultsTheHistoryHasNoResyncAndNoGap() throws Exception {
        HistoryChecker.ServerHistory<Long> history = new HistoryChecker.ServerHistory<>();
        Recorder<Long> recorded = new Recorder<>();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Coordinator writerC = connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                Coordinator readerC = connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                SharedState<Long> writer =
                        SharedState.builder(writerC, PATH, Codec.longs(), -1L).build();
                SharedState<Long> reader =
                        SharedState.builder(readerC, PATH, Codec.longs(), -1L).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            history.stored(PATH, writer.read().orElseThrow());
            reader.addListener(recorded);
            reader.start();
            Future<Integer> writes = burst(pool, writer, history, running);
            await().atMost(Duration.ofSeconds(20)).until(() -> recorded.changes.size() > 300);
            running.set(false);
            writes.get(30, TimeUnit.SECONDS);
            Optional<Versioned<Long>> server = writer.read();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> recorded.last(PATH).equals(server));
            HistoryChecker.assertConsistent(recorded.changes, history, false);
            assertThat(recorded.kinds()).contains(ChangeKind.DELETED, ChangeKind.CREATED, ChangeKind.UPDATED);
        } finally {
            running.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void noGoingBackAcrossAServerRestart() throws Exception {
        HistoryChecker.ServerHistory<Long> history = new HistoryChecker.ServerHistory<>();
        Recorder<Long> recorded = new Recorder<>();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Coordinator writerC = connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                Coordinator readerC = connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                SharedState<Long> writer =
                        SharedState.builder(writerC, PATH, Codec.longs(), -1L).build();
                SharedState<Long> reader =
                        SharedState.builder(readerC, PATH, Codec.longs(), -1L).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            history.stored(PATH, writer.read().orElseThrow());
            reader.addListener(recorded);
            reader.start();
            assertThat(reader.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            Future<Integer> writes = burst(pool, writer, history, running);
            await().atMost(Duration.ofSeconds(20)).until(() -> recorded.changes.size() > 50);

            zk.stopServer();
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            recorded.connections.stream().anyMatch(e -> e.kind() == ConnectionEvent.Kind.SUSPENDED));
            zk.restartServer();
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            recorded.connections.stream().anyMatch(e -> e.kind() == ConnectionEvent.Kind.RECONNECTED));
            int before = recorded.changes.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> recorded.changes.size() > before + 50);
            running.set(false);
            writes.get(30, TimeUnit.SECONDS);

            Optional<Versioned<Long>> server = writer.read();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> recorded.last(PATH).equals(server));
            HistoryChecker.assertConsistent(recorded.changes, history, true);
        } finally {
            running.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
