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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.LockLostException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The work queue's API against a real server: order, claims, redelivery, dead letters, limits. */
@Timeout(60)
class WorkQueueTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator a;
    private Coordinator b;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private Coordinator connect(int maxValueBytes) throws InterruptedException {
        return TestNodes.open(zk, zk.connectString(), b -> b.maxValueBytes(maxValueBytes));
    }

    @BeforeEach
    void connectAll() throws Exception {
        a = connect(1_000_000);
        b = connect(1_000_000);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        a.close();
        b.close();
    }

    private <T> WorkQueue<T> queue(WorkQueue.Builder<T> builder) {
        WorkQueue<T> q = builder.build();
        toClose.add(q);
        q.start();
        return q;
    }

    private WorkQueue<String> queue(Coordinator c) {
        return queue(WorkQueue.builder(c, "/jobs", Codec.utf8()).maxDeliveries(3));
    }

    private static Claim<String> take(WorkQueue<String> q) throws InterruptedException {
        return q.take(Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("no item within 10 s"));
    }

    @Test
    void itemsComeOutInOfferOrderAndAckRemovesThem() throws Exception {
        WorkQueue<String> producer = queue(a);
        WorkQueue<String> consumer = queue(b);
        assertThat(producer.offer("one")).isZero();
        assertThat(producer.offerAll(List.of("two", "three", "four"))).isEqualTo(1);
        assertThat(consumer.size()).isEqualTo(4);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Claim<String> claim = take(consumer);
            assertThat(claim.position()).isEqualTo(i);
            assertThat(claim.deliveryCount()).isEqualTo(1);
            seen.add(claim.value());
            claim.ack();
            assertThat(claim.isHeld()).isFalse();
        }
        assertThat(seen).containsExactly("one", "two", "three", "four");
        assertThat(consumer.size()).isZero();
        assertThat(consumer.take(Duration.ZERO)).isEmpty();
    }

    @Test
    void aClaimHidesTheItemFromOtherConsumersAndNackBringsItBackFirst() throws Exception {
        WorkQueue<String> qa = queue(a);
        WorkQueue<String> qb = queue(b);
        qa.offerAll(List.of("x", "y"));
        Claim<String> first = take(qa);
        assertThat(first.value()).isEqualTo("x");
        Claim<String> second = take(qb);
        assertThat(second.value()).isEqualTo("y");
        assertThat(qb.take(Duration.ofMillis(200))).isEmpty();

        first.nack();
        Claim<String> again = take(qb);
        assertThat(again.value()).isEqualTo("x");
        assertThat(again.position()).isEqualTo(first.position());
        assertThat(again.deliveryCount()).isEqualTo(2);
        assertThatThrownBy(first::ack).isInstanceOf(IllegalStateException.class);
        again.ack();
        second.ack();
        assertThat(qa.size()).isZero();
    }

    @Test
    void aWaitingTakeWakesUpWhenAnItemArrives() throws Exception {
        WorkQueue<String> consumer = queue(a);
        WorkQueue<String> producer = queue(b);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<Claim<String>>> waiting = pool.submit(() -> consumer.take(Duration.ofSeconds(20)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
            producer.offer("late");
            Optional<Claim<String>> got = waiting.get(20, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(got.get().value()).isEqualTo("late");
            got.get().ack();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closingTheQueueReleasesItsClaims() throws Exception {
        WorkQueue<String> qa = queue(a);
        WorkQueue<String> qb = queue(b);
        qa.offer("held");
        Claim<String> claim = take(qa);
        qa.close();
        assertThat(claim.isHeld()).isFalse();
        Claim<String> again = take(qb);
        assertThat(again.value()).isEqualTo("held");
        assertThat(again.deliveryCount()).isEqualTo(2);
        again.ack();
    }

    @Test
    void anAckAfterTheItemWasRedeliveredIsRefused() throws Exception {
        WorkQueue<String> qa = queue(a);
        qa.offer("job");
        Coordinator doomed = connect(1_000_000);
        WorkQueue<String> qd = queue(doomed);
        Claim<String> stale = take(qd);
        // The claimer's session ends: its claim znode goes and another consumer gets the item.
        io.statesync.testkit.Faults.expireSession(
                doomed.curatorFramework().getZookeeperClient().getZooKeeper(),
                zk.connectString(),
                Duration.ofSeconds(10));
        Claim<String> fresh = take(qa);
        assertThat(fresh.deliveryCount()).isEqualTo(2);
        assertThatThrownBy(stale::ack).isInstanceOf(LockLostException.class);
        fresh.ack();
        assertThat(qa.size()).isZero();
        qd.close();
        doomed.close();
    }

    @Test
    void aPoisonItemGoesToTheDeadLetterQueueAfterMaxDeliveriesWhileOthersFlow() throws Exception {
        WorkQueue<String> producer = queue(a);
        WorkQueue<String> consumer = queue(b);
        List<StateChange<DeadLetter<String>>> arrivals = new CopyOnWriteArrayList<>();
        consumer.addDeadLetterListener(arrivals::add);
        List<String> items = new ArrayList<>();
        items.add("poison");
        for (int i = 0; i < 20; i++) {
            items.add("ok-" + i);
        }
        producer.offerAll(items);
        List<String> acked = new ArrayList<>();
        int poisonDeliveries = 0;
        while (acked.size() < 20) {
            Claim<String> claim = take(consumer);
            if (claim.value().equals("poison")) {
                poisonDeliveries++;
                assertThat(claim.deliveryCount()).isEqualTo(poisonDeliveries);
                claim.nack(); // the consumer fails on it every time
            } else {
                acked.add(claim.value());
                claim.ack();
            }
        }
        assertThat(poisonDeliveries).isEqualTo(3);
        assertThat(acked).hasSize(20).doesNotHaveDuplicates();
        assertThat(consumer.size()).isZero();
        List<DeadLetter<String>> dead = consumer.deadLetters(0, 10);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).contains("poison");
        assertThat(dead.get(0).cause()).isEqualTo(DeadLetter.Cause.DELIVERIES_EXHAUSTED);
        assertThat(dead.get(0).deliveries()).isEqualTo(3);
        assertThat(dead.get(0).position()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> arrivals.size() == 1);
        assertThat(arrivals.get(0).kind()).isEqualTo(ChangeKind.CREATED);
        assertThat(arrivals.get(0).current().get().value().value()).contains("poison");
        assertThat(consumer.deleteDeadLetter(dead.get(0).id())).isTrue();
        assertThat(consumer.deadLetters(0, 10)).isEmpty();
    }

    @Test
    void anUndecodableItemGoesToTheDeadLetterQueueWithTheReasonAndDoesNotBlock() throws Exception {
        WorkQueue<String> producer = queue(a);
        Codec<String> strict = new Codec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] data) {
                String s = new String(data, StandardCharsets.UTF_8);
                if (s.startsWith("bad")) {
                    throw new IllegalArgumentException("refusing " + s);
                }
                return s;
            }
        };
        WorkQueue<String> consumer = queue(WorkQueue.builder(b, "/jobs", strict).maxDeliveries(3));
        producer.offerAll(List.of("bad-1", "good-1", "good-2"));
        // A foreign znode that is not a queue record at all, at the next position.
        a.curatorFramework().setData().forPath("/jobs/tail", "4".getBytes(StandardCharsets.US_ASCII));
        a.curatorFramework().create().forPath("/jobs/items/0/0/3", new byte[] {1, 2, 3});
        assertThat(take(consumer).value()).isEqualTo("good-1");
        Claim<String> second = take(consumer);
        assertThat(second.value()).isEqualTo("good-2");
        second.ack();
        assertThat(consumer.take(Duration.ofMillis(300))).isEmpty();
        List<DeadLetter<String>> dead = consumer.deadLetters(0, 10);
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).position()).isZero();
        assertThat(dead.get(0).cause()).isEqualTo(DeadLetter.Cause.UNDECODABLE);
        assertThat(dead.get(0).detail()).contains("refusing bad-1");
        assertThat(dead.get(0).value()).isEmpty();
        assertThat(new String(dead.get(0).data(), StandardCharsets.UTF_8)).isEqualTo("bad-1");
        assertThat(dead.get(1).position()).isEqualTo(3);
        assertThat(dead.get(1).detail()).contains("not a work-queue record");
        assertThat(dead.get(1).data()).containsExactly(1, 2, 3);
    }

    @Test
    void anOversizedItemIsRefusedBeforeAnythingIsSent() throws Exception {
        Coordinator small = connect(4096);
        try {
            WorkQueue<String> q = queue(WorkQueue.builder(small, "/jobs", Codec.utf8()));
            String big = "x".repeat(4096);
            assertThatThrownBy(() -> q.offer(big)).isInstanceOf(ValueTooLargeException.class);
            assertThatThrownBy(() -> q.offerAll(List.of("fine", big))).isInstanceOf(ValueTooLargeException.class);
            // A batch of items that each fit but together do not fit one request.
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                many.add("y".repeat(2000));
            }
            assertThatThrownBy(() -> q.offerAll(many)).isInstanceOf(ValueTooLargeException.class);
            assertThat(q.size()).isZero();
            assertThat(small.curatorFramework().getChildren().forPath("/jobs/items"))
                    .isEmpty();
            q.close();
        } finally {
            small.close();
        }
    }

    @Test
    void aFullQueueFailsFastOrWaitsForRoom() throws Exception {
        WorkQueue<String> producer =
                queue(WorkQueue.builder(a, "/jobs", Codec.utf8()).capacity(3));
        WorkQueue<String> consumer = queue(b);
        producer.offerAll(List.of("1", "2"));
        assertThatThrownBy(() -> producer.offerAll(List.of("3", "4")))
                .isInstanceOf(QueueFullException.class)
                .hasMessageContaining("2 of 3");
        producer.offer("3");
        assertThatThrownBy(() -> producer.offer("4")).isInstanceOf(QueueFullException.class);
        assertThatThrownBy(() -> producer.offer("4", Duration.ofMillis(300))).isInstanceOf(QueueFullException.class);
        assertThat(producer.size()).isEqualTo(3);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch started = new CountDownLatch(1);
            Future<Long> waiting = pool.submit(() -> {
                started.countDown();
                return producer.offer("4", Duration.ofSeconds(20));
            });
            started.await();
            take(consumer).ack();
            assertThat(waiting.get(20, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(producer.size()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void depthListenersSeeTheDepth() throws Exception {
        WorkQueue<String> producer = queue(a);
        WorkQueue<String> watched = queue(b);
        List<Long> depths = new CopyOnWriteArrayList<>();
        StateListener<Long> listener =
                change -> depths.add(change.current().get().value());
        watched.addListener(listener);
        await().atMost(Duration.ofSeconds(20)).until(() -> depths.contains(0L));
        producer.offerAll(List.of("a", "b", "c"));
        await().atMost(Duration.ofSeconds(20)).until(() -> depths.get(depths.size() - 1) == 3L);
        take(watched).ack();
        await().atMost(Duration.ofSeconds(20)).until(() -> depths.get(depths.size() - 1) == 2L);
    }

    @Test
    void badOptionsFailAtBuildNamingTheValue() {
        assertThatThrownBy(() -> WorkQueue.builder(a, "no-slash", Codec.utf8()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-slash");
        assertThatThrownBy(() -> WorkQueue.builder(a, "/q", Codec.utf8())
                        .maxDeliveries(0)
                        .build())
                .hasMessageContaining("maxDeliveries")
                .hasMessageContaining("0");
        assertThatThrownBy(() ->
                        WorkQueue.builder(a, "/q", Codec.utf8()).segmentSize(1).build())
                .hasMessageContaining("segmentSize");
        assertThatThrownBy(() ->
                        WorkQueue.builder(a, "/q", Codec.utf8()).capacity(0).build())
                .hasMessageContaining("capacity");
        assertThatThrownBy(() ->
                        WorkQueue.builder(a, "/q", Codec.utf8()).capacity(1).capacity(2))
                .isInstanceOf(IllegalStateException.class);
        WorkQueue<String> latent = WorkQueue.builder(a, "/q", Codec.utf8()).build();
        assertThatThrownBy(() -> latent.offer("x")).isInstanceOf(IllegalStateException.class);
        latent.close();
    }
}
