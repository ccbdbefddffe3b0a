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

import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.ZooKeeper;

/**
 * Leader failover: three participants in three clients, the leader closes (a clean handover) or
 * crashes (its session ended on the server, as when its process dies and the session times out),
 * and the time until another participant leads is measured.
 */
final class LeaderWorkloads {
    static final int PARTICIPANTS = 3;
    /** The statesync task stops within this; a successor after a crash waits it plus T/3. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(1);

    private LeaderWorkloads() {}

    /** How a leader goes away. */
    enum Exit {
        CLOSE,
        CRASH
    }

    static List<Comparison> all(boolean quick) {
        int rounds = quick ? 2 : 3;
        return List.of(
                new Comparison(
                                "leader-partition-stop",
                                "leader election: a silent partition, time until the leader's task has stopped",
                                "stopped after ms",
                                false,
                                "stop before the server expires the session (T = "
                                        + BenchContext.SESSION_TIMEOUT.toSeconds() + " s): margin about T/3",
                                List.of(
                                        Comparison.variant("statesync", LeaderWorkloads::statesyncPartition),
                                        Comparison.variant(
                                                "Curator LeaderLatch (notLeader)",
                                                LeaderWorkloads::leaderLatchPartition)))
                        .runOnce(),
                new Comparison(
                        "leader-failover-close",
                        "leader election: failover after the leader closes",
                        "failover p50 ms",
                        false,
                        "",
                        List.of(
                                Comparison.variant("statesync", ctx -> statesync(ctx, Exit.CLOSE, rounds)),
                                Comparison.variant(
                                        "Curator LeaderLatch", ctx -> leaderLatch(ctx, Exit.CLOSE, rounds)))),
                new Comparison(
                        "leader-failover-crash",
                        "leader election: failover after the leader's session ends (crash)",
                        "failover p50 ms",
                        false,
                        "statesync waits stopTimeout + T/3 on purpose: the old task has stopped first",
                        List.of(
                                Comparison.variant("statesync", ctx -> statesync(ctx, Exit.CRASH, rounds)),
                                Comparison.variant(
                                        "Curator LeaderLatch", ctx -> leaderLatch(ctx, Exit.CRASH, rounds)))));
    }

    /**
     * The leader's traffic is black-holed (nothing closed, nothing said); the time until its task
     * has stopped is compared with the session timeout, after which the server would let a
     * successor in.
     */
    static Sample statesyncPartition(BenchContext ctx) throws Exception {
        TcpProxy proxy = ctx.closeAfter(TcpProxy.start(ctx.connectString()));
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicLong stoppedAt = new AtomicLong();
        LeaderElection leader = ctx.closeAfter(LeaderElection.builder(ctx.coordinator(proxy.connectString()), "/leader")
                .participantId("partitioned")
                .stopTimeout(STOP_TIMEOUT)
                .task(l -> {
                    try {
                        new CountDownLatch(1).await(); // works until interrupted
                    } finally {
                        stoppedAt.set(System.nanoTime());
                        stopped.countDown();
                    }
                })
                .build());
        leader.start();
        if (!leader.awaitLeadership(Duration.ofSeconds(30))) {
            throw new IllegalStateException("the partitioned node did not lead");
        }
        long t = System.nanoTime();
        proxy.blackhole();
        if (!stopped.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the task did not stop");
        }
        return partitionSample(stoppedAt.get() - t);
    }

