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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.zookeeper.AddWatchMode;
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

    /** Raw setData with the version from the previous write: one request per update. */
    static Sample rawSetDataWithVersion(BenchContext ctx) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        String path = ctx.root();
        zk.create(path, longBytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int[] version = {0};
        long[] value = {0};
        return Loops.timed(ctx, () -> {
                    version[0] =
                            zk.setData(path, longBytes(++value[0]), version[0]).getVersion();
                    return true;
                })
                .sample("updates/s", "update");
    }

    /**
     * The raw equivalent of what a shared state's write is: one multi of the version-checked setData
     * and a version-checked setData of the writer's own ephemeral marker (what makes the outcome
     * resolvable after a lost reply), on a znode the writer watches (what keeps its copy current), so
     * each write also sends the writer a watch event.
     */
    static Sample rawMultiWithMarkerOnWatchedNode(BenchContext ctx) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        String path = ctx.root();
        String marker = path + "-marker";
        zk.create(path, longBytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(marker, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        zk.addWatch(path, event -> {}, AddWatchMode.PERSISTENT);
        int[] version = {0};
        long[] value = {0};
        return Loops.timed(ctx, () -> {
                    zk.multi(List.of(
                            Op.setData(path, longBytes(++value[0]), version[0]),
                            Op.setData(marker, new byte[0], version[0])));
                    version[0]++;
                    return true;
                })
                .sample("updates/s", "update");
    }

    /** Curator SharedValue: read the local versioned value, trySetValue, repeat. */
    static Sample curatorSharedValueOneWriter(BenchContext ctx) throws Exception {
        SharedValue value = ctx.closeAfter(new SharedValue(ctx.curator(), "/value", longBytes(0)));
        value.start();
        Loops.Measured m = Loops.timed(ctx, () -> casIncrement(value));
        return m.sample("updates/s", "update").put("conflicts/s", m.missesPerSecond());
    }

    private static boolean casIncrement(SharedValue value) throws Exception {
        VersionedValue<byte[]> current = value.getVersionedValue();
        return value.trySetValue(current, longBytes(parseLong(current.getValue()) + 1));
    }

    /**
     * Curator SharedValue CAS loops in several clients at once: each update retries trySetValue (which
     * rereads the value after a lost race) until it lands; counts successful increments.
     */
    static Sample curatorSharedValueWriters(BenchContext ctx, int writers) throws Exception {
        List<Loops.Attempts> callers = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            SharedValue v = ctx.closeAfter(new SharedValue(ctx.curator(), "/value", longBytes(0)));
            v.start();
            callers.add(() -> {
                int attempts = 1;
                while (!casIncrement(v)) {
                    attempts++;
                }
                return attempts;
            });
        }
        Sample sample = Loops.contended(ctx, callers);
        checkCounter(sample, parseLong(ctx.curator().getData().forPath("/value")));
        return sample;
    }

    /**
     * The raw compare-and-set loop, one ZooKeeper handle per writer: setData with the version this
     * writer last saw (from its own previous write, so an uncontended update is one request); after
     * a lost race (BadVersion) it reads the current value and version, and tries again.
     */
    static Sample rawCasWriters(BenchContext ctx, int writers) throws Exception {
        String path = ctx.root();
        List<Loops.Attempts> callers = new ArrayList<>();
        ZooKeeper first = ctx.zooKeeper();
        first.create(path, longBytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < writers; i++) {
            ZooKeeper zk = i == 0 ? first : ctx.zooKeeper();
            Stat seen = new Stat();
            long[] value = {parseLong(zk.getData(path, false, seen))};
            int[] version = {seen.getVersion()};
            callers.add(() -> {
                for (int attempts = 1; ; attempts++) {
                    try {
                        version[0] = zk.setData(path, longBytes(value[0] + 1), version[0])
                                .getVersion();
                        value[0]++;
                        return attempts;
                    } catch (KeeperException.BadVersionException e) {
                        Stat current = new Stat();
                        value[0] = parseLong(zk.getData(path, false, current));
                        version[0] = current.getVersion();
                    }
                }
            });
        }
        Sample sample = Loops.contended(ctx, callers);
        checkCounter(sample, parseLong(first.getData(path, false, null)));
        return sample;
    }

    /** Throws if a counter that started at 0 does not equal the number of updates measured. */
    private static void checkCounter(Sample sample, long counter) {
        long updates = Math.round(Objects.requireNonNull(sample.figures().get("updates")));
        if (counter != updates) {
            throw new IllegalStateException("lost updates: " + updates + " updates, the counter is at " + counter);
        }
    }

    /** Write-to-listener latency with a CuratorCache in each subscribed client. */
    static Sample curatorCachePropagation(BenchContext ctx, int subscribers) throws Exception {
        CuratorFramework writer = ctx.curator();
        writer.create().forPath("/value", longBytes(0));
        return Propagation.measure(
                ctx, subscribers, value -> writer.setData().forPath("/value", longBytes(value)), onValue -> {
                    CuratorCache cache = ctx.closeAfter(CuratorCache.build(ctx.curator(), "/value"));
                    CountDownLatch initialized = new CountDownLatch(1);
                    cache.listenable()
                            .addListener(CuratorCacheListener.builder()
                                    .forChanges((before, after) -> onValue.accept(parseLong(after.getData())))
                                    .forInitialized(initialized::countDown)
                                    .build());
                    cache.start();
                    if (!initialized.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("CuratorCache did not initialize");
                    }
                });
    }

    /** Creates {@code keys} children under {@code parent} with pipelined async creates. */
    static void createChildren(ZooKeeper zk, String parent, int keys, int valueBytes) throws Exception {
        createChildren(zk, parent, keys, new byte[valueBytes], 500);
    }

    /**
     * Creates {@code parent} and {@code keys} children {@code key-i} holding {@code value}, with at
     * most {@code window} creates in flight.
     */
    static void createChildren(ZooKeeper zk, String parent, int keys, byte[] value, int window) throws Exception {
        createChildren(zk, parent, "key-", keys, value, window);
    }

    /**
     * Creates {@code parent} and {@code keys} children {@code prefix + i} holding {@code value}, with
     * at most {@code window} creates in flight.
     */
    static void createChildren(ZooKeeper zk, String parent, String prefix, int keys, byte[] value, int window)
            throws Exception {
        zk.create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Semaphore inFlight = new Semaphore(window);
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        AsyncCallback.StringCallback cb = (rc, path, c, name) -> {
            if (rc != 0) {
                failure.compareAndSet(null, KeeperException.Code.get(rc));
            }
            inFlight.release();
        };
        for (int i = 0; i < keys; i++) {
            inFlight.acquire();
            zk.create(parent + "/" + prefix + i, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, cb, null);
        }
        inFlight.acquire(window);
        if (failure.get() != null) {
            throw new IllegalStateException("creating children failed: " + failure.get());
        }
    }

    /**
     * Reads every child of {@code parent} in name order: one {@code getChildren}, then pipelined
     * {@code getData}s ({@code window} in flight), each child's data handed to {@code onData} on the
     * client's event thread, in order.
     *
     * @throws IllegalStateException if a read failed, or the reads did not finish within 5 minutes
     */
    static void readChildren(ZooKeeper zk, String parent, int window, Consumer<byte[]> onData) throws Exception {
        List<String> children = zk.getChildren(parent, false);
        Collections.sort(children);
        Semaphore inFlight = new Semaphore(window);
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        for (String child : children) {
            inFlight.acquire();
            zk.getData(
                    parent + "/" + child,
                    false,
                    (rc, path, c, data, stat) -> {
                        if (rc != 0) {
                            failure.compareAndSet(null, KeeperException.Code.get(rc));
                        } else {
                            onData.accept(data);
                        }
                        inFlight.release();
                    },
                    null);
        }
        if (!inFlight.tryAcquire(window, 5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("reading the children of " + parent + " did not finish within 5 minutes");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("reading the children of " + parent + " failed: " + failure.get());
        }
    }

    /** How {@link #usedHeapAfterGc()} measures retained heap, in words for the report. */
    static final String HEAP_METHOD = "retained heap = used heap (Runtime totalMemory - freeMemory) of the bench JVM"
            + " after three System.gc() calls, taken once before the cache or view starts and once after it has"
            + " loaded, minus the first; clients and connections made before the first reading are not counted";

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

    /**
     * CuratorCache over a tree of keys: time to the initialized event, and the heap it retains.
     * CuratorCache is recursive (for every key it also lists the key's children), so it is a second
     * reference, not like for like with StateTree's one level.
     */
    static Sample curatorCacheTreeLoad(BenchContext ctx, int keys) throws Exception {
        return cacheTreeLoad(
                ctx,
                keys,
                "CuratorCache",
                (client, tree, initialized) -> {
                    CuratorCache cache = ctx.closeAfter(CuratorCache.build(client, tree));
                    cache.listenable()
                            .addListener(CuratorCacheListener.builder()
                                    .forInitialized(initialized::countDown)
                                    .build());
                    cache.start();
                    return cache;
                },
                cache -> {
                    if (cache.size() < keys) {
                        throw new IllegalStateException("CuratorCache holds " + cache.size() + " of " + keys + " keys");
                    }
                });
    }

    /**
     * PathChildrenCache over a tree of keys: Curator's one-level cache, the like-for-like reference
     * for StateTree (both follow the direct children only). Time to the initialized event, and the
     * heap it retains.
     */
    @SuppressWarnings("deprecation") // PathChildrenCache is Curator's one-level cache; CuratorCache is recursive
    static Sample pathChildrenCacheTreeLoad(BenchContext ctx, int keys) throws Exception {
        return cacheTreeLoad(
                ctx,
                keys,
                "PathChildrenCache",
                (client, tree, initialized) -> {
                    org.apache.curator.framework.recipes.cache.PathChildrenCache cache = ctx.closeAfter(
                            new org.apache.curator.framework.recipes.cache.PathChildrenCache(client, tree, true));
                    cache.getListenable().addListener((c, event) -> {
                        if (event.getType()
                                == org.apache.curator.framework.recipes.cache.PathChildrenCacheEvent.Type.INITIALIZED) {
                            initialized.countDown();
                        }
                    });
                    cache.start(
                            org.apache.curator.framework.recipes.cache.PathChildrenCache.StartMode
                                    .POST_INITIALIZED_EVENT);
                    return cache;
                },
                cache -> {
                    if (cache.getCurrentData().size() != keys) {
                        throw new IllegalStateException("PathChildrenCache holds "
                                + cache.getCurrentData().size() + " of " + keys + " keys");
                    }
                });
    }

    /** How {@link #cacheTreeLoad} builds and starts the Curator cache it measures. */
    @FunctionalInterface
    private interface CacheStart<C> {
        /**
         * Builds the cache over {@code tree} (closed after the run) and starts it; the cache counts
         * {@code initialized} down once its initial load is in.
         */
        C start(CuratorFramework client, String tree, CountDownLatch initialized) throws Exception;
    }

    /**
     * Creates a tree of {@code keys} keys, then times a cache from its build to its initialized
     * event, counts the requests per key, measures the heap it retains, and last checks the keys it
     * holds.
     */
    private static <C> Sample cacheTreeLoad(
            BenchContext ctx, int keys, String name, CacheStart<C> start, Consumer<C> checkKeys) throws Exception {
        String tree = createTree(ctx, keys);
        CuratorFramework client = ctx.curator();
        long heapBefore = usedHeapAfterGc();
        CountDownLatch initialized = new CountDownLatch(1);
        long packets = ctx.packets();
        long t = System.nanoTime();
        C cache = start.start(client, tree, initialized);
        if (!initialized.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not initialize");
        }
        double loadMs = (System.nanoTime() - t) / 1e6;
        double requests = (ctx.packets() - packets) / (double) keys;
        long heapAfter = usedHeapAfterGc();
        checkKeys.accept(cache);
        return new Sample()
                .put("initial load ms", loadMs)
                .put("retained heap MiB", (heapAfter - heapBefore) / (1024.0 * 1024.0))
                .put("requests/key", requests);
    }

    /** InterProcessMutex acquire+release with no contention. */
    static Sample curatorMutexUncontended(BenchContext ctx) throws Exception {
        InterProcessMutex mutex = new InterProcessMutex(ctx.curator(), "/lock");
        return Loops.timed(ctx, () -> {
                    mutex.acquire();
                    mutex.release();
                    return true;
                })
                .sample("acquire+release/s", "acquire+release");
    }

    /** InterProcessMutex in several clients taking turns: lock handoffs per second. */
    static Sample curatorMutexHandoffs(BenchContext ctx, int clients) throws Exception {
        List<Loops.Op> callers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            InterProcessMutex m = new InterProcessMutex(ctx.curator(), "/lock");
            callers.add(() -> {
                m.acquire();
                m.release();
                return true;
            });
        }
        Loops.Measured m = Loops.parallel(ctx, callers);
        return new Sample().put("handoffs/s", m.perSecond()).put("requests/handoff", m.requestsPerOp());
    }

    /** Raw sequential creates one at a time: the limit for single appends. */
    static Sample rawSequentialCreate(BenchContext ctx, int eventBytes) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        byte[] event = new byte[eventBytes];
        String prefix = ctx.root() + "/e-";
        return Loops.timed(ctx, () -> {
                    zk.create(prefix, event, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                    return true;
                })
                .sample("appends/s", "append");
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
                .put("requests/event", (ctx.packets() - packets) / (double) Math.max(1, events.get()))
                .put("batches", (double) batches);
    }
}
