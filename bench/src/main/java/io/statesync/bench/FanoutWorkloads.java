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

import io.statesync.core.ChangeKind;
import io.statesync.recipes.state.SharedState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.HdrHistogram.Recorder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * Fan-out: one writer sets one shared value at a fixed rate (open loop, {@link Paced}) and many
 * subscriber clients, each with a connection of its own, follow it. Every subscriber's listener
 * records the latency of each value it sees, from the write's scheduled time; a value it never saw
 * because a later one superseded it first counts as coalesced. All clients run in the bench JVM.
 */
final class FanoutWorkloads {
    static final int SUBSCRIBERS = 100;
    static final int QUICK_SUBSCRIBERS = 10;
    /**
     * The write rates: 100 subscribers at 100 writes/s (10,000 deliveries/s) already saturate a
     * 2-core machine running server and clients, for every variant, and a saturated open-loop run
     * only reports how long it ran; these stay below that. Quick mode runs the higher one only.
     */
    static final int[] RATES = {10, 50};

    private FanoutWorkloads() {}

    static List<Comparison> all(boolean quick) {
        int subscribers = quick ? QUICK_SUBSCRIBERS : SUBSCRIBERS;
        List<Comparison> all = new ArrayList<>();
        for (int rate : quick ? new int[] {RATES[RATES.length - 1]} : RATES) {
            all.add(new Comparison(
                    "fanout-" + rate,
                    "fan-out: one writer at " + rate + " writes/s (open loop), " + subscribers + " subscriber clients",
                    "write-to-listener p99 ms",
                    false,
                    "",
                    List.of(
                            Comparison.variant(
                                    "statesync SharedState (one per subscriber client)",
                                    ctx -> statesync(ctx, subscribers, rate)),
                            Comparison.variant(
                                    "Curator CuratorCache (one per subscriber client)",
                                    ctx -> curator(ctx, subscribers, rate)))));
        }
        return all;
    }

    static Sample statesync(BenchContext ctx, int subscribers, int rate) throws Exception {
        SharedState<Long> writer = ctx.closeAfter(StateWorkloads.counter(ctx.coordinator()));
        return measure(ctx, subscribers, rate, writer::set, onValue -> {
            SharedState<Long> reader = ctx.closeAfter(StateWorkloads.counter(ctx.coordinator()));
            reader.addListener(change -> {
                if (change.kind() == ChangeKind.UPDATED) {
                    onValue.accept(change.current().orElseThrow().value());
                }
            });
        });
    }

    static Sample curator(BenchContext ctx, int subscribers, int rate) throws Exception {
        CuratorFramework writer = ctx.curator();
        writer.create().forPath("/value", References.longBytes(0));
        return measure(
                ctx,
                subscribers,
                rate,
                value -> writer.setData().forPath("/value", References.longBytes(value)),
                onValue -> {
                    CuratorCache cache = ctx.closeAfter(CuratorCache.build(ctx.curator(), "/value"));
                    CountDownLatch initialized = new CountDownLatch(1);
                    cache.listenable()
                            .addListener(CuratorCacheListener.builder()
                                    .forChanges(
                                            (before, after) -> onValue.accept(References.parseLong(after.getData())))
                                    .forInitialized(initialized::countDown)
                                    .build());
                    cache.start();
                    if (!initialized.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("CuratorCache did not initialize");
                    }
                });
    }

    /** One subscriber's count: the newest value it saw, and how many of the paced writes it saw. */
    private static final class Follower {
        long last = Long.MIN_VALUE;
        long seen;
        /** The round this subscriber last counted itself into. */
        Round counted = NO_ROUND;
    }

    /** A wait for every subscriber to see {@code target} (or a later value). */
    private record Round(long target, CountDownLatch latch) {}

    /** The round before the first: nobody waits on it. */
    private static final Round NO_ROUND = new Round(Long.MAX_VALUE, new CountDownLatch(0));

