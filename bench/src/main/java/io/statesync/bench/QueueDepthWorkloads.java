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

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.testkit.TcpProxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The work queue at depth and after a consumer crash, vs Curator's DistributedQueue with a lock path.
 *
 * <p>Depth curve: a queue filled (outside the clock) to a depth, then one new consumer's first item,
 * its throughput over the next items, the requests per take and the heap it retains. Curator's
 * consumer lists the whole queue znode in one {@code getChildren} reply, which the ZooKeeper client
 * refuses past {@code jute.maxbuffer} (1 MiB by default, about 50,000 of its item names): so Curator
 * runs once at the default and once with the limit raised on its server and its client.
 *
 * <p>Redelivery: a consumer holds an item and its connection is reset and refused (a crash: no
 * close, the server expires the session); the time from the crash until another consumer has the
 * item.
 */
final class QueueDepthWorkloads {
    /** Item payload of the depth curve. */
    static final int ITEM_BYTES = 16;
    /** Items per statesync {@code offerAll} while filling (one {@code multi}). */
    static final int FILL_BATCH = 1_000;
    /** Curator background puts in flight at most while filling. */
    static final int CURATOR_FILL_CHUNK = 10_000;
    /** How long a consumer may take for its first item before the variant counts as not working. */
    static final Duration FIRST_ITEM_WAIT = Duration.ofSeconds(30);
    /** The redelivery wait per round, after the crash: three session timeouts. */
    static final Duration REDELIVERY_WAIT = BenchContext.SESSION_TIMEOUT.multipliedBy(3);
    /** Rounds of the redelivery workload. */
    static final int REDELIVERY_ROUNDS = 5;
    /** How often the "other traffic" Curator variant puts an unrelated item while it waits. */
    static final Duration TRICKLE = Duration.ofMillis(500);

    private static final String DEFAULT_JUTE = "Curator DistributedQueue (lockPath), default jute.maxbuffer";
    private static final String RAISED_JUTE =
            "Curator DistributedQueue (lockPath), jute.maxbuffer raised on server and client";

    private QueueDepthWorkloads() {}

    static List<Comparison> all(boolean quick) {
        List<Comparison> all = new ArrayList<>();
        int takes = quick ? 20 : 1_000;
        Duration takeFor = Duration.ofSeconds(quick ? 10 : 60);
        for (int depth : quick ? new int[] {1_000} : new int[] {10_000, 50_000, 100_000, 250_000, 1_000_000}) {
            String id = "queue-depth-" + label(depth);
            all.add(new Comparison(
                            id,
                            "queue depth " + String.format(Locale.ROOT, "%,d", depth) + ": a new consumer's first"
                                    + " item and its next " + takes + " take+acks (" + ITEM_BYTES
                                    + " B items, filled outside the clock)",
                            "works (1 = yes)",
                            true,
                            "statesync must work at any depth; Curator's is expected to fail past ~50,000",
                            variants(depth, takes, takeFor, quick))
                    .runOnce()
                    .inGroup(id));
        }
        if (!quick) {
            // Full mode only: every round waits for a session to expire (10 s), far past quick mode's budget.
            all.add(new Comparison(
                            "queue-redelivery",
                            "queue: crash to redelivery of a held item, " + REDELIVERY_ROUNDS
                                    + " rounds, session timeout " + BenchContext.SESSION_TIMEOUT.toSeconds() + " s",
                            "crash to redelivery p50 ms",
                            false,
                            "",
                            List.of(
                                    Comparison.variant("statesync", QueueDepthWorkloads::redelivery),
                                    Comparison.variant(
                                            "Curator DistributedQueue (lockPath), idle queue",
                                            ctx -> curatorRedelivery(ctx, false)),
                                    Comparison.unlike(
                                            "Curator DistributedQueue (lockPath), another item put every "
                                                    + TRICKLE.toMillis()
                                                    + " ms (not like for like: needs other traffic)",
                                            ctx -> curatorRedelivery(ctx, true))))
                    .runOnce()
                    .inGroup("queue-redelivery"));
        }
        return all;
    }

