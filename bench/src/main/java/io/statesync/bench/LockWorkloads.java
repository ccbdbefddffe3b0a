package io.statesync.bench;

import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/** Lock workloads: uncontended acquire+release, and handoffs between clients. */
final class LockWorkloads {
    static final int CLIENTS = 4;

    private LockWorkloads() {}

    static List<Comparison> all() {
        return List.of(
                new Comparison(
                        "lock-uncontended",
                        "lock: uncontended acquire+release",
                        "acquire+release/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant("statesync", LockWorkloads::uncontended),
                                Comparison.variant("Curator InterProcessMutex", References::curatorMutexUncontended))),
                new Comparison(
                        "lock-handoffs",
                        "lock: " + CLIENTS + " clients taking turns",
                        "handoffs/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant("statesync", ctx -> handoffs(ctx, CLIENTS)),
                                Comparison.variant(
                                        "Curator InterProcessMutex",
                                        ctx -> References.curatorMutexHandoffs(ctx, CLIENTS)))));
    }

    private static DistributedLock lock(BenchContext ctx) throws InterruptedException {
        DistributedLock lock = ctx.closeAfter(
                DistributedLock.builder(ctx.coordinator(), "/lock").build());
        lock.start();
        return lock;
    }

    static Sample uncontended(BenchContext ctx) throws Exception {
        DistributedLock lock = lock(ctx);
        lock.acquire(Duration.ofSeconds(30)).close(); // creates the lock's parent outside the measurement
        Histogram latency = Sample.histogram();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long ops = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            try (LockHandle handle = lock.acquire(Duration.ofSeconds(30))) {
                handle.token();
            }
            latency.recordValue(System.nanoTime() - t);
            ops++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("acquire+release/s", ops / seconds)
                .latencies("acquire+release", latency)
                .put("round trips/acquire+release", (ctx.packets() - packets) / (double) ops);
    }

    static Sample handoffs(BenchContext ctx, int clients) throws Exception {
        List<DistributedLock> locks = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            locks.add(lock(ctx));
        }
        locks.get(0).acquire(Duration.ofSeconds(30)).close();
        long packets = ctx.packets();
        long start = System.nanoTime();
        long end = start + ctx.measureFor().toNanos();
        long acquisitions = 0;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (DistributedLock lock : locks) {
                done.add(pool.submit(() -> {
                    long mine = 0;
                    while (System.nanoTime() < end) {
                        try (LockHandle handle = lock.acquire(Duration.ofSeconds(30))) {
                            handle.token();
                            mine++;
                        }
                    }
                    return mine;
                }));
            }
            for (Future<Long> f : done) {
                acquisitions += f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sample()
                .put("handoffs/s", acquisitions / seconds)
                .put("round trips/handoff", (ctx.packets() - packets) / (double) Math.max(1, acquisitions));
    }
}