    /**
     * The harness both variants share. Every write's value is its scheduled time on this JVM's
     * {@link System#nanoTime()} clock (all clients share it), so a listener seeing value {@code v}
     * at {@code now} records {@code now - v}. Before the clock starts, one write that every
     * subscriber must see (all subscriptions live); after the schedule, the run waits until every
     * subscriber landed on the last write. Requests, server CPU and client CPU are counted from the
     * first scheduled write to that point.
     */
    static Sample measure(
            BenchContext ctx, int subscribers, int rate, Propagation.Writer writer, Propagation.Subscriber subscriber)
            throws Exception {
        Recorder latency = new Recorder(3);
        List<Follower> followers = new ArrayList<>();
        AtomicReference<Round> round = new AtomicReference<>(NO_ROUND);
        AtomicLong measuredFrom = new AtomicLong(Long.MAX_VALUE);
        for (int i = 0; i < subscribers; i++) {
            Follower f = new Follower();
            followers.add(f);
            LongConsumer onValue = value -> {
                long now = System.nanoTime();
                synchronized (f) {
                    if (value <= f.last) {
                        return; // an initial or repeated value
                    }
                    f.last = value;
                    if (value >= measuredFrom.get()) {
                        f.seen++;
                        latency.recordValue(Math.max(0, now - value));
                    }
                    countIn(f, Objects.requireNonNull(round.get()));
                }
            };
            subscriber.subscribe(onValue);
        }
        long first = System.nanoTime();
        awaitAll(followers, round, first, () -> writer.write(first));
        // Twice the throughput runs' time in full mode: at 10 writes/s, 3 s would be 30 writes.
        long writes = Paced.sends(
                rate, ctx.quick() ? ctx.measureFor() : ctx.measureFor().multipliedBy(2));
        long packets = ctx.packets();
        long serverCpu = ServerCpu.nanos(ctx.server());
        long clientCpu = ClientCpu.nanos();
        measuredFrom.set(first + 1); // every paced write's value is later than the first write's
        Paced.Run run = Paced.run(rate, writes, (i, due) -> writer.write(due));
        awaitAll(followers, round, run.lastDue(), () -> {});
        double requests = (ctx.packets() - packets) / (double) writes;
        long server = ServerCpu.since(ctx.server(), serverCpu);
        long client = ClientCpu.since(clientCpu);
        double seen = 0;
        for (Follower f : followers) {
            synchronized (f) {
                seen += f.seen;
            }
        }
        double seenPerSubscriber = seen / subscribers;
        Sample s = new Sample()
                .latencies("write-to-listener", latency.getIntervalHistogram())
                .put("writes", (double) writes)
                .put("writes/s sent", run.perSecond())
                .put("writer max lag behind schedule ms", run.maxLagMs())
                .put("writes seen per subscriber", seenPerSubscriber)
                .put("coalesced %", 100.0 * (1 - seenPerSubscriber / writes))
                .put("requests/write (all clients)", requests);
        if (server >= 0) {
            s.put("server CPU µs/write", server / 1e3 / writes);
        }
        return client < 0 ? s : s.put("client CPU µs/write (all clients)", client / 1e3 / writes);
    }

    /** A write made while a round is open. */
    @FunctionalInterface
    private interface Write {
        void run() throws Exception;
    }

    /** Counts {@code f} into the round once it has seen the round's target. Called holding {@code f}. */
    private static void countIn(Follower f, Round r) {
        if (f.last >= r.target() && !f.counted.equals(r)) {
            f.counted = r;
            r.latch().countDown();
        }
    }

    /** Runs {@code write} and waits until every subscriber saw {@code target} or later (at most 60 s). */
    private static void awaitAll(List<Follower> followers, AtomicReference<Round> round, long target, Write write)
            throws Exception {
        Round r = new Round(target, new CountDownLatch(followers.size()));
        round.set(r);
        write.run();
        for (Follower f : followers) {
            synchronized (f) {
                countIn(f, r);
            }
        }
        if (!r.latch().await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(r.latch().getCount() + " of " + followers.size()
                    + " subscribers did not see the write of " + target + " within 60 s");
        }
    }
}
