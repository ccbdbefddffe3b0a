package io.statesync.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The references: what a user would write with the raw ZooKeeper client (the limit) or with plain
 * Curator recipes (the usual choice). Each method is one run of one variant.
 */
final class References {
    private References() {}

    static byte[] longBytes(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    static long parseLong(byte[] data) {
        return Long.parseLong(new String(data, StandardCharsets.US_ASCII));
    }

    /** Raw setData with the version from the previous write: one round trip per update. */
    static Sample rawSetDataWithVersion(BenchContext ctx) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        String path = ctx.root();
        zk.create(path, longBytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int version = 0;
        long value = 0;
        Histogram latency = Sample.histogram();
        long packets = ctx.packets();
        long end = System.nanoTime() + ctx.measureFor().toNanos();
        long start = System.nanoTime();
        long ops = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            Stat stat = zk.setData(path, longBytes(++value), version);
            latency.recordValue(System.nanoTime() - t);
            version = stat.getVersion();
            ops++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("updates/s", ops / seconds)
                .latencies("update", latency)
                .put("round trips/update", (ctx.packets() - packets - 1) / (double) ops);
    }

    /** Curator SharedValue: read the local versioned value, trySetValue, repeat. */
    static Sample curatorSharedValueOneWriter(BenchContext ctx) throws Exception {
        CuratorFramework client = ctx.curator();
        SharedValue value = ctx.closeAfter(new SharedValue(client, "/value", longBytes(0)));
        value.start();
        Histogram latency = Sample.histogram();
        long packets = ctx.packets();
        long end = System.nanoTime() + ctx.measureFor().toNanos();
        long start = System.nanoTime();
        long ok = 0;
        long conflicts = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            VersionedValue<byte[]> current = value.getVersionedValue();
            if (value.trySetValue(current, longBytes(parseLong(current.getValue()) + 1))) {
                ok++;
                latency.recordValue(System.nanoTime() - t);
            } else {
                conflicts++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("updates/s", ok / seconds)
                .latencies("update", latency)
                .put("conflicts/s", conflicts / seconds)
                .put("round trips/update", (ctx.packets() - packets - 1) / (double) Math.max(1, ok));
    }

    /** Curator SharedValue CAS loops in several clients at once: successful increments per second. */
    static Sample curatorSharedValueWriters(BenchContext ctx, int writers) throws Exception {
        List<SharedValue> values = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            SharedValue v = ctx.closeAfter(new SharedValue(ctx.curator(), "/value", longBytes(0)));
            v.start();
            values.add(v);
        }
        AtomicLong ok = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (SharedValue v : values) {
                done.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        VersionedValue<byte[]> current = v.getVersionedValue();
                        if (v.trySetValue(current, longBytes(parseLong(current.getValue()) + 1))) {
                            ok.incrementAndGet();
                        } else {
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("updates/s", ok.get() / seconds)
                .put("conflicts/s", conflicts.get() / seconds)
                .put("round trips/update", (ctx.packets() - packets) / (double) Math.max(1, ok.get()));
    }

    /**
     * Write-to-listener latency with CuratorCache in several clients: one write, wait until every
     * cache saw it, next write; then a burst to count how many versions each listener saw.
     */
    static Sample curatorCachePropagation(BenchContext ctx, int subscribers) throws Exception {
        CuratorFramework writer = ctx.curator();
        writer.create().forPath("/value", longBytes(System.nanoTime()));
        Histogram latency = Sample.histogram();
        AtomicReference<CountDownLatch> round = new AtomicReference<>(new CountDownLatch(subscribers));
        AtomicLong lastBurstValue = new AtomicLong(-1);
        AtomicInteger[] seen = new AtomicInteger[subscribers];
        CountDownLatch burstDone = new CountDownLatch(subscribers);
        AtomicBoolean measuring = new AtomicBoolean();
        for (int i = 0; i < subscribers; i++) {
            AtomicInteger count = new AtomicInteger();
            seen[i] = count;
            CuratorCache cache = ctx.closeAfter(CuratorCache.build(ctx.curator(), "/value"));
            cache.listenable()
                    .addListener(CuratorCacheListener.builder()
                            .forChanges((before, after) -> {
                                long now = System.nanoTime();
                                long written = parseLong(after.getData());
                                if (lastBurstValue.get() >= 0) {
                                    count.incrementAndGet();
                                    if (written == lastBurstValue.get()) {
                                        burstDone.countDown();
                                    }
                                    return;
                                }
                                if (measuring.get()) {
                                    synchronized (latency) {
                                        latency.recordValue(Math.max(0, now - written));
                                    }
                                }
                                Objects.requireNonNull(round.get()).countDown();
                            })
                            .build());
            cache.start();
        }
        int writes = ctx.quick() ? 200 : 1000;
        long packets = ctx.packets();
        for (int i = 0; i < writes + 50; i++) {
            measuring.set(i >= 50); // the first 50 writes warm the caches up
            CountDownLatch latch = new CountDownLatch(subscribers);
            round.set(latch);
            writer.setData().forPath("/value", longBytes(System.nanoTime()));
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a cache did not see write " + i);
            }
        }
        double perWrite = (ctx.packets() - packets) / (double) (writes + 50);
        int burst = 200;
        long base = System.nanoTime();
        lastBurstValue.set(base + burst - 1);
        for (int i = 0; i < burst; i++) {
            writer.setData().forPath("/value", longBytes(base + i));
        }
        if (!burstDone.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a cache did not see the end of the burst");
        }
        double seenAvg = 0;
        for (AtomicInteger c : seen) {
            seenAvg += c.get();
        }
        seenAvg /= subscribers;
        return new Sample()
                .latencies("write-to-listener", latency)
                .put("versions coalesced per listener (of 200)", burst - seenAvg)
                .put("round trips/write (all clients)", perWrite);
    }

    /** Creates {@code keys} children under {@code parent} with pipelined async creates. */
    static void createChildren(ZooKeeper zk, String parent, int keys, int valueBytes) throws Exception {
        zk.create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Semaphore inFlight = new Semaphore(500);
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        byte[] value = new byte[valueBytes];
        AsyncCallback.StringCallback cb = (rc, path, c, name) -> {
            if (rc != 0) {
                failure.compareAndSet(null, KeeperException.Code.get(rc));
            }
            inFlight.release();
        };
        for (int i = 0; i < keys; i++) {
            inFlight.acquire();
            zk.create(parent + "/key-" + i, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb, null);
        }
        inFlight.acquire(500);
        if (failure.get() != null) {
            throw new IllegalStateException("creating children failed: " + failure.get());
        }
    }

    /** Heap in use after a full collection, in bytes. */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Creates this run's root and a tree of {@code keys} children under {@code root/tree}; returns its path. */
    static String createTree(BenchContext ctx, int keys) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        createChildren(zk, ctx.root() + "/tree", keys, 64);
        return "/tree";
    }

    /** CuratorCache over a tree of keys: time to the initialized event, and the heap it retains. */
    static Sample curatorCacheTreeLoad(BenchContext ctx, int keys) throws Exception {
        String tree = createTree(ctx, keys);
        CuratorFramework client = ctx.curator();
        long heapBefore = usedHeapAfterGc();
        CountDownLatch initialized = new CountDownLatch(1);
        long packets = ctx.packets();
        long t = System.nanoTime();
        CuratorCache cache = ctx.closeAfter(CuratorCache.build(client, tree));
        cache.listenable()
                .addListener(CuratorCacheListener.builder()
                        .forInitialized(initialized::countDown)
                        .build());
        cache.start();
        if (!initialized.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("CuratorCache did not initialize");
        }
        double loadMs = (System.nanoTime() - t) / 1e6;
        double roundTrips = (ctx.packets() - packets) / (double) keys;
        long heapAfter = usedHeapAfterGc();
        if (cache.size() < keys) {
            throw new IllegalStateException("CuratorCache holds " + cache.size() + " of " + keys + " keys");
        }
        return new Sample()
                .put("initial load ms", loadMs)
                .put("retained heap MiB", (heapAfter - heapBefore) / (1024.0 * 1024.0))
                .put("round trips/key", roundTrips);
    }

    /** InterProcessMutex acquire+release with no contention. */
    static Sample curatorMutexUncontended(BenchContext ctx) throws Exception {
        InterProcessMutex mutex = new InterProcessMutex(ctx.curator(), "/lock");
        Histogram latency = Sample.histogram();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long ops = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            mutex.acquire();
            mutex.release();
            latency.recordValue(System.nanoTime() - t);
            ops++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("acquire+release/s", ops / seconds)
                .latencies("acquire+release", latency)
                .put("round trips/acquire+release", (ctx.packets() - packets) / (double) ops);
    }

    /** InterProcessMutex in several clients taking turns: lock handoffs per second. */
    static Sample curatorMutexHandoffs(BenchContext ctx, int clients) throws Exception {
        List<InterProcessMutex> mutexes = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            mutexes.add(new InterProcessMutex(ctx.curator(), "/lock"));
        }
        AtomicLong acquisitions = new AtomicLong();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (InterProcessMutex m : mutexes) {
                done.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        m.acquire();
                        acquisitions.incrementAndGet();
                        m.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("handoffs/s", acquisitions.get() / seconds)
                .put("round trips/handoff", (ctx.packets() - packets) / (double) Math.max(1, acquisitions.get()));
    }

    /** LeaderLatch in three clients: time from closing the leader's latch to a new leader. */
    static Sample curatorLeaderLatchFailoverAfterClose(BenchContext ctx, int rounds) throws Exception {
        Histogram failover = Sample.histogram();
        for (int round = 0; round < rounds; round++) {
            List<LeaderLatch> latches = new ArrayList<>();
            AtomicLong elected = new AtomicLong();
            CountDownLatch first = new CountDownLatch(1);
            AtomicReference<CountDownLatch> next = new AtomicReference<>(new CountDownLatch(1));
            for (int i = 0; i < 3; i++) {
                LeaderLatch latch = ctx.closeAfter(new LeaderLatch(ctx.curator(), "/leader-" + round, "p" + i));
                latch.addListener(new org.apache.curator.framework.recipes.leader.LeaderLatchListener() {
                    @Override
                    public void isLeader() {
                        elected.set(System.nanoTime());
                        first.countDown();
                        Objects.requireNonNull(next.get()).countDown();
                    }

                    @Override
                    public void notLeader() {}
                });
                latches.add(latch);
                latch.start();
            }
            if (!first.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no LeaderLatch leader");
            }
            LeaderLatch leader = latches.stream()
                    .filter(LeaderLatch::hasLeadership)
                    .findFirst()
                    .orElseThrow();
            CountDownLatch successor = new CountDownLatch(1);
            next.set(successor);
            long t = System.nanoTime();
            leader.close();
            if (!successor.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no LeaderLatch successor");
            }
            failover.recordValue(elected.get() - t);
        }
        return new Sample().latencies("failover after close", failover);
    }

    /** Raw sequential creates one at a time: the limit for single appends. */
    static Sample rawSequentialCreate(BenchContext ctx, int eventBytes) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        byte[] event = new byte[eventBytes];
        Histogram latency = Sample.histogram();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long ops = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            zk.create(ctx.root() + "/e-", event, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
            latency.recordValue(System.nanoTime() - t);
            ops++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("appends/s", ops / seconds)
                .latencies("append", latency)
                .put("round trips/append", (ctx.packets() - packets) / (double) ops);
    }

    /** Raw pipelined multi: batches of sequential creates, several batches in flight. */
    static Sample rawPipelinedMulti(BenchContext ctx, int eventBytes, int batch, int inFlight) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        byte[] event = ByteBuffer.allocate(eventBytes).array();
        Semaphore window = new Semaphore(inFlight);
        AtomicReference<Integer> failure = new AtomicReference<>();
        AtomicLong events = new AtomicLong();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long batches = 0;
        while (System.nanoTime() < end) {
            List<Op> ops = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                ops.add(Op.create(
                        ctx.root() + "/e-", event, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL));
            }
            window.acquire();
            zk.multi(
                    ops,
                    (rc, path, c, results) -> {
                        if (rc != 0) {
                            failure.compareAndSet(null, rc);
                        } else {
                            events.addAndGet(results.size());
                        }
                        window.release();
                    },
                    null);
            batches++;
        }
        window.acquire(inFlight);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("multi failed: " + KeeperException.Code.get(failure.get()));
        }
        return new Sample()
                .put("events/s", events.get() / seconds)
                .put("round trips/event", (ctx.packets() - packets) / (double) Math.max(1, events.get()))
                .put("batches", (double) batches);
    }
}