    /**
     * statesync, Curator at the default limit and, in full mode, Curator with the limit raised: at
     * quick mode's small depth the last does what the second does, on a server of its own that costs
     * seconds to start and stop.
     */
    private static List<Comparison.Variant> variants(int depth, int takes, Duration takeFor, boolean quick) {
        List<Comparison.Variant> variants = new ArrayList<>();
        variants.add(Comparison.variant("statesync", ctx -> depth(ctx, depth, takes, takeFor)));
        variants.add(Comparison.variant(DEFAULT_JUTE, ctx -> curatorDepth(ctx, depth, takes, takeFor, 0)));
        if (!quick) {
            variants.add(Comparison.variant(
                    RAISED_JUTE, ctx -> curatorDepth(ctx, depth, takes, takeFor, raisedJute(depth))));
        }
        return variants;
    }

    /** Heap in use after a full collection, in full mode only: quick mode leaves the collections out. */
    private static long heap(BenchContext ctx) {
        return ctx.quick() ? 0 : References.usedHeapAfterGc();
    }

    /** The figures of a fill, before any take: the depth and the fill's time, taken outside the clock. */
    private static Sample filled(int depth, double fillSeconds) {
        return new Sample().put("depth", depth).put("fill s (outside the clock)", fillSeconds);
    }

    /**
     * The figures of a consumer that took items: the first item's time, the take+acks per second and
     * requests per take+ack after it, and (in full mode only) the consumer's retained heap.
     */
    private static Sample worked(
            BenchContext ctx, Sample s, double firstMs, double takesPerSecond, double requests, long heapBefore) {
        s.put("works (1 = yes)", 1)
                .put("first item ms", firstMs)
                .put("take+acks/s", takesPerSecond)
                .put("requests/take+ack", requests);
        return ctx.quick() ? s : s.put("consumer retained heap MB", (heap(ctx) - heapBefore) / 1e6);
    }

    private static String label(int depth) {
        return depth >= 1_000_000 ? depth / 1_000_000 + "m" : depth / 1_000 + "k";
    }

    /**
     * A {@code jute.maxbuffer} that holds the {@code getChildren} reply of the queue at this depth:
     * each of Curator's item names ({@code queue-} and ten digits) costs 20 bytes in it.
     */
    static int raisedJute(int depth) {
        return Math.max(4 << 20, depth * 32);
    }

    // ---------------------------------------------------------------- depth