    static Sample leaderLatchPartition(BenchContext ctx) throws Exception {
        TcpProxy proxy = ctx.closeAfter(TcpProxy.start(ctx.connectString()));
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicLong stoppedAt = new AtomicLong();
        LeaderLatch latch =
                ctx.closeAfter(new LeaderLatch(ctx.curator(proxy.connectString()), "/leader", "partitioned"));
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {}

            @Override
            public void notLeader() {
                stoppedAt.set(System.nanoTime());
                stopped.countDown();
            }
        });
        latch.start();
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the partitioned node did not lead");
        }
        long t = System.nanoTime();
        proxy.blackhole();
        if (!stopped.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("LeaderLatch did not report notLeader");
        }
        return partitionSample(stoppedAt.get() - t);
    }

    private static Sample partitionSample(long stopNanos) {
        double stopMs = stopNanos / 1e6;
        double sessionMs = BenchContext.SESSION_TIMEOUT.toMillis();
        return new Sample()
                .put("stopped after ms", stopMs)
                .put("session timeout ms", sessionMs)
                .put("margin before expiry ms", sessionMs - stopMs);
    }

    private static void crash(BenchContext ctx, ZooKeeper zk) throws Exception {
        Faults.expireSession(zk, ctx.connectString(), Duration.ofSeconds(10));
    }

    static Sample statesync(BenchContext ctx, Exit exit, int rounds) throws Exception {
        Histogram failover = Sample.histogram();
        for (int round = 0; round < rounds; round++) {
            List<LeaderElection> elections = new ArrayList<>();
            List<Coordinator> clients = new ArrayList<>();
            AtomicLong elected = new AtomicLong();
            AtomicReference<CountDownLatch> next = new AtomicReference<>(new CountDownLatch(1));
            for (int i = 0; i < PARTICIPANTS; i++) {
                Coordinator c = ctx.coordinator();
                clients.add(c);
                LeaderElection e = ctx.closeAfter(LeaderElection.builder(c, "/leader-" + round)
                        .participantId("p" + i)
                        .stopTimeout(STOP_TIMEOUT)
                        .build());
                e.addListener(
                        change -> {
                            if (change.current().map(v -> v.value().isSelf()).orElse(false)) {
                                elected.set(System.nanoTime());
                                CountDownLatch latch = next.get();
                                if (latch != null) {
                                    latch.countDown();
                                }
                            }
                        },
                        Runnable::run);
                elections.add(e);
                e.start();
                if (i == 0 && !e.awaitLeadership(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("the first participant did not lead");
                }
            }
            CountDownLatch successor = new CountDownLatch(1);
            next.set(successor);
            long t = System.nanoTime();
            if (exit == Exit.CLOSE) {
                elections.get(0).close();
            } else {
                crash(
                        ctx,
                        clients.get(0).curatorFramework().getZookeeperClient().getZooKeeper());
            }
            if (!successor.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no successor");
            }
            failover.recordValue(elected.get() - t);
        }
        return new Sample().latencies("failover", failover);
    }

    static Sample leaderLatch(BenchContext ctx, Exit exit, int rounds) throws Exception {
        Histogram failover = Sample.histogram();
        for (int round = 0; round < rounds; round++) {
            List<LeaderLatch> latches = new ArrayList<>();
            List<CuratorFramework> clients = new ArrayList<>();
            AtomicLong elected = new AtomicLong();
            AtomicReference<CountDownLatch> next = new AtomicReference<>(new CountDownLatch(1));
            for (int i = 0; i < PARTICIPANTS; i++) {
                CuratorFramework c = ctx.curator();
                clients.add(c);
                LeaderLatch latch = ctx.closeAfter(new LeaderLatch(c, "/leader-" + round, "p" + i));
                latch.addListener(new LeaderLatchListener() {
                    @Override
                    public void isLeader() {
                        elected.set(System.nanoTime());
                        CountDownLatch l = next.get();
                        if (l != null) {
                            l.countDown();
                        }
                    }

                    @Override
                    public void notLeader() {}
                });
                latches.add(latch);
                latch.start();
                if (i == 0 && !latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the first participant did not lead");
                }
            }
            CountDownLatch successor = new CountDownLatch(1);
            next.set(successor);
            long t = System.nanoTime();
            if (exit == Exit.CLOSE) {
                latches.get(0).close();
            } else {
                crash(ctx, clients.get(0).getZookeeperClient().getZooKeeper());
            }
            if (!successor.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no successor");
            }
            failover.recordValue(elected.get() - t);
        }
        return new Sample().latencies("failover", failover);
    }
}
