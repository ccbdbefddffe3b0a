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
package io.statesync.bench;

import io.statesync.core.Codec;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.MultiItem;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;
import org.jspecify.annotations.Nullable;

/**
 * Work queue workloads vs Curator's DistributedQueue (writes waited for, consumption with a lock); the
 * depth curve and redelivery after a crash are in {@link QueueDepthWorkloads}.
 */
final class QueueWorkloads {
    static final int ITEM_BYTES = 64;
    static final int BATCH = 100;
    static final int CONSUMERS = 4;

    private QueueWorkloads() {}

    static List<Comparison> all(boolean quick) {
        int drain = quick ? 1_000 : 2_000;
        return List.of(
                new Comparison(
                        "queue-offer",
                        "queue: single offers",
                        "items/s",
                        true,
                        ">= 0.9× Curator DistributedQueue",
                        List.of(
                                Comparison.variant("statesync", QueueWorkloads::offer),
                                Comparison.variant("Curator DistributedQueue", QueueWorkloads::curatorPut))),
                new Comparison(
                        "queue-offer-batch",
                        "queue: batched offers of " + BATCH,
                        "items/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant("statesync", QueueWorkloads::offerBatch),
                                Comparison.variant("Curator DistributedQueue", QueueWorkloads::curatorPutMulti))),
                new Comparison(
                        "queue-drain",
                        "queue: " + drain + " items taken and acknowledged by " + CONSUMERS + " consumers",
                        "items/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant("statesync", ctx -> drain(ctx, drain)),
                                Comparison.variant("Curator DistributedQueue", ctx -> curatorDrain(ctx, drain)))));
    }

    static WorkQueue<byte[]> queue(BenchContext ctx) throws InterruptedException {
        WorkQueue<byte[]> q = ctx.closeAfter(
                WorkQueue.builder(ctx.coordinator(), "/queue", Codec.bytes()).build());
        q.start();
        return q;
    }

    static final QueueSerializer<byte[]> BYTES = new QueueSerializer<>() {
        @Override
        public byte[] serialize(byte[] item) {
            return item;
        }

        @Override
        public byte[] deserialize(byte[] bytes) {
            return bytes;
        }
    };

    private static DistributedQueue<byte[]> curatorQueue(BenchContext ctx, @Nullable QueueConsumer<byte[]> consumer)
            throws Exception {
        DistributedQueue<byte[]> q =
                curatorQueueBuilder(ctx.curator(), consumer).buildQueue();
        ctx.closeAfter(q);
        q.start();
        return q;
    }

    /** The builder of every Curator consumer of the bench: a lock path (at-least-once), foreground puts. */
    static QueueBuilder<byte[]> curatorQueueBuilder(CuratorFramework client, @Nullable QueueConsumer<byte[]> consumer) {
        return QueueBuilder.builder(client, consumer, BYTES, "/queue")
                .lockPath("/queue-locks")
                .putInBackground(false);
    }

    /** Curator's queue takes a null consumer for a producer; NullAway wants that said once. */
    @SuppressWarnings("NullAway")
    static QueueConsumer<byte[]> noConsumer() {
        return null;
    }

    private static QueueConsumer<byte[]> counting(AtomicLong consumed, CountDownLatch done) {
        return new QueueConsumer<>() {
            @Override
            public void consumeMessage(byte[] message) {
                consumed.incrementAndGet();
                done.countDown();
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState state) {}
        };
    }

    static Sample offer(BenchContext ctx) throws Exception {
        WorkQueue<byte[]> q = queue(ctx);
        byte[] item = new byte[ITEM_BYTES];
        q.offer(item);
        return Loops.timed(ctx, () -> q.offer(item) >= 0).sample("items/s", "offer");
    }

    static Sample curatorPut(BenchContext ctx) throws Exception {
        DistributedQueue<byte[]> q = curatorQueue(ctx, noConsumer());
        byte[] item = new byte[ITEM_BYTES];
        q.put(item);
        return Loops.timed(ctx, () -> {
                    q.put(item);
                    return true;
                })
                .sample("items/s", "offer");
    }

    static Sample offerBatch(BenchContext ctx) throws Exception {
        WorkQueue<byte[]> q = queue(ctx);
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[ITEM_BYTES]);
        q.offer(new byte[ITEM_BYTES]);
        Loops.Measured m = Loops.timed(ctx, () -> q.offerAll(batch) >= 0);
        return new Sample().put("items/s", m.perSecond() * BATCH).put("requests/item", m.requestsPerOp() / BATCH);
    }

    static Sample curatorPutMulti(BenchContext ctx) throws Exception {
        DistributedQueue<byte[]> q = curatorQueue(ctx, noConsumer());
        q.put(new byte[ITEM_BYTES]);
        Loops.Measured m = Loops.timed(ctx, () -> {
            int[] left = {BATCH};
            MultiItem<byte[]> items = () -> left[0]-- > 0 ? new byte[ITEM_BYTES] : null;
            q.putMulti(items);
            return true;
        });
        return new Sample().put("items/s", m.perSecond() * BATCH).put("requests/item", m.requestsPerOp() / BATCH);
    }

    private static void fill(WorkQueue<byte[]> q, int items) throws InterruptedException {
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[ITEM_BYTES]);
        for (int i = 0; i < items; i += BATCH) {
            q.offerAll(batch.subList(0, Math.min(BATCH, items - i)));
        }
    }

    static Sample drain(BenchContext ctx, int items) throws Exception {
        fill(queue(ctx), items);
        List<WorkQueue<byte[]>> consumers = new ArrayList<>();
        for (int i = 0; i < CONSUMERS; i++) {
            consumers.add(queue(ctx));
        }
        AtomicLong acked = new AtomicLong();
        long packets = ctx.packets();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (WorkQueue<byte[]> q : consumers) {
            Thread t = new Thread(() -> {
                try {
                    while (acked.get() < items) {
                        Optional<Claim<byte[]>> claim = q.take(Duration.ofMillis(200));
                        if (claim.isPresent()) {
                            claim.get().ack();
                            acked.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(5));
        }
        if (!errors.isEmpty() || acked.get() != items) {
            throw new IllegalStateException("drained " + acked.get() + " of " + items + ": " + errors);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("items/s", items / seconds)
                .put("requests/item", (ctx.packets() - packets) / (double) items);
    }

    static Sample curatorDrain(BenchContext ctx, int items) throws Exception {
        DistributedQueue<byte[]> producer = curatorQueue(ctx, noConsumer());
        for (int i = 0; i < items; i++) {
            producer.put(new byte[ITEM_BYTES]);
        }
        AtomicLong consumed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(items);
        // The consumers' clients connect and their queues are built before the clock starts, as
        // statesync's consumers are; a DistributedQueue consumes from start(), so that is timed.
        List<DistributedQueue<byte[]>> consumers = new ArrayList<>();
        for (int i = 0; i < CONSUMERS; i++) {
            consumers.add(ctx.closeAfter(
                    curatorQueueBuilder(ctx.curator(), counting(consumed, done)).buildQueue()));
        }
        long packets = ctx.packets();
        long start = System.nanoTime();
        for (DistributedQueue<byte[]> q : consumers) {
            q.start();
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Curator consumed " + consumed.get() + " of " + items);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("items/s", items / seconds)
                .put("requests/item", (ctx.packets() - packets) / (double) items);
    }
}
