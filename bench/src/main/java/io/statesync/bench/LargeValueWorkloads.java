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
import io.statesync.core.Coordinator;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Large values (100 KB to the 1,000,000-byte limit) in a shared state, a tree and an event log,
 * each beside plain Curator and the raw ZooKeeper client moving the same bytes. One workload group
 * (a fresh server) per size, so that one size's transaction log does not slow the next.
 *
 * <p>The largest size is the coordinator's default value limit ({@link Coordinator#maxValueBytes()},
 * 1,000,000 bytes), which keeps a request under ZooKeeper's default {@code jute.maxbuffer} of
 * 1,048,575 bytes with room for the path and framing; a value of 1 MiB would not fit. An event log
 * record adds {@link EventLog#RECORD_OVERHEAD_BYTES} bytes to its event, so the largest event the
 * log takes is 999,966 bytes, the size its workload uses at the limit (the raw reference writes the
 * same 999,966 bytes, without the record header).
 */
final class LargeValueWorkloads {
    /** The coordinator's default value limit, under ZooKeeper's default {@code jute.maxbuffer}. */
    static final int LIMIT = 1_000_000;

    /** The largest event an event log takes at the default value limit. */
    static final int LARGEST_EVENT = LIMIT - EventLog.RECORD_OVERHEAD_BYTES;

    private LargeValueWorkloads() {}

    /** The sizes measured: the limit alone in quick mode, 100 KB, 500 KB and the limit in full mode. */
    static int[] sizes(boolean quick) {
        return quick ? new int[] {LIMIT} : new int[] {100_000, 500_000, LIMIT};
    }

    /** The keys of the large-value tree: enough to load several MB, few enough to run quickly. */
    static int treeKeys(boolean quick) {
        return quick ? 10 : 40;
    }

    /** Short label of a size for ids: 100k, 500k, 1m. */
    static String label(int size) {
        return size >= LIMIT ? "1m" : size / 1000 + "k";
    }

    static List<Comparison> all(boolean quick) {
        List<Comparison> all = new ArrayList<>();
        int keys = treeKeys(quick);
        for (int size : sizes(quick)) {
            String group = "large-" + label(size);
            String bytes = String.format(Locale.ROOT, "%,d B", size);
            int event = Math.min(size, LARGEST_EVENT);
            String eventBytes = String.format(Locale.ROOT, "%,d B", event);
            all.add(new Comparison(
                            "state-large-" + label(size),
                            "large values: shared state write of " + bytes + ", 1 writer",
                            "updates/s",
                            true,
                            "",
                            List.of(
                                    Comparison.variant("statesync SharedState.set", ctx -> stateWrite(ctx, size)),
                                    Comparison.variant("raw ZooKeeper setData(version)", ctx -> rawSetData(ctx, size)),
                                    Comparison.variant(
                                            "raw ZooKeeper multi(setData(version), marker setData), watched",
                                            ctx -> rawMultiWithMarker(ctx, size)),
                                    Comparison.variant(
                                            "Curator SharedValue.trySetValue", ctx -> curatorSharedValue(ctx, size))))
                    .inGroup(group));
            all.add(new Comparison(
                            "tree-large-" + label(size),
                            "large values: tree initial load of " + keys + " keys of " + bytes,
                            "initial load ms",
                            false,
                            "",
                            List.of(
                                    Comparison.variant("statesync StateTree", ctx -> treeLoad(ctx, keys, size)),
                                    Comparison.variant(
                                            "Curator PathChildrenCache (data cached; like for like)",
                                            ctx -> pathChildrenCacheLoad(ctx, keys, size)),
                                    Comparison.variant(
                                            "raw ZooKeeper getChildren + pipelined getData, watched",
                                            ctx -> rawTreeLoad(ctx, keys, size))))
                    .inGroup(group));
            all.add(new Comparison(
                            "eventlog-large-" + label(size),
                            "large values: event log single append of " + eventBytes,
                            "appends/s",
                            true,
                            "",
                            List.of(
                                    Comparison.variant("statesync EventLog.append", ctx -> append(ctx, event)),
                                    Comparison.variant(
                                            "raw ZooKeeper sequential create (same event bytes, no record header)",
                                            ctx -> rawSequentialCreate(ctx, event))))
                    .inGroup(group));
        }
        return all;
    }

    /**
     * Two values of {@code size} random bytes that differ in their first byte; the writers alternate
     * between them, so that every write changes the value and no variant copies more than another.
     */
    static byte[][] values(int size) {
        byte[] a = new byte[size];
        new Random(size).nextBytes(a);
        byte[] b = a.clone();
        b[0] = (byte) (a[0] + 1);
        return new byte[][] {a, b};
    }

    /** A throughput sample with the megabytes per second the writes carried beside it. */
    private static Sample writes(Loops.Measured m, String rate, String what, int size) {
        return m.sample(rate, what).put("MB/s", m.perSecond() * size / 1e6);
    }

    static Sample stateWrite(BenchContext ctx, int size) throws Exception {
        SharedState<byte[]> state =
                ctx.closeAfter(SharedState.builder(ctx.coordinator(), "/value", Codec.bytes(), new byte[0])
                        .build());
        state.start();
        if (!state.awaitInitialized(Duration.ofSeconds(30))) {
            throw new IllegalStateException("shared state did not initialize");
        }
        byte[][] values = values(size);
        state.set(values[1]); // creates the znode and the writer's marker outside the measurement
        long[] n = {0};
        return writes(
                Loops.timed(ctx, () -> {
                    state.set(values[(int) (n[0]++ & 1)]);
                    return true;
                }),
                "updates/s",
                "update",
                size);
    }

    static Sample rawSetData(BenchContext ctx, int size) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        String path = ctx.root();
        byte[][] values = values(size);
        zk.create(path, values[1], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int[] version = {0};
        long[] n = {0};
        return writes(
                Loops.timed(ctx, () -> {
                    version[0] = zk.setData(path, values[(int) (n[0]++ & 1)], version[0])
                            .getVersion();
                    return true;
                }),
                "updates/s",
                "update",
                size);
    }

    /**
     * What a shared state's write sends, on the raw client: one multi of the version-checked setData
     * and the writer's marker setData, on a znode the writer watches (each write sends it a watch
     * event, which carries no data).
     */
    static Sample rawMultiWithMarker(BenchContext ctx, int size) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        String path = ctx.root();
        String marker = path + "-marker";
        byte[][] values = values(size);
        zk.create(path, values[1], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(marker, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        zk.addWatch(path, event -> {}, AddWatchMode.PERSISTENT);
        int[] version = {0};
        long[] n = {0};
        return writes(
                Loops.timed(ctx, () -> {
                    zk.multi(List.of(
                            Op.setData(path, values[(int) (n[0]++ & 1)], version[0]),
                            Op.setData(marker, new byte[0], version[0])));
                    version[0]++;
                    return true;
                }),
                "updates/s",
                "update",
                size);
    }

    /**
     * Curator SharedValue: trySetValue with the value it holds (its watcher reads each new value
     * back, so every write is followed by a read of the whole value).
     */
    static Sample curatorSharedValue(BenchContext ctx, int size) throws Exception {
        byte[][] values = values(size);
        SharedValue value = ctx.closeAfter(new SharedValue(ctx.curator(), "/value", values[1]));
        value.start();
        long[] n = {0};
        Loops.Measured m = Loops.timed(ctx, () -> {
            VersionedValue<byte[]> current = value.getVersionedValue();
            return value.trySetValue(current, values[(int) (n[0]++ & 1)]);
        });
        return writes(m, "updates/s", "update", size).put("conflicts/s", m.missesPerSecond());
    }

    /** Creates {@code keys} children of {@code size} bytes under {@code root/tree}, 8 creates in flight. */
    static String createTree(BenchContext ctx, int keys, int size) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        References.createChildren(zk, ctx.root() + "/tree", keys, values(size)[0], 8);
        return "/tree";
    }

    /** The figures of a tree load: time, throughput, retained heap and its ratio to the data, requests. */
    private static Sample treeSample(double loadMs, long heapBytes, long requests, int keys, int size) {
        double data = (double) keys * size;
        return new Sample()
                .put("initial load ms", loadMs)
                .put("MB/s", data / 1e6 / (loadMs / 1e3))
                .put("retained heap MiB", heapBytes / (1024.0 * 1024.0))
                .put("retained heap / data bytes", heapBytes / data)
                .put("requests/key", requests / (double) keys);
    }

    static Sample treeLoad(BenchContext ctx, int keys, int size) throws Exception {
        StateWorkloads.TreeLoad load = StateWorkloads.loadStateTree(ctx, createTree(ctx, keys, size), keys);
        return treeSample(load.loadMs(), load.heapBytes(), load.requests(), keys, size);
    }

    @SuppressWarnings("deprecation") // PathChildrenCache is Curator's one-level cache; CuratorCache is recursive
    static Sample pathChildrenCacheLoad(BenchContext ctx, int keys, int size) throws Exception {
        String tree = createTree(ctx, keys, size);
        CuratorFramework client = ctx.curator();
        long heapBefore = References.usedHeapAfterGc();
        CountDownLatch initialized = new CountDownLatch(1);
        long packets = ctx.packets();
        long t = System.nanoTime();
        org.apache.curator.framework.recipes.cache.PathChildrenCache cache =
                ctx.closeAfter(new org.apache.curator.framework.recipes.cache.PathChildrenCache(client, tree, true));
        cache.getListenable().addListener((cl, event) -> {
            if (event.getType() == org.apache.curator.framework.recipes.cache.PathChildrenCacheEvent.Type.INITIALIZED) {
                initialized.countDown();
            }
        });
        cache.start(org.apache.curator.framework.recipes.cache.PathChildrenCache.StartMode.POST_INITIALIZED_EVENT);
        if (!initialized.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("PathChildrenCache did not initialize");
        }
        double loadMs = (System.nanoTime() - t) / 1e6;
        long requests = ctx.packets() - packets;
        long heapAfter = References.usedHeapAfterGc();
        if (cache.getCurrentData().size() != keys) {
            throw new IllegalStateException(
                    "PathChildrenCache holds " + cache.getCurrentData().size() + " of " + keys + " keys");
        }
        return treeSample(loadMs, heapAfter - heapBefore, requests, keys, size);
    }

    /**
     * The raw floor of a watched one-level load: one getChildren with a watch, then a getData with a
     * watch for every child, all in flight at once; the values are kept in a list.
     */
    static Sample rawTreeLoad(BenchContext ctx, int keys, int size) throws Exception {
        String parent = ctx.root() + createTree(ctx, keys, size);
        ZooKeeper zk = ctx.zooKeeper();
        long heapBefore = References.usedHeapAfterGc();
        long packets = ctx.packets();
        long t = System.nanoTime();
        List<String> children = zk.getChildren(parent, event -> {});
        List<byte[]> held = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(children.size());
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        for (String child : children) {
            zk.getData(
                    parent + "/" + child,
                    event -> {},
                    (rc, path, c, data, stat) -> {
                        if (rc != 0) {
                            failure.compareAndSet(null, KeeperException.Code.get(rc));
                        } else {
                            held.add(data);
                            bytes.addAndGet(data.length);
                        }
                        done.countDown();
                    },
                    null);
        }
        if (!done.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("raw tree load did not finish");
        }
        double loadMs = (System.nanoTime() - t) / 1e6;
        long requests = ctx.packets() - packets;
        long heapAfter = References.usedHeapAfterGc();
        if (failure.get() != null || held.size() != keys || bytes.get() != (long) keys * size) {
            throw new IllegalStateException("raw tree load failed: " + failure.get() + ", " + held.size() + " keys");
        }
        return treeSample(loadMs, heapAfter - heapBefore, requests, keys, size);
    }

    static Sample append(BenchContext ctx, int size) throws Exception {
        EventLog<byte[]> log = ctx.closeAfter(
                EventLog.builder(ctx.coordinator(), "/log", Codec.bytes()).build());
        log.start();
        byte[][] values = values(size);
        log.append(values[1]); // creates the log's znodes outside the measurement
        long[] n = {0};
        return writes(Loops.timed(ctx, () -> log.append(values[(int) (n[0]++ & 1)]) >= 0), "appends/s", "append", size);
    }

    static Sample rawSequentialCreate(BenchContext ctx, int size) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        byte[][] values = values(size);
        String prefix = ctx.root() + "/e-";
        long[] n = {0};
        return writes(
                Loops.timed(ctx, () -> {
                    zk.create(
                            prefix,
                            values[(int) (n[0]++ & 1)],
                            ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.PERSISTENT_SEQUENTIAL);
                    return true;
                }),
                "appends/s",
                "append",
                size);
    }
}
