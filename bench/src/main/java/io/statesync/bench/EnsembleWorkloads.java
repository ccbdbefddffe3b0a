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
import io.statesync.recipes.state.SharedState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;

/**
 * The comparisons whose relative cost can change with quorum writes, run again on a 3-server
 * ensemble ({@link ZooKeeperEnsemble}) with every client on a follower, so that each write is
 * forwarded to the leader and committed by a quorum: the single-server comparisons' own variants
 * (shared-state update, uncontended lock, single append), a fresh read (also on one server, to
 * compare), and the time to the first write after the ensemble's leader is killed.
 */
final class EnsembleWorkloads {
    /** The workload group that runs on the ensemble instead of one server. */
    static final String GROUP = "ensemble";

    /** Leader kills per variant of the failover comparison. */
    static final int FAILOVER_ROUNDS = 5;

    /** Successful writes before the leader is killed, so the writer is in its stride. */
    static final int WRITES_BEFORE_KILL = 50;

    private static final String ON_ENSEMBLE = " (3-server ensemble, clients on followers)";

    private EnsembleWorkloads() {}

    /**
     * Full mode only: starting the ensemble alone takes 5 to 20 s on the shared 2-core machine
     * (three JVMs and an election), past what quick mode in CI can spend on one more group.
     */
    static List<Comparison> all(boolean quick) {
        List<Comparison> all = new ArrayList<>();
        if (quick) {
            return all;
        }
        all.add(freshRead("fresh-read", "").inGroup("fresh-read"));
        all.add(onEnsemble("ensemble-shared-update-1", StateWorkloads.all(), "state-update-1"));
        all.add(onEnsemble("ensemble-mutex-uncontended", LockWorkloads.all(), "lock-uncontended"));
        all.add(onEnsemble("ensemble-log-append", EventLogWorkloads.all(false), "eventlog-append"));
        all.add(freshRead("ensemble-fresh-read", ON_ENSEMBLE).inGroup(GROUP));
        all.add(new Comparison(
                        "ensemble-failover",
                        "leader failover: kill -9 of the ZooKeeper leader under a shared-state writer on a follower, "
                                + FAILOVER_ROUNDS + " rounds" + ON_ENSEMBLE,
                        "first update after the kill p50 ms",
                        false,
                        "",
                        List.of(
                                Comparison.variant("statesync SharedState", ctx -> failover(ctx, statesyncWriter())),
                                Comparison.variant(
                                        "Curator SharedValue (trySetValue loop)",
                                        ctx -> failover(ctx, curatorWriter()))))
                .runOnce()
                .inGroup(GROUP));
        return all;
    }

    /** A single-server comparison as it is, variants and all, under a new id and in the ensemble group. */
    private static Comparison onEnsemble(String id, List<Comparison> singleServer, String singleServerId) {
        for (Comparison c : singleServer) {
            if (c.id().equals(singleServerId)) {
                return new Comparison(id, c.title() + ON_ENSEMBLE, c.primary(), c.higherIsBetter(), "", c.variants())
                        .inGroup(GROUP);
            }
        }
        throw new IllegalArgumentException("no comparison " + singleServerId);
    }

    // ---------------------------------------------------------------- fresh read

    private static Comparison freshRead(String id, String where) {
        return new Comparison(
                id,
                "fresh read of one znode" + where,
                "reads/s",
                true,
                "",
                List.of(
                        Comparison.variant("statesync", EnsembleWorkloads::statesyncFreshRead),
                        Comparison.variant(
                                "raw ZooKeeper multi(check) + getData, pipelined (like for like)",
                                EnsembleWorkloads::rawCheckRead),
                        Comparison.unlike(
                                "Curator sync() + getData() (the requests of statesync's view resync; a sync, not a"
                                        + " committed operation: not like for like)",
                                EnsembleWorkloads::curatorSyncRead)));
    }

