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
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.state.SharedState;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * Many instances on one client: {@value #INSTANCES} shared states (or held locks; 100 of them in
 * quick mode, where taking 1,000 one after another takes seconds) on one coordinator,
 * beside as many Curator recipes on one {@code CuratorFramework} and, for the states, the raw
 * client's floor (one watched read per node). Each run measures the time to start every instance
 * (until each has its value, or holds its lock), the requests per instance, the heap each retains,
 * the client threads added, and the watches and ephemeral znodes the server holds for them.
 *
 * <p>The state nodes are created before the clock starts (the same 8 bytes for every variant), so
 * that every variant loads existing state; each lock's znode (and the run's root) is created by its
 * first acquire, for both variants.
 */
final class InstanceWorkloads {
    /** The instances per client. */
    static final int INSTANCES = 1_000;

    private InstanceWorkloads() {}

    /** The locks one client takes and holds: {@value #INSTANCES} in full mode, fewer in quick mode. */
    static int locks(boolean quick) {
        return quick ? 100 : INSTANCES;
    }

    static List<Comparison> all(boolean quick) {
        int locks = locks(quick);
        return List.of(
                new Comparison(
                        "instances-1000-states",
                        "many instances: " + INSTANCES + " shared states on one client",
                        "start-up ms",
                        false,
                        "",
                        List.of(
                                Comparison.variant("statesync SharedState", ctx -> states(ctx, INSTANCES)),
                                Comparison.variant("Curator SharedValue", ctx -> curatorSharedValues(ctx, INSTANCES)),
                                Comparison.variant(
                                        "Curator CuratorCache (read-only view; second reference)",
                                        ctx -> curatorCaches(ctx, INSTANCES)),
                                Comparison.variant(
                                        "raw ZooKeeper getData with a watch per node (pipelined; the floor)",
                                        ctx -> rawWatchedReads(ctx, INSTANCES)))),
                new Comparison(
                        "instances-locks",
                        "many instances: " + locks + " locks held by one client",
                        "start-up ms",
                        false,
                        "",
                        List.of(
                                Comparison.variant("statesync DistributedLock", ctx -> locks(ctx, locks)),
                                Comparison.variant("Curator InterProcessMutex", ctx -> curatorMutexes(ctx, locks)))));
    }

    /** What the client and the server hold before the instances start. */
    private record Before(long heap, int threads, long watches, long ephemerals, long packets, long started) {
        static Before take(BenchContext ctx) {
            long heap = References.usedHeapAfterGc();
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            long watches = ctx.server().watchCount();
            long ephemerals = ctx.server().ephemeralsCount();
            return new Before(heap, threads, watches, ephemerals, ctx.packets(), System.nanoTime());
        }

        /** The figures, once every one of {@code n} instances has started. */
        Sample after(BenchContext ctx, int n) {
            double ms = (System.nanoTime() - started) / 1e6;
            long requests = ctx.packets() - packets;
            long heapAfter = References.usedHeapAfterGc();
            int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
            return new Sample()
                    .put("start-up ms", ms)
                    .put("requests/instance", requests / (double) n)
                    .put("heap KiB/instance", (heapAfter - heap) / 1024.0 / n)
                    .put("client threads added", threadsAfter - threads)
                    .put("server watches added", (double) (ctx.server().watchCount() - watches))
                    .put("server ephemerals added", (double) (ctx.server().ephemeralsCount() - ephemerals));
        }
    }

