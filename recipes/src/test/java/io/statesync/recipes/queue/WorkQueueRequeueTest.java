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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
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

/** Requeue and purge of dead letters ({@link WorkQueue#requeueDeadLetter}, {@link WorkQueue#purgeDeadLetters}). */
@Timeout(60)
class WorkQueueRequeueTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final TestNodes nodes = new TestNodes(zk);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private Coordinator a;
    private Coordinator b;

    private WorkQueue<String> queue(Coordinator c, int capacity) {
        WorkQueue.Builder<String> builder = WorkQueue.builder(c, "/jobs", Codec.utf8())
                .maxDeliveries(1)
                .segmentSize(4)
                .groupSize(2);
        if (capacity > 0) {
            builder.capacity(capacity);
        }
        WorkQueue<String> q = builder.build();
        nodes.closeLater(q);
        q.start();
        return q;
    }

    @BeforeEach
    void connectAll() throws Exception {
        a = nodes.connect(zk.connectString(), c -> c);
        b = nodes.connect(zk.connectString(), c -> c);
    }

    @AfterEach
    void closeAll() throws Exception {
        pool.shutdownNow();
        nodes.close();
    }

    /** Offers the items and kills each: taken once and given back with maxDeliveries 1. */
    private static void kill(WorkQueue<String> q, String... items) throws Exception {
        for (String item : items) {
            q.offer(item);
            q.take(Duration.ofSeconds(10)).orElseThrow().nack();
        }
        // the next take moves them to the dead-letter queue
        assertThat(q.take(Duration.ofMillis(200))).isEmpty();
        assertThat(q.deadLetters(0, 100)).hasSize(items.length);
    }

    @Test
    void aRequeuedDeadLetterIsTakenAndAcknowledgedOnce() throws Exception {
        WorkQueue<String> q = queue(a, 0);
        WorkQueue<String> other = queue(b, 0);
        kill(q, "job-a");
        DeadLetter<String> dead = q.deadLetters(0, 10).get(0);
        assertThat(q.size()).isZero();

        long position = q.requeueDeadLetter(dead.id());

        assertThat(q.deadLetters(0, 10)).isEmpty();
        assertThat(q.size()).isEqualTo(1);
        Claim<String> claim = other.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(claim.value()).isEqualTo("job-a");
        assertThat(claim.position()).isEqualTo(position);
        assertThat(claim.deliveryCount()).isEqualTo(1); // the count starts again
        claim.ack();
        assertThat(q.take(Duration.ofMillis(300))).isEmpty();
        assertThat(other.take(Duration.ofMillis(300))).isEmpty();
        assertThat(q.size()).isZero();
        assertThat(q.deadLetters(0, 10)).isEmpty();
    }

    @Test
    void requeueOfAnIdThatIsNotDeadNamesItAndWritesNothing() throws Exception {
        WorkQueue<String> q = queue(a, 0);
        kill(q, "x");
        long id = q.deadLetters(0, 10).get(0).id();
        q.offer("alive");
        assertThatThrownBy(() -> q.requeueDeadLetter(7))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("dead letter 7")
                .hasMessageContaining("/jobs");
        assertThat(q.size()).isEqualTo(1);
        assertThatThrownBy(() -> q.requeueDeadLetter(-1)).isInstanceOf(IllegalArgumentException.class);
        q.requeueDeadLetter(id);
        assertThat(q.size()).isEqualTo(2);
        assertThatThrownBy(() -> q.requeueDeadLetter(id))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("dead letter " + id);
    }

    @Test
    void concurrentRequeuesOfOneDeadLetterPutItBackOnce() throws Exception {
        WorkQueue<String> qa = queue(a, 0);
        WorkQueue<String> qb = queue(b, 0);
        kill(qa, "once");
        long id = qa.deadLetters(0, 10).get(0).id();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (WorkQueue<String> q : List.of(qa, qb, qa, qb)) {
            results.add(pool.submit(() -> {
                go.await();
                try {
                    return q.requeueDeadLetter(id);
                } catch (NoSuchElementException e) {
                    return -1L;
                }
            }));
        }
        go.countDown();
        long succeeded = 0;
        for (Future<Long> r : results) {
            if (r.get(30, TimeUnit.SECONDS) >= 0) {
                succeeded++;
            }
        }
        assertThat(succeeded).isEqualTo(1);
        assertThat(qa.size()).isEqualTo(1);
        assertThat(qa.take(Duration.ofSeconds(10)).orElseThrow().value()).isEqualTo("once");
    }

    @Test
    void concurrentPurgesAndRequeuesHandleEachDeadLetterOnce() throws Exception {
        WorkQueue<String> qa = queue(a, 0);
        WorkQueue<String> qb = queue(b, 0);
        String[] items = new String[10]; // more than a segment (4) and a group (2 segments)
        for (int i = 0; i < items.length; i++) {
            items[i] = "d" + i;
        }
        kill(qa, items);
        List<DeadLetter<String>> dead = qa.deadLetters(0, 100);
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<Long>> work = new ArrayList<>();
        work.add(() -> qa.purgeDeadLetters());
        work.add(() -> qb.purgeDeadLetters());
        work.add(() -> {
            long requeued = 0;
            for (DeadLetter<String> d : dead) {
                try {
                    qb.requeueDeadLetter(d.id());
                    requeued++;
                } catch (NoSuchElementException e) {
                    // purged first
                }
            }
            return requeued;
        });
        List<Future<Long>> results = new ArrayList<>();
        for (Callable<Long> c : work) {
            results.add(pool.submit(() -> {
                go.await();
                return c.call();
            }));
        }
        go.countDown();
        long purged = results.get(0).get(30, TimeUnit.SECONDS) + results.get(1).get(30, TimeUnit.SECONDS);
        long requeued = results.get(2).get(30, TimeUnit.SECONDS);
        assertThat(purged + requeued).isEqualTo(items.length);
        assertThat(qa.deadLetters(0, 100)).isEmpty();
        assertThat(qa.size()).isEqualTo(requeued);
        assertThat(qa.purgeDeadLetters()).isZero();
    }

    @Test
    void aRequeueCountsTowardTheCapacity() throws Exception {
        WorkQueue<String> q = queue(a, 1);
        kill(q, "dead");
        q.offer("fills it");
        long id = q.deadLetters(0, 10).get(0).id();
        assertThatThrownBy(() -> q.requeueDeadLetter(id)).isInstanceOf(QueueFullException.class);
        assertThat(q.deadLetters(0, 10)).hasSize(1);
    }
}
