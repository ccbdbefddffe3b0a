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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** The two measuring loops every workload uses: one caller timed op by op, and several callers at once. */
final class Loops {
    private Loops() {}

    /** One operation; returns whether it counts (e.g. a compare-and-set that won). */
    @FunctionalInterface
    interface Op {
        boolean run() throws Exception;
    }

    /** What a loop measured. */
    record Measured(long ops, long misses, double seconds, Histogram latency, long packets, long cpuNanos) {
        double perSecond() {
            return ops / seconds;
        }

        double missesPerSecond() {
            return misses / seconds;
        }

        double requestsPerOp() {
            return packets / (double) Math.max(1, ops);
        }

        /** Throughput, latency percentiles and requests per operation, under the given names. */
        Sample sample(String rate, String what) {
            Sample s = new Sample().put(rate, perSecond());
            if (latency.getTotalCount() > 0) {
                s.latencies(what, latency);
            }
            s.put("requests/" + what, requestsPerOp());
            return cpuNanos < 0 ? s : s.put("client CPU µs/" + what, cpuNanos / 1e3 / Math.max(1, ops));
        }
    }

    /**
     * Runs {@code op} back to back on this thread for the context's measuring time (and at least
     * {@link BenchContext#minOperations()} times), timing each call.
     */
    static Measured timed(BenchContext ctx, Op op) throws Exception {
        Histogram latency = Sample.histogram();
        Window window = new Window(ctx);
        long ops = 0;
        long misses = 0;
        while (window.another()) {
            long t = System.nanoTime();
            if (op.run()) {
                latency.recordValue(System.nanoTime() - t);
                ops++;
            } else {
                misses++;
            }
        }
        double seconds = window.seconds();
        return window.measured(ops, misses, seconds, latency);
    }

    /**
     * Runs one op per caller, each on its own thread, back to back for the measuring time (and at
     * least {@link BenchContext#minOperations()} ops in all); the latency of every op that counts is
     * recorded.
     */
    static Measured parallel(BenchContext ctx, List<? extends Op> callers) throws Exception {
        Recorder recorder = new Recorder(3);
        Window window = new Window(ctx);
        long ops = 0;
        long misses = 0;
        ExecutorService pool = Executors.newFixedThreadPool(callers.size());
        try {
            List<Future<long[]>> done = new ArrayList<>();
            for (Op op : callers) {
                done.add(pool.submit(() -> {
                    long[] counts = new long[2];
                    while (window.another()) {
                        long t = System.nanoTime();
                        if (op.run()) {
                            recorder.recordValue(System.nanoTime() - t);
                            counts[0]++;
                        } else {
                            counts[1]++;
                        }
                    }
                    return counts;
                }));
            }
            for (Future<long[]> f : done) {
                long[] counts = f.get();
                ops += counts[0];
                misses += counts[1];
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = window.seconds();
        return window.measured(ops, misses, seconds, recorder.getIntervalHistogram());
    }

    /**
     * The measuring time of the loops, with the request and CPU counters read just before it starts,
     * and the count of operations started on all the loop's threads.
     */
    private static final class Window {
        private final BenchContext ctx;
        private final long packets;
        private final long cpu;
        private final long start;
        /** When the measuring time is over, on the {@link System#nanoTime()} scale. */
        private final long end;

        private final long min;
        private final AtomicLong started = new AtomicLong();

        Window(BenchContext ctx) {
            this.ctx = ctx;
            this.packets = ctx.packets();
            this.cpu = ClientCpu.nanos();
            this.min = ctx.minOperations();
            this.start = System.nanoTime();
            this.end = start + ctx.measureFor().toNanos();
        }

        /**
         * Whether a loop's thread starts another operation (and counts it): while the measuring time
         * lasts, and after it until the threads together have started {@link
         * BenchContext#minOperations()}.
         */
        boolean another() {
            if (System.nanoTime() < end || started.get() < min) {
                started.incrementAndGet();
                return true;
            }
            return false;
        }

        /** The requests the server received since the start. */
        long requests() {
            return ctx.packets() - packets;
        }

        /** The seconds since the start; read as soon as the loop is over. */
        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        /** What the loop measured, with the requests and client CPU time since the start. */
        Measured measured(long ops, long misses, double seconds, Histogram latency) {
            return new Measured(ops, misses, seconds, latency, requests(), ClientCpu.since(cpu));
        }
    }

    /** One successful update under contention; returns how many attempts it took (1 when it won at once). */
    @FunctionalInterface
    interface Attempts {
        int update() throws Exception;
    }

    /**
     * Runs one writer per thread, back to back for the measuring time (and at least {@link
     * BenchContext#minOperations()} updates in all), each call retrying until its update lands. Reports updates per second; the latency of each successful update including its
     * retries (p50, p99, max); the requests per update; the mean and maximum attempts; and each
     * writer's share of the updates, with the smallest share as a fraction of an equal share.
     */
    static Sample contended(BenchContext ctx, List<? extends Attempts> writers) throws Exception {
        Recorder recorder = new Recorder(3);
        Window window = new Window(ctx);
        ExecutorService pool = Executors.newFixedThreadPool(writers.size());
        long[] updates = new long[writers.size()];
        long attempts = 0;
        long maxAttempts = 0;
        try {
            List<Future<long[]>> done = new ArrayList<>();
            for (Attempts w : writers) {
                done.add(pool.submit(() -> {
                    long[] counts = new long[3]; // updates, attempts, max attempts
                    while (window.another()) {
                        long t = System.nanoTime();
                        int n = w.update();
                        recorder.recordValue(System.nanoTime() - t);
                        counts[0]++;
                        counts[1] += n;
                        counts[2] = Math.max(counts[2], n);
                    }
                    return counts;
                }));
            }
            for (int i = 0; i < done.size(); i++) {
                long[] counts = done.get(i).get();
                updates[i] = counts[0];
                attempts += counts[1];
                maxAttempts = Math.max(maxAttempts, counts[2]);
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = window.seconds();
        long total = 0;
        long fewest = Long.MAX_VALUE;
        for (long u : updates) {
            total += u;
            fewest = Math.min(fewest, u);
        }
        Sample s = new Sample().put("updates/s", total / seconds).put("updates", (double) total);
        s.latencies("update incl. retries", recorder.getIntervalHistogram());
        s.put("requests/update", window.requests() / (double) Math.max(1, total));
        s.put("attempts/update", attempts / (double) Math.max(1, total));
        s.put("max attempts", (double) maxAttempts);
        for (int i = 0; i < updates.length; i++) {
            s.put("writer " + (i + 1) + " share %", 100.0 * updates[i] / Math.max(1, total));
        }
        s.put("smallest share / equal share", fewest * (double) updates.length / Math.max(1, total));
        return s;
    }
}