    /** Creates {@code n} nodes {@code root/s-i} of 8 bytes, pipelined; returns their names relative to the root. */
    static List<String> createNodes(BenchContext ctx, int n) throws Exception {
        References.createChildren(ctx.zooKeeper(), ctx.root(), "s-", n, new byte[8], 500);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            paths.add("/s-" + i);
        }
        return paths;
    }

    static Sample states(BenchContext ctx, int n) throws Exception {
        List<String> paths = createNodes(ctx, n);
        Coordinator c = ctx.coordinator();
        List<SharedState<byte[]>> states = new ArrayList<>();
        Before before = Before.take(ctx);
        for (String path : paths) {
            SharedState<byte[]> s = ctx.closeAfter(
                    SharedState.builder(c, path, Codec.bytes(), new byte[8]).build());
            s.start();
            states.add(s);
        }
        for (SharedState<byte[]> s : states) {
            if (!s.awaitInitialized(Duration.ofMinutes(2))) {
                throw new IllegalStateException("shared state " + s.path() + " did not initialize");
            }
        }
        Sample sample = before.after(ctx, n);
        if (states.size() != n) {
            throw new IllegalStateException(states.size() + " of " + n + " states");
        }
        return sample;
    }

    static Sample curatorSharedValues(BenchContext ctx, int n) throws Exception {
        List<String> paths = createNodes(ctx, n);
        CuratorFramework client = ctx.curator();
        List<SharedValue> values = new ArrayList<>();
        Before before = Before.take(ctx);
        for (String path : paths) {
            SharedValue v = ctx.closeAfter(new SharedValue(client, path, new byte[8]));
            v.start(); // blocks until the value is read
            values.add(v);
        }
        Sample sample = before.after(ctx, n);
        if (values.size() != n) {
            throw new IllegalStateException(values.size() + " of " + n + " values");
        }
        return sample;
    }

    static Sample curatorCaches(BenchContext ctx, int n) throws Exception {
        List<String> paths = createNodes(ctx, n);
        CuratorFramework client = ctx.curator();
        List<CuratorCache> caches = new ArrayList<>();
        CountDownLatch initialized = new CountDownLatch(n);
        Before before = Before.take(ctx);
        for (String path : paths) {
            CuratorCache cache = ctx.closeAfter(CuratorCache.build(client, path));
            cache.listenable()
                    .addListener(CuratorCacheListener.builder()
                            .forInitialized(initialized::countDown)
                            .build());
            cache.start();
            caches.add(cache);
        }
        if (!initialized.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("CuratorCaches did not initialize");
        }
        Sample sample = before.after(ctx, n);
        if (caches.size() != n) {
            throw new IllegalStateException(caches.size() + " of " + n + " caches");
        }
        return sample;
    }

    /** The floor: one getData with a watch per node, all in flight at once, the values kept. */
    static Sample rawWatchedReads(BenchContext ctx, int n) throws Exception {
        List<String> paths = createNodes(ctx, n);
        ZooKeeper zk = ctx.zooKeeper();
        List<byte[]> held = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        Before before = Before.take(ctx);
        for (String path : paths) {
            zk.getData(
                    ctx.root() + path,
                    event -> {},
                    (rc, p, c, data, stat) -> {
                        if (rc != 0) {
                            failure.compareAndSet(null, KeeperException.Code.get(rc));
                        } else {
                            synchronized (held) {
                                held.add(data);
                            }
                        }
                        done.countDown();
                    },
                    null);
        }
        if (!done.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("raw reads did not finish");
        }
        Sample sample = before.after(ctx, n);
        synchronized (held) {
            if (failure.get() != null || held.size() != n) {
                throw new IllegalStateException("raw reads failed: " + failure.get() + ", " + held.size() + " values");
            }
        }
        return sample;
    }

    static Sample locks(BenchContext ctx, int n) throws Exception {
        Coordinator c = ctx.coordinator();
        List<LockHandle> held = new ArrayList<>();
        Before before = Before.take(ctx);
        for (int i = 0; i < n; i++) {
            DistributedLock lock =
                    ctx.closeAfter(DistributedLock.builder(c, "/lock-" + i).build());
            lock.start();
            held.add(ctx.closeAfter(lock.acquire(Duration.ofSeconds(30))));
        }
        Sample sample = before.after(ctx, n);
        for (LockHandle h : held) {
            if (!h.isValid()) {
                throw new IllegalStateException("a lock was lost while the others were taken");
            }
        }
        return sample;
    }

    static Sample curatorMutexes(BenchContext ctx, int n) throws Exception {
        CuratorFramework client = ctx.curator();
        List<InterProcessMutex> held = new ArrayList<>();
        Before before = Before.take(ctx);
        for (int i = 0; i < n; i++) {
            InterProcessMutex m = new InterProcessMutex(client, "/lock-" + i);
            if (!m.acquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("InterProcessMutex /lock-" + i + " not acquired");
            }
            held.add(m);
        }
        Sample sample = before.after(ctx, n);
        for (InterProcessMutex m : held) {
            if (!m.isAcquiredInThisProcess()) {
                throw new IllegalStateException("a mutex was lost while the others were taken");
            }
        }
        return sample;
    }
}