    static Sample depth(BenchContext ctx, int depth, int takes, Duration takeFor) throws Exception {
        WorkQueue<byte[]> producer = QueueWorkloads.queue(ctx);
        List<byte[]> batch = Collections.nCopies(FILL_BATCH, new byte[ITEM_BYTES]);
        long fillStart = System.nanoTime();
        for (int i = 0; i < depth; i += FILL_BATCH) {
            producer.offerAll(batch.subList(0, Math.min(FILL_BATCH, depth - i)));
        }
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        Coordinator client = ctx.coordinator(); // the consumer's client, connected before the heap reading
        long heapBefore = heap(ctx);
        long packets = ctx.packets();
        long start = System.nanoTime();
        WorkQueue<byte[]> q = ctx.closeAfter(
                WorkQueue.builder(client, "/queue", Codec.bytes()).build());
        q.start();
        Optional<Claim<byte[]>> first = q.take(FIRST_ITEM_WAIT);
        Sample s = filled(depth, fillSeconds);
        if (first.isEmpty()) {
            return s.put("works (1 = yes)", 0);
        }
        double firstMs = (System.nanoTime() - start) / 1e6;
        first.get().ack();
        long from = System.nanoTime();
        long end = from + takeFor.toNanos();
        int taken = 0;
        while (taken < takes && System.nanoTime() < end) {
            Optional<Claim<byte[]>> c = q.take(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (c.isPresent()) {
                c.get().ack();
                taken++;
            }
        }
        double seconds = (System.nanoTime() - from) / 1e9;
        double requests = (ctx.packets() - packets) / (double) (taken + 1);
        return worked(ctx, s, firstMs, taken / seconds, requests, heapBefore);
    }

    /** Curator at depth; {@code jute} 0 for the default limit, else the limit of a server and client of its own. */
    static Sample curatorDepth(BenchContext ctx, int depth, int takes, Duration takeFor, int jute) throws Exception {
        BenchContext on = ctx;
        if (jute > 0) {
            ZooKeeperProcess server = ctx.closeAfter(ZooKeeperProcess.start(List.of("-Djute.maxbuffer=" + jute)));
            on = ctx.closeAfter(new BenchContext(server, ctx.measureFor(), ctx.quick()));
        }
        DistributedQueue<byte[]> producer = on.closeAfter(
                QueueBuilder.builder(curator(on, jute), QueueWorkloads.noConsumer(), QueueWorkloads.BYTES, "/queue")
                        .putInBackground(true)
                        .buildQueue());
        producer.start();
        long fillStart = System.nanoTime();
        // Background puts, one znode per item as a single put makes: pipelined, in chunks so that the
        // client does not hold a million requests at once.
        for (int i = 0; i < depth; i++) {
            producer.put(new byte[ITEM_BYTES]);
            if ((i + 1) % CURATOR_FILL_CHUNK == 0 && !producer.flushPuts(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Curator's background puts did not finish");
            }
        }
        if (!producer.flushPuts(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Curator's background puts did not finish");
        }
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        Sample s = filled(depth, fillSeconds);
        if (jute > 0) {
            s.put("jute.maxbuffer MiB", jute / (double) (1 << 20));
        }
        CuratorFramework client = curator(on, jute); // the consumer's client, connected before the heap reading
        long heapBefore = heap(ctx);
        long[] times = new long[takes + 1];
        AtomicInteger consumed = new AtomicInteger();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(takes + 1);
        QueueConsumer<byte[]> consumer = new QueueConsumer<>() {
            @Override
            public void consumeMessage(byte[] message) {
                int i = consumed.getAndIncrement();
                if (i < times.length) {
                    times[i] = System.nanoTime();
                }
                first.countDown();
                all.countDown();
            }

            @Override
            public void stateChanged(CuratorFramework c, ConnectionState state) {}
        };
        DistributedQueue<byte[]> q = on.closeAfter(
                QueueWorkloads.curatorQueueBuilder(client, consumer).buildQueue());
        long packets = on.packets();
        long start = System.nanoTime();
        try (PacketLengthErrors errors = PacketLengthErrors.capture()) {
            q.start();
            if (!first.await(FIRST_ITEM_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                String error = errors.first();
                System.out.printf(
                        Locale.ROOT,
                        "  %s at depth %d: no item within %d s; the ZooKeeper client: %s%n",
                        jute > 0 ? RAISED_JUTE : DEFAULT_JUTE,
                        depth,
                        FIRST_ITEM_WAIT.toSeconds(),
                        error == null ? "no error logged" : error);
                return s.put("works (1 = yes)", 0).put("connection drops while waiting", errors.count());
            }
        }
        double firstMs = (times[0] - start) / 1e6;
        boolean allIn = all.await(takeFor.toNanos(), TimeUnit.NANOSECONDS);
        int taken = allIn ? takes : Math.max(0, Math.min(consumed.get(), times.length) - 1);
        long last = allIn ? times[takes] : System.nanoTime();
        double seconds = (last - times[0]) / 1e9;
        long requests = on.packets() - packets;
        double requestsPerTake = requests / (double) Math.max(1, consumed.get());
        return worked(ctx, s, firstMs, taken / seconds, requestsPerTake, heapBefore);
    }

    /** A started Curator client on the context's namespace; {@code jute} &gt; 0 sets its {@code jute.maxbuffer}. */
    private static CuratorFramework curator(BenchContext ctx, int jute) throws Exception {
        if (jute == 0) {
            return ctx.curator();
        }
        // What -Djute.maxbuffer does for a client, for this one client only: the bench's other clients
        // in this JVM keep the default.
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.JUTE_MAXBUFFER, Integer.toString(jute));
        CuratorFramework c = ctx.closeAfter(CuratorFrameworkFactory.builder()
                .connectString(ctx.connectString())
                .namespace(ctx.namespace())
                .sessionTimeoutMs((int) BenchContext.SESSION_TIMEOUT.toMillis())
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .zkClientConfig(config)
                .build());
        c.start();
        if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Curator did not connect");
        }
        return c;
    }

    /**
     * While open, collects what the ZooKeeper client logs when it drops a connection because a reply
     * is longer than its {@code jute.maxbuffer} ("Packet len ... is out of range"), which the bench's
     * logging configuration otherwise hides.
     */
    private static final class PacketLengthErrors extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger("org.apache.zookeeper.ClientCnxn");
        private final @Nullable Level level = logger.getLevel();
        private final AtomicReference<@Nullable String> first = new AtomicReference<>();
        private final AtomicInteger count = new AtomicInteger();

        static PacketLengthErrors capture() {
            PacketLengthErrors e = new PacketLengthErrors();
            e.setContext(e.logger.getLoggerContext());
            e.start();
            e.logger.setLevel(Level.WARN);
            e.logger.setAdditive(false);
            e.logger.addAppender(e);
            return e;
        }

        @Override
        protected void append(ILoggingEvent event) {
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                String message = t.getMessage();
                if (message != null && message.contains("Packet len")) {
                    count.incrementAndGet();
                    first.compareAndSet(null, t.getClassName() + ": " + message);
                    return;
                }
            }
        }

        @Nullable
        String first() {
            return first.get();
        }

        int count() {
            return count.get();
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            logger.setAdditive(true);
            logger.setLevel(level);
            stop();
        }
    }

