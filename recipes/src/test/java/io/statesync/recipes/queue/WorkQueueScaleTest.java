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
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 2 of the work queue: a deep queue is filled and drained, and no znode under it ever has
 * more children than the segment bound. The bound is proven at small segment sizes, so that a
 * queue of tens of thousands of items spans hundreds of segments (the default 1,000 x 1,000 layout
 * keeps the same bound for a million items). The 100,000-item variant is tagged slow.
 */
@Timeout(300)
class WorkQueueScaleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator producer;
    private Coordinator consumerA;
    private Coordinator consumerB;

    @BeforeEach
    void connectAll() throws Exception {
        producer = TestNodes.open(zk, zk.connectString(), b -> b);
        consumerA = TestNodes.open(zk, zk.connectString(), b -> b);
        consumerB = TestNodes.open(zk, zk.connectString(), b -> b);
    }

    @AfterEach
    void closeAll() {
        producer.close();
        consumerA.close();
        consumerB.close();
    }

    @Test
    @Timeout(180)
    void tenThousandItemsStayUnderTheSegmentBound() throws Exception {
        fillAndDrain(10_000, 50, 20);
    }

    @Test
    @Tag("slow")
    void oneHundredThousandItemsStayUnderTheSegmentBound() throws Exception {
        fillAndDrain(100_000, 200, 50);
    }

    private WorkQueue<String> queue(Coordinator c, int segmentSize, int groupSize) {
        WorkQueue<String> q = WorkQueue.builder(c, "/deep", Codec.utf8())
                .segmentSize(segmentSize)
                .groupSize(groupSize)
                .build();
        q.start();
        return q;
    }

    private void fillAndDrain(int total, int segmentSize, int groupSize) throws Exception {
        int bound = Math.max(segmentSize, groupSize);
        try (WorkQueue<String> in = queue(producer, segmentSize, groupSize);
                WorkQueue<String> outA = queue(consumerA, segmentSize, groupSize);
                WorkQueue<String> outB = queue(consumerB, segmentSize, groupSize)) {
            int batch = 500;
            for (int i = 0; i < total; i += batch) {
                List<String> items = new ArrayList<>(batch);
                for (int k = i; k < Math.min(total, i + batch); k++) {
                    items.add(Integer.toString(k));
                }
                in.offerAll(items);
            }
            assertThat(in.size()).isEqualTo(total);
            // At full depth: the widest znode in the queue's subtree is within the bound.
            assertThat(widest(producer.curatorFramework(), "/deep")).isLessThanOrEqualTo(bound);
            int segments = (total + segmentSize - 1) / segmentSize;
            assertThat(segments).isGreaterThan(bound); // so an unsegmented layout would break the bound

            BitSet acked = new BitSet(total);
            AtomicInteger duplicates = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (WorkQueue<String> out : List.of(outA, outB)) {
                    runs.add(pool.submit(() -> {
                        while (done.get() < total) {
                            Optional<Claim<String>> claim = out.take(Duration.ofMillis(200));
                            if (claim.isEmpty()) {
                                continue;
                            }
                            claim.get().ack();
                            int item = Integer.parseInt(claim.get().value());
                            synchronized (acked) {
                                if (acked.get(item)) {
                                    duplicates.incrementAndGet();
                                }
                                acked.set(item);
                            }
                            done.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get(240, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(duplicates.get()).isZero();
            assertThat(acked.cardinality()).isEqualTo(total);
            assertThat(in.size()).isZero();
            // Drained segments and groups were removed as the head passed them.
            assertThat(widest(producer.curatorFramework(), "/deep")).isLessThanOrEqualTo(bound);
            assertThat(countNodes(producer.curatorFramework(), "/deep/items")).isLessThanOrEqualTo(3);
        }
    }

    /** The largest number of children of any znode in a subtree. */
    private static int widest(CuratorFramework c, String root) throws Exception {
        List<String> children = c.getChildren().forPath(root);
        int max = children.size();
        for (String child : children) {
            max = Math.max(max, widest(c, root + "/" + child));
        }
        return max;
    }

    private static int countNodes(CuratorFramework c, String root) throws Exception {
        int n = 1;
        for (String child : c.getChildren().forPath(root)) {
            n += countNodes(c, root + "/" + child);
        }
        return n;
    }
}
