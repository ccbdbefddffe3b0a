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
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Write-to-listener latency to several subscribed clients, the same harness for every variant: one
 * write of the current {@code System.nanoTime()} (all clients share this JVM's clock), wait until
 * every subscriber saw it, next write; then a burst of 200 writes back to back, to count how many
 * versions each subscriber skipped while still landing on the last.
 */
final class Propagation {
    static final int WARM_UP_WRITES = 50;
    static final int BURST = 200;
    private static final long BURST_BASE = Long.MAX_VALUE - 10_000;

    private Propagation() {}

    /** Writes one long value to the shared state. */
    @FunctionalInterface
    interface Writer {
        void write(long value) throws Exception;
    }

    /** Subscribes one more client; its listener passes every value it sees to {@code onValue}. */
    @FunctionalInterface
    interface Subscriber {
        void subscribe(LongConsumer onValue) throws Exception;
    }

    static Sample measure(BenchContext ctx, int subscribers, Writer writer, Subscriber subscriber) throws Exception {
        Histogram latency = Sample.histogram();
        AtomicReference<CountDownLatch> round = new AtomicReference<>(new CountDownLatch(subscribers));
        AtomicBoolean measuring = new AtomicBoolean();
        CountDownLatch burstDone = new CountDownLatch(subscribers);
        List<AtomicInteger> seenInBurst = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            AtomicInteger seen = new AtomicInteger();
            seenInBurst.add(seen);
            AtomicLong last = new AtomicLong(Long.MIN_VALUE);
            subscriber.subscribe(written -> {
                long now = System.nanoTime();
                if (written <= last.getAndSet(written)) {
                    return; // an initial or repeated value
                }
                if (written >= BURST_BASE) {
                    seen.incrementAndGet();
                    if (written == BURST_BASE + BURST - 1) {
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
            });
        }
        int writes = (ctx.quick() ? 200 : 1000) + WARM_UP_WRITES;
        long packets = ctx.packets();
        long cpu = ClientCpu.nanos();
        for (int i = 0; i < writes; i++) {
            measuring.set(i >= WARM_UP_WRITES);
            CountDownLatch latch = new CountDownLatch(subscribers);
            round.set(latch);
            writer.write(System.nanoTime());
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a subscriber did not see write " + i);
            }
        }
        double perWrite = (ctx.packets() - packets) / (double) writes;
        long cpuNanos = ClientCpu.since(cpu);
        for (int i = 0; i < BURST; i++) {
            writer.write(BURST_BASE + i);
        }
        if (!burstDone.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a subscriber did not land on the last value of the burst");
        }
        double seenAvg =
                seenInBurst.stream().mapToInt(AtomicInteger::get).average().orElse(0);
        Sample sample = new Sample()
                .latencies("write-to-listener", latency)
                .put("versions coalesced per listener (of " + BURST + ")", BURST - seenAvg)
                .put("requests/write (all clients)", perWrite);
        return cpuNanos < 0 ? sample : sample.put("client CPU µs/write (all clients)", cpuNanos / 1e3 / writes);
    }
}
