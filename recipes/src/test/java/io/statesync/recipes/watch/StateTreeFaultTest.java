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
import static org.awaitility.Awaitility.await;

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
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per key: no going back, convergence, and a history consistent with the server's, under a write
 * burst over many keys with the reader's session expired every 200 ms, and across a server
 * restart.
 */
@Timeout(120)
class StateTreeFaultTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final int KEYS = 20;

    private static Coordinator connect() throws InterruptedException {
        return TestNodes.open(
                zk,
                zk.connectString(),
                b -> b.sessionTimeout(Duration.ofSeconds(20)).connectionTimeout(Duration.ofSeconds(1)));
    }

    /** Random puts and removes over KEYS keys, every stored value and ended incarnation recorded. */
    static Future<Integer> burst(
            ExecutorService pool,
            StateTree<Long> writer,
            HistoryChecker.ServerHistory<Long> history,
            AtomicBoolean running) {
        return pool.submit(() -> {
            int writes = 0;
            while (running.get()) {
                String key = "k" + ThreadLocalRandom.current().nextInt(KEYS);
                Optional<Versioned<Long>> before = writer.get(key);
                if (before.isPresent() && ThreadLocalRandom.current().nextInt(10) == 0) {
                    if (writer.remove(key)) {
                        history.deleted("/tree/" + key, before.get().czxid());
                    }
                } else {
                    history.stored("/tree/" + key, writer.put(key, (long) writes));
                }
                writes++;
            }
            return writes;
        });
    }

    static void converged(StateTree<Long> writer, StateTree<Long> reader, Recorder<Long> recorded) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Map<String, Versioned<Long>> server = writer.snapshot();
            Map<String, Versioned<Long>> shown = new HashMap<>();
            for (int i = 0; i < KEYS; i++) {
                String key = "k" + i;
                recorded.last("/tree/" + key).ifPresent(v -> shown.put(key, v));
            }
            return shown.equals(server) && reader.snapshot().equals(server);
        });
    }

    @Test
    void perKeyNoGoingBackWithSessionExpiryEvery200ms() throws Exception {
        expiryBurst(Duration.ofSeconds(5));
    }

    @Test
    @Tag("slow")
    void perKeyNoGoingBackWithSessionExpiryEvery200msLong() throws Exception {
        expiryBurst(Duration.ofSeconds(30));
    }

    private void expiryBurst(Duration length) throws Exception {
        HistoryChecker.ServerHistory<Long> history = new HistoryChecker.ServerHistory<>();
        Recorder<Long> recorded = new Recorder<>();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Coordinator writerC = connect();
                Coordinator readerC = connect();
                StateTree<Long> writer =
                        StateTree.builder(writerC, "/tree", Codec.longs()).build();
                StateTree<Long> reader =
                        StateTree.builder(readerC, "/tree", Codec.longs()).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            reader.addListener(recorded);
            reader.start();
            assertThat(reader.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            Future<Integer> writes = burst(pool, writer, history, running);
            long end = System.nanoTime() + length.toNanos();
            long expired = 0;
            int expiries = 0;
            while (System.nanoTime() < end) {
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
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
            assertThat(expiries).isGreaterThanOrEqualTo(3);
            converged(writer, reader, recorded);
            HistoryChecker.assertConsistent(recorded.changes, history, true);
        } finally {
            running.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void perKeyNoGoingBackAcrossAServerRestart() throws Exception {
        HistoryChecker.ServerHistory<Long> history = new HistoryChecker.ServerHistory<>();
        Recorder<Long> recorded = new Recorder<>();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Coordinator writerC = connect();
                Coordinator readerC = connect();
                StateTree<Long> writer =
                        StateTree.builder(writerC, "/tree", Codec.longs()).build();
                StateTree<Long> reader =
                        StateTree.builder(readerC, "/tree", Codec.longs()).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
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
            converged(writer, reader, recorded);
            HistoryChecker.assertConsistent(recorded.changes, history, true);
        } finally {
            running.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
