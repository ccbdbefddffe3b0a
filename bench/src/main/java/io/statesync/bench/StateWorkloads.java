package io.statesync.bench;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/** Shared state and tree workloads. */
final class StateWorkloads {
    static final int WRITERS = 4;
    static final int SUBSCRIBERS = 10;
    static final int TREE_KEYS = 10_000;

    private StateWorkloads() {}

    static List<Comparison> all() {
        return List.of(
                new Comparison(
                        "state-update-1",
                        "shared state: update, 1 writer",
                        "updates/s",
                        true,
                        ">= 0.95× raw setData with version",
                        List.of(
                                Comparison.variant("statesync", StateWorkloads::updateOneWriter),
                                Comparison.variant("raw ZooKeeper setData(version)", References::rawSetDataWithVersion),
                                Comparison.variant("Curator SharedValue", References::curatorSharedValueOneWriter))),
                new Comparison(
                        "state-update-4",
                        "shared state: update, " + WRITERS + " writers in " + WRITERS + " clients",
                        "updates/s",
                        true,
                        "> Curator SharedValue (about 1,000–1,500/s)",
                        List.of(
                                Comparison.variant("statesync", ctx -> updateWriters(ctx, WRITERS)),
                                Comparison.variant(
                                        "Curator SharedValue",
                                        ctx -> References.curatorSharedValueWriters(ctx, WRITERS)))),
                new Comparison(
                        "state-propagation",
                        "shared state: write-to-listener latency, " + SUBSCRIBERS + " subscribed clients",
                        "write-to-listener p99 ms",
                        false,
                        "p99 <= Curator CuratorCache (about 1–1.3 ms)",
                        List.of(
                                Comparison.variant("statesync", ctx -> propagation(ctx, SUBSCRIBERS)),
                                Comparison.variant(
                                        "Curator CuratorCache",
                                        ctx -> References.curatorCachePropagation(ctx, SUBSCRIBERS)))),
                new Comparison(
                        "tree-load",
                        "tree watcher: initial load of " + TREE_KEYS + " keys",
                        "initial load ms",
                        false,
                        "load time and heap <= CuratorCache (about 1.2 s, 3.2 MiB)",
                        List.of(
                                Comparison.variant("statesync", ctx -> treeLoad(ctx, TREE_KEYS)),
                                Comparison.variant(
                                        "Curator CuratorCache",
                                        ctx -> References.curatorCacheTreeLoad(ctx, TREE_KEYS)))));
    }

    private static SharedState<Long> counter(Coordinator c) throws InterruptedException {
        SharedState<Long> state =
                SharedState.builder(c, "/value", Codec.longs(), 0L).build();
        state.start();
        if (!state.awaitInitialized(Duration.ofSeconds(30))) {
            throw new IllegalStateException("shared state did not initialize");
        }
        return state;
    }

    static Sample updateOneWriter(BenchContext ctx) throws Exception {
        SharedState<Long> state = ctx.closeAfter(counter(ctx.coordinator()));
        state.update(x -> x + 1);
        Histogram latency = Sample.histogram();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long ops = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            state.update(x -> x + 1);
            latency.recordValue(System.nanoTime() - t);
            ops++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("updates/s", ops / seconds)
                .latencies("update", latency)
                .put("round trips/update", (ctx.packets() - packets) / (double) ops);
    }

    static Sample updateWriters(BenchContext ctx, int writers) throws Exception {
        List<SharedState<Long>> states = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            states.add(ctx.closeAfter(counter(ctx.coordinator())));
        }
        long before = states.get(0).update(x -> x).value();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long ok = 0;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (SharedState<Long> s : states) {
                done.add(pool.submit(() -> {
                    long mine = 0;
                    while (System.nanoTime() < end) {
                        s.update(x -> x + 1);
                        mine++;
                    }
                    return mine;
                }));
            }
            for (Future<Long> f : done) {
                ok += f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = Objects.requireNonNull(states.get(0).read().orElseThrow().value());
        if (after - before != ok) {
            throw new IllegalStateException(
                    "lost updates: " + ok + " updates moved the counter by " + (after - before));
        }
        return new Sample()
                .put("updates/s", ok / seconds)
                .put("round trips/update", (ctx.packets() - packets) / (double) Math.max(1, ok));
    }

    static Sample propagation(BenchContext ctx, int subscribers) throws Exception {
        SharedState<Long> writer = ctx.closeAfter(counter(ctx.coordinator()));
        Histogram latency = Sample.histogram();
        AtomicReference<CountDownLatch> round = new AtomicReference<>(new CountDownLatch(subscribers));
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong burstEnd = new AtomicLong(Long.MAX_VALUE);
        CountDownLatch burstDone = new CountDownLatch(subscribers);
        List<AtomicInteger> seenInBurst = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            SharedState<Long> reader = ctx.closeAfter(counter(ctx.coordinator()));
            AtomicInteger seen = new AtomicInteger();
            seenInBurst.add(seen);
            reader.addListener(
                    change -> {
                        if (change.kind() != ChangeKind.UPDATED) {
                            return;
                        }
                        long now = System.nanoTime();
                        long written = change.current().orElseThrow().value();
                        if (written >= burstEnd.get() - 1_000_000) {
                            seen.incrementAndGet();
                            if (written == burstEnd.get()) {
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
                    },
                    Runnable::run);
        }
        int writes = ctx.quick() ? 200 : 1000;
        long packets = ctx.packets();
        for (int i = 0; i < writes + 50; i++) {
            measuring.set(i >= 50);
            CountDownLatch latch = new CountDownLatch(subscribers);
            round.set(latch);
            writer.set(System.nanoTime());
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a listener did not see write " + i);
            }
        }
        double perWrite = (ctx.packets() - packets) / (double) (writes + 50);
        // A burst of 200 values far above any timestamp: listeners may coalesce, and must end on the last.
        int burst = 200;
        long base = Long.MAX_VALUE - 10_000;
        burstEnd.set(base + burst - 1);
        for (int i = 0; i < burst; i++) {
            writer.set(base + i);
        }
        if (!burstDone.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a listener did not land on the last value of the burst");
        }
        double seenAvg =
                seenInBurst.stream().mapToInt(AtomicInteger::get).average().orElse(0);
        return new Sample()
                .latencies("write-to-listener", latency)
                .put("versions coalesced per listener (of 200)", burst - seenAvg)
                .put("round trips/write (all clients)", perWrite);
    }

    static Sample treeLoad(BenchContext ctx, int keys) throws Exception {
        String tree = References.createTree(ctx, keys);
        Coordinator c = ctx.coordinator();
        long heapBefore = References.usedHeapAfterGc();
        long packets = ctx.packets();
        long t = System.nanoTime();
        StateTree<byte[]> view =
                ctx.closeAfter(StateTree.builder(c, tree, Codec.bytes()).build());
        view.start();
        if (!view.awaitInitialized(Duration.ofMinutes(2))) {
            throw new IllegalStateException("StateTree did not initialize");
        }
        double loadMs = (System.nanoTime() - t) / 1e6;
        double roundTrips = (ctx.packets() - packets) / (double) keys;
        long heapAfter = References.usedHeapAfterGc();
        if (view.size() != keys) {
            throw new IllegalStateException("StateTree holds " + view.size() + " of " + keys + " keys");
        }
        return new Sample()
                .put("initial load ms", loadMs)
                .put("retained heap MiB", (heapAfter - heapBefore) / (1024.0 * 1024.0))
                .put("round trips/key", roundTrips);
    }
}