    /** {@code SharedState.read()}: a version check committed like a write, then a read. */
    static Sample statesyncFreshRead(BenchContext ctx) throws Exception {
        SharedState<Long> state = ctx.closeAfter(SharedState.builder(ctx.coordinator(), "/value", Codec.longs(), 0L)
                .build());
        state.start();
        if (!state.awaitInitialized(Duration.ofSeconds(30)) || state.read().isEmpty()) {
            throw new IllegalStateException("shared state did not initialize");
        }
        return Loops.timed(ctx, () -> state.read().isPresent()).sample("reads/s", "read");
    }

    /**
     * Raw ZooKeeper: {@code multi(check(path, -1))}, as statesync's fresh read sends, without waiting,
     * then a synchronous {@code getData} on the same handle, which is answered after it.
     */
    static Sample rawCheckRead(BenchContext ctx) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        String path = ctx.root();
        zk.create(path, References.longBytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<Op> check = List.of(Op.check(path, -1));
        return Loops.timed(ctx, () -> {
                    zk.multi(check, (rc, p, c, results) -> {}, null);
                    return zk.getData(path, false, null).length > 0;
                })
                .sample("reads/s", "read");
    }

    /**
     * What a Curator user writes for a read that reflects the latest writes: {@code sync()} (which
     * Curator always sends in the background) and {@code getData()}, the same two requests statesync's
     * view sends to resync after a reconnection.
     */
    static Sample curatorSyncRead(BenchContext ctx) throws Exception {
        CuratorFramework client = ctx.curator();
        client.create().forPath("/value", References.longBytes(0));
        return Loops.timed(ctx, () -> {
                    client.sync().forPath("/value");
                    return client.getData().forPath("/value").length > 0;
                })
                .sample("reads/s", "read");
    }

    // ---------------------------------------------------------------- leader failover

    /** One writer's client and recipe, on the followers of one round. */
    interface Writer extends AutoCloseable {
        /** One update; true if it landed, false if it did not (a lost compare-and-set). */
        boolean write() throws Exception;

        /** Tries of the write so far, counting the tries a call makes inside (never decreases). */
        long tries();

        /** Closes the writer's recipe (its client is the round's context's). */
        @Override
        void close() throws IOException;
    }

    /** Opens a writer in the given context. */
    @FunctionalInterface
    interface WriterFactory {
        Writer open(BenchContext ctx) throws Exception;
    }

    /** statesync: {@code update(x -> x + 1)}; a try is a call of the update function. */
    private static WriterFactory statesyncWriter() {
        return ctx -> {
            SharedState<Long> state = SharedState.builder(ctx.coordinator(), "/value", Codec.longs(), 0L)
                    .build();
            state.start();
            if (!state.awaitInitialized(Duration.ofSeconds(30))) {
                throw new IllegalStateException("shared state did not initialize");
            }
            AtomicLong tries = new AtomicLong();
            return new Writer() {
                @Override
                public boolean write() throws Exception {
                    state.update(x -> {
                        tries.incrementAndGet();
                        return x + 1;
                    });
                    return true;
                }

                @Override
                public long tries() {
                    return tries.get();
                }

                @Override
                public void close() {
                    state.close();
                }
            };
        };
    }

    /** Curator: {@code trySetValue} of the cached value plus one; a try is one {@code trySetValue}. */
    private static WriterFactory curatorWriter() {
        return ctx -> {
            SharedValue value = new SharedValue(ctx.curator(), "/value", References.longBytes(0));
            value.start();
            AtomicLong tries = new AtomicLong();
            return new Writer() {
                @Override
                public boolean write() throws Exception {
                    tries.incrementAndGet();
                    VersionedValue<byte[]> current = value.getVersionedValue();
                    return value.trySetValue(
                            current, References.longBytes(References.parseLong(current.getValue()) + 1));
                }

                @Override
                public long tries() {
                    return tries.get();
                }

                @Override
                public void close() throws IOException {
                    value.close();
                }
            };
        };
    }

    /** What one round measured. */
    private record Round(long firstUpdateNanos, long failedCalls, long retries) {}

    /** How a call between the kill and the first landed write failed: the exception's simple name, or a lost compare-and-set. */
    private static String failure(@Nullable Exception e) {
        return e == null ? "lost compare-and-set" : e.getClass().getSimpleName();
    }

