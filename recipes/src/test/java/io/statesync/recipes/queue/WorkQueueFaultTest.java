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
package io.statesync.recipes.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.LockLostException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 1 of the work queue: 4 producers x 1,250 items (x 5,000 in the {@code slow} variant,
 * run with {@code -Pfull}) and 4 consumers, one consumer's session
 * expired by the server while it holds a claim and another killed (its connection closed, no ack)
 * while it holds one. In the end every item is acknowledged exactly once, the items delivered more
 * than once are exactly the two whose claimer died, none is lost and none is left.
 */
@Timeout(360)
class WorkQueueFaultTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final int PRODUCERS = 4;

    private Coordinator connect() throws InterruptedException {
        return TestNodes.open(zk, zk.connectString(), b -> b.sessionTimeout(Duration.ofSeconds(30)));
    }

    private static WorkQueue<String> queue(Coordinator c) {
        WorkQueue<String> q = WorkQueue.builder(c, "/work", Codec.utf8())
                .segmentSize(500)
                .maxDeliveries(10)
                .build();
        q.start();
        return q;
    }

    /** A consumer that, when told to, stops holding its current claim until released. */
    private static final class Consumer implements Runnable {
        final String name;
        final WorkQueue<String> queue;
        final Map<String, AtomicInteger> acks;
        final Map<String, Integer> deliveries;
        final AtomicInteger done;
        final int total;
        volatile boolean freezeNext;
        final CountDownLatch frozen = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicReference<String> heldWhenFrozen = new AtomicReference<>();
        final AtomicReference<Throwable> ackAfterResume = new AtomicReference<>();
        volatile boolean exitAfterFreeze;

        Consumer(
                String name,
                WorkQueue<String> queue,
                Map<String, AtomicInteger> acks,
                Map<String, Integer> deliveries,
                AtomicInteger done,
                int total) {
            this.name = name;
            this.queue = queue;
            this.acks = acks;
            this.deliveries = deliveries;
            this.done = done;
            this.total = total;
        }

        @Override
        public void run() {
            try {
                while (done.get() < total) {
                    Optional<Claim<String>> taken = queue.take(Duration.ofMillis(500));
                    if (taken.isEmpty()) {
                        continue;
                    }
                    Claim<String> claim = taken.get();
                    deliveries.merge(claim.value(), claim.deliveryCount(), Math::max);
                    if (freezeNext) {
                        freezeNext = false;
                        heldWhenFrozen.set(claim.value());
                        frozen.countDown();
                        resume.await();
                        if (exitAfterFreeze) {
                            return; // killed: never acks, never releases
                        }
                        try {
                            claim.ack();
                            ackAfterResume.set(new AssertionError("ack after the session expired succeeded"));
                        } catch (LockLostException expected) {
                            ackAfterResume.set(expected);
                        }
                        continue;
                    }
                    claim.ack();
                    acks.computeIfAbsent(claim.value(), k -> new AtomicInteger())
                            .incrementAndGet();
                    done.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                throw new AssertionError(name + " failed", e);
            }
        }
    }

    @Test
    void everyItemIsAcknowledgedExactlyOnceThroughSessionExpiryAndAKilledConsumer() throws Exception {
        // The faults strike as soon as the producers have started; the slow variant adds volume,
        // not another fault.
        exactlyOnceThroughSessionExpiryAndAKilledConsumer(1_250);
    }

    @Test
    @Tag("slow")
    void twentyThousandItemsAreAcknowledgedExactlyOnceThroughSessionExpiryAndAKilledConsumer() throws Exception {
        exactlyOnceThroughSessionExpiryAndAKilledConsumer(5_000);
    }

    private void exactlyOnceThroughSessionExpiryAndAKilledConsumer(int perProducer) throws Exception {
        int total = PRODUCERS * perProducer;
        List<Coordinator> coordinators = new ArrayList<>();
        List<WorkQueue<String>> queues = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS + 4);
        try {
            Map<String, AtomicInteger> acks = new ConcurrentHashMap<>();
            Map<String, Integer> deliveries = new ConcurrentHashMap<>();
            AtomicInteger done = new AtomicInteger();
            List<Consumer> consumers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Coordinator c = connect();
                coordinators.add(c);
                WorkQueue<String> q = queue(c);
                queues.add(q);
                consumers.add(new Consumer("consumer-" + i, q, acks, deliveries, done, total));
            }
            List<Future<?>> consumerRuns = new ArrayList<>();
            for (Consumer consumer : consumers) {
                consumerRuns.add(pool.submit(consumer));
            }
            List<Future<?>> producerRuns = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                Coordinator c = connect();
                coordinators.add(c);
                WorkQueue<String> q = queue(c);
                queues.add(q);
                producerRuns.add(pool.submit(() -> {
                    int i = 0;
                    // Some single offers, then atomic batches of various sizes.
                    for (; i < 100; i++) {
                        q.offer("p" + producer + "-" + i);
                    }
                    int batch = 1;
                    while (i < perProducer) {
                        List<String> items = new ArrayList<>();
                        for (int k = 0; k < batch && i < perProducer; k++, i++) {
                            items.add("p" + producer + "-" + i);
                        }
                        q.offerAll(items);
                        batch = batch % 200 + 37;
                    }
                    return null;
                }));
            }

            // Consumer 1: its session is expired by the server while it holds a claim.
            Consumer expired = consumers.get(1);
            expired.freezeNext = true;
            assertThat(expired.frozen.await(60, TimeUnit.SECONDS)).isTrue();
            Coordinator expiredCoordinator = coordinators.get(1);
            long sessionBefore = expiredCoordinator.sessionId();
            Faults.expireSession(
                    expiredCoordinator.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(10));

            // Consumer 2: killed while it holds a claim (its connection closed, no ack, no release).
            Consumer killed = consumers.get(2);
            killed.freezeNext = true;
            killed.exitAfterFreeze = true;
            assertThat(killed.frozen.await(60, TimeUnit.SECONDS)).isTrue();
            coordinators.get(2).close();
            killed.resume.countDown();

            // The expired consumer goes on with a new session once its ack was refused.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> expiredCoordinator.isConnected() && expiredCoordinator.sessionId() != sessionBefore);
            expired.resume.countDown();

            for (Future<?> f : producerRuns) {
                f.get(240, TimeUnit.SECONDS);
            }
            for (int i = 0; i < consumerRuns.size(); i++) {
                consumerRuns.get(i).get(240, TimeUnit.SECONDS);
            }

            assertThat(expired.ackAfterResume.get()).isInstanceOf(LockLostException.class);
            // Every item acknowledged exactly once; none lost.
            assertThat(acks).hasSize(total);
            Set<String> twice = new HashSet<>();
            acks.forEach((item, count) -> {
                if (count.get() != 1) {
                    twice.add(item + "x" + count.get());
                }
            });
            assertThat(twice).isEmpty();
            for (int p = 0; p < PRODUCERS; p++) {
                for (int i = 0; i < perProducer; i++) {
                    assertThat(acks).containsKey("p" + p + "-" + i);
                }
            }
            // Redelivered: exactly the two items whose claimer died, each delivered twice.
            Map<String, Integer> redelivered = new HashMap<>();
            deliveries.forEach((item, count) -> {
                if (count > 1) {
                    redelivered.put(item, count);
                }
            });
            assertThat(redelivered)
                    .containsOnlyKeys(expired.heldWhenFrozen.get(), killed.heldWhenFrozen.get())
                    .containsValues(2, 2);
            // None left behind.
            WorkQueue<String> survivor = queues.get(0);
            assertThat(survivor.size()).isZero();
            assertThat(survivor.take(Duration.ZERO)).isEmpty();
            assertThat(survivor.deadLetters(0, 10)).isEmpty();
        } finally {
            pool.shutdownNow();
            for (WorkQueue<String> q : queues) {
                q.close();
            }
            for (Coordinator c : coordinators) {
                c.close();
            }
        }
    }

    @Test
    void offersAndAcksThroughRepeatedlyCutConnectionsLandExactlyOnce() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            Coordinator producerNode = Coordinator.builder(proxy.connectString())
                    .namespace(zk.namespace())
                    .sessionTimeout(Duration.ofSeconds(30))
                    .build();
            Coordinator consumerNode = Coordinator.builder(proxy.connectString())
                    .namespace(zk.namespace())
                    .sessionTimeout(Duration.ofSeconds(30))
                    .build();
            producerNode.start();
            consumerNode.start();
            producerNode.awaitConnected(Duration.ofSeconds(10));
            consumerNode.awaitConnected(Duration.ofSeconds(10));
            WorkQueue<String> in = queue(producerNode);
            WorkQueue<String> out = queue(consumerNode);
            int total = 400;
            Map<String, Long> offeredAt = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> acked = new ConcurrentHashMap<>();
            AtomicInteger offered = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> producer = pool.submit(() -> {
                    int i = 0;
                    while (i < total) {
                        if (i % 2 == 0) {
                            String item = "cut-" + i++;
                            offeredAt.put(item, in.offer(item));
                        } else {
                            List<String> batch = List.of("cut-" + i, "cut-" + (i + 1), "cut-" + (i + 2));
                            i += 3;
                            long first = in.offerAll(batch);
                            for (int k = 0; k < batch.size(); k++) {
                                offeredAt.put(batch.get(k), first + k);
                            }
                        }
                        offered.set(i);
                    }
                    return null;
                });
                Future<?> consumer = pool.submit(() -> {
                    int done = 0;
                    while (done < total) {
                        Optional<Claim<String>> taken = out.take(Duration.ofMillis(500));
                        if (taken.isEmpty()) {
                            if (producer.isDone() && out.size() == 0) {
                                return null;
                            }
                            continue;
                        }
                        Claim<String> claim = taken.get();
                        claim.ack();
                        Long at = offeredAt.get(claim.value());
                        if (at != null) {
                            assertThat(claim.position()).isEqualTo(at);
                        }
                        acked.computeIfAbsent(claim.value(), k -> new AtomicInteger())
                                .incrementAndGet();
                        done++;
                    }
                    return null;
                });
                for (int cut = 1; cut <= 4; cut++) {
                    int threshold = cut * 80;
                    org.awaitility.Awaitility.await()
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> offered.get() >= threshold);
                    int connections = proxy.acceptedConnections();
                    proxy.cut();
                    org.awaitility.Awaitility.await()
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> proxy.acceptedConnections() > connections);
                }
                producer.get(60, TimeUnit.SECONDS);
                consumer.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
                in.close();
                out.close();
                producerNode.close();
                consumerNode.close();
            }
            int items = offered.get();
            assertThat(acked).hasSize(items);
            acked.forEach((item, count) -> assertThat(count.get()).as(item).isEqualTo(1));
            assertThat(offeredAt).hasSize(items);
            assertThat(proxy.acceptedConnections()).isGreaterThanOrEqualTo(5);
        }
    }
}