    // ---------------------------------------------------------------- redelivery

    /** The item of one round, told apart from others (and from the Curator variant's filler items). */
    private static byte[] marker(int round) {
        return ByteBuffer.allocate(ITEM_BYTES)
                .putLong(0x5EED_0000L + round)
                .putLong(System.nanoTime())
                .array();
    }

    static Sample redelivery(BenchContext ctx) throws Exception {
        WorkQueue<byte[]> survivor = QueueWorkloads.queue(ctx);
        Histogram latency = Sample.histogram();
        int missed = 0;
        for (int round = 0; round < REDELIVERY_ROUNDS; round++) {
            TcpProxy proxy = ctx.closeAfter(TcpProxy.start(ctx.connectString()));
            WorkQueue<byte[]> crashing =
                    ctx.closeAfter(WorkQueue.builder(ctx.coordinator(proxy.connectString()), "/queue", Codec.bytes())
                            .build());
            crashing.start();
            byte[] item = marker(round);
            survivor.offer(item);
            Claim<byte[]> held = crashing.take(Duration.ofSeconds(30)).orElseThrow();
            if (!Arrays.equals(held.value(), item)) {
                throw new IllegalStateException("the crashing consumer took another item");
            }
            CompletableFuture<Long> redelivered = CompletableFuture.supplyAsync(() -> {
                try {
                    Optional<Claim<byte[]>> c = survivor.take(REDELIVERY_WAIT.plusSeconds(5));
                    long at = System.nanoTime();
                    if (c.isEmpty()) {
                        return -1L;
                    }
                    if (!Arrays.equals(c.get().value(), item)) {
                        throw new IllegalStateException("another item than the crashed consumer's");
                    }
                    c.get().ack();
                    return at;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1L;
                }
            });
            proxy.refuse(); // the crash: the connection reset, no close; the server expires the session
            long crash = System.nanoTime();
            long at = redelivered.get(REDELIVERY_WAIT.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
            if (at < 0 || at - crash > REDELIVERY_WAIT.toNanos()) {
                missed++;
            } else {
                latency.recordValue(at - crash);
            }
            crashing.close();
        }
        return redeliverySample(latency, missed);
    }

    static Sample curatorRedelivery(BenchContext ctx, boolean trickle) throws Exception {
        DistributedQueue<byte[]> producer =
                ctx.closeAfter(QueueWorkloads.curatorQueueBuilder(ctx.curator(), QueueWorkloads.noConsumer())
                        .buildQueue());
        producer.start();
        CuratorFramework survivorClient = ctx.curator();
        Histogram latency = Sample.histogram();
        int missed = 0;
        for (int round = 0; round < REDELIVERY_ROUNDS; round++) {
            TcpProxy proxy = ctx.closeAfter(TcpProxy.start(ctx.connectString()));
            byte[] item = marker(round);
            CountDownLatch holds = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            // The crashing consumer holds its item (and the item's lock znode) until its queue is
            // closed; filler items a previous round left behind it consumes.
            DistributedQueue<byte[]> crashing = ctx.closeAfter(QueueWorkloads.curatorQueueBuilder(
                            ctx.curator(proxy.connectString()), new QueueConsumer<>() {
                                @Override
                                public void consumeMessage(byte[] message) throws Exception {
                                    if (Arrays.equals(message, item)) {
                                        holds.countDown();
                                        never.await();
                                    }
                                }

                                @Override
                                public void stateChanged(CuratorFramework c, ConnectionState state) {}
                            })
                    .buildQueue());
            crashing.start();
            producer.put(item);
            if (!holds.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the crashing consumer did not take the item");
            }
            // The survivor starts once the item is held: it lists the queue, finds the item's lock
            // znode, skips the item and waits for the queue's children to change.
            AtomicReference<Long> at = new AtomicReference<>();
            CountDownLatch got = new CountDownLatch(1);
            DistributedQueue<byte[]> survivor = QueueWorkloads.curatorQueueBuilder(
                            survivorClient, new QueueConsumer<>() {
                                @Override
                                public void consumeMessage(byte[] message) {
                                    if (Arrays.equals(message, item)) {
                                        at.compareAndSet(null, System.nanoTime());
                                        got.countDown();
                                    }
                                }

                                @Override
                                public void stateChanged(CuratorFramework c, ConnectionState state) {}
                            })
                    .buildQueue();
            survivor.start();
            proxy.refuse(); // the crash: the connection reset, no close; the server expires the session
            long crash = System.nanoTime();
            long deadline = crash + REDELIVERY_WAIT.toNanos();
            boolean redelivered;
            if (trickle) {
                redelivered = false;
                while (!redelivered && System.nanoTime() < deadline) {
                    producer.put(new byte[ITEM_BYTES]);
                    redelivered = got.await(TRICKLE.toMillis(), TimeUnit.MILLISECONDS);
                }
            } else {
                redelivered = got.await(REDELIVERY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            Long when = at.get();
            if (redelivered && when != null) {
                latency.recordValue(when - crash);
            } else {
                missed++;
            }
            survivor.close();
            crashing.close();
            never.countDown();
        }
        return redeliverySample(latency, missed);
    }

    private static Sample redeliverySample(Histogram latency, int missed) {
        Sample s = new Sample();
        if (latency.getTotalCount() > 0) {
            s.latencies("crash to redelivery", latency);
        }
        return s.put("redelivered rounds", (double) latency.getTotalCount())
                .put("rounds not redelivered within " + REDELIVERY_WAIT.toSeconds() + " s", missed)
                .put("session timeout s", (double) BenchContext.SESSION_TIMEOUT.toSeconds());
    }
}