    /**
     * {@link #FAILOVER_ROUNDS} rounds of: a writer on the current followers writing back to back; once
     * it has landed {@link #WRITES_BEFORE_KILL} writes, the leader is killed (SIGKILL); the clock runs
     * from the kill until the first write whose call started after the kill has landed. Counted in
     * between: the calls that failed (threw, or lost their compare-and-set) and the tries beyond
     * the one that landed. The killed server is started again (and the writer closed) before the next
     * round, whose clients connect to the followers of then.
     */
    static Sample failover(BenchContext ctx, WriterFactory writers) throws Exception {
        ZooKeeperEnsemble ensemble = ctx.ensemble();
        Histogram firstUpdate = Sample.histogram();
        Histogram failed = new Histogram(3);
        Histogram retries = new Histogram(3);
        Map<String, Integer> failures = new TreeMap<>();
        for (int r = 0; r < FAILOVER_ROUNDS; r++) {
            Round round;
            try (BenchContext roundCtx = new BenchContext(ensemble, ctx.measureFor(), ctx.quick())) {
                round = killLeaderUnder(ensemble, writers.open(roundCtx), failures);
            }
            firstUpdate.recordValue(round.firstUpdateNanos());
            failed.recordValue(round.failedCalls());
            retries.recordValue(round.retries());
        }
        Sample sample = new Sample()
                .latencies("first update after the kill", firstUpdate)
                .put("failed calls p50", (double) failed.getValueAtPercentile(50))
                .put("failed calls max", (double) failed.getMaxValue())
                .put("tries beyond the one that landed p50", (double) retries.getValueAtPercentile(50))
                .put("tries beyond the one that landed max", (double) retries.getMaxValue());
        failures.forEach((kind, n) -> sample.put("failed calls, " + kind + " (all rounds)", n));
        return sample;
    }

    private static Round killLeaderUnder(ZooKeeperEnsemble ensemble, Writer writer, Map<String, Integer> failures)
            throws Exception {
        int leader = ensemble.leader();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicLong killedAt = new AtomicLong();
        AtomicLong failedCalls = new AtomicLong();
        AtomicLong landed = new AtomicLong();
        CompletableFuture<Long> before = new CompletableFuture<>();
        CompletableFuture<long[]> after = new CompletableFuture<>(); // {nanos, tries}
        AtomicBoolean stop = new AtomicBoolean();
        Thread loop = new Thread(
                () -> {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        boolean ok;
                        Exception thrown = null;
                        try {
                            ok = writer.write();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // the run is over: the thread ends
                            return;
                        } catch (Exception e) {
                            ok = false;
                            thrown = e;
                        }
                        long end = System.nanoTime();
                        boolean sinceKill = killed.get() && start - killedAt.get() > 0;
                        if (ok && sinceKill) {
                            after.complete(new long[] {end, writer.tries()});
                        } else if (ok && landed.incrementAndGet() == WRITES_BEFORE_KILL) {
                            before.complete(end);
                        } else if (!ok && sinceKill && !after.isDone() && !stop.get()) {
                            // Counted until the first write after the kill has landed: the calls
                            // after it, and the one the end of the round interrupts, are not the
                            // failover's.
                            failedCalls.incrementAndGet();
                            synchronized (failures) {
                                failures.merge(failure(thrown), 1, Integer::sum);
                            }
                        }
                    }
                },
                "failover-writer");
        loop.setDaemon(true);
        try (writer) {
            loop.start();
            before.get(60, TimeUnit.SECONDS);
            long triesAtKill = writer.tries();
            long kill = System.nanoTime();
            killedAt.set(kill);
            killed.set(true);
            ensemble.kill(leader);
            long[] first;
            try {
                first = after.get(120, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no update landed within 120 s of the leader's kill", e);
            }
            stop.set(true);
            loop.interrupt();
            loop.join(TimeUnit.SECONDS.toMillis(30));
            return new Round(first[0] - kill, failedCalls.get(), Math.max(0, first[1] - triesAtKill - 1));
        } finally {
            stop.set(true);
            loop.interrupt();
            if (killed.get()) {
                ensemble.restart(leader);
            }
        }
    }
}
