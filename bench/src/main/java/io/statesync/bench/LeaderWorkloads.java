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
import io.statesync.testkit.TcpProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Leader failover: three participants in three clients. Either the leader closes (a clean handover)
 * and the time until another participant leads is measured, with the requests a failover costs
 * (beside LeaderLatch, statesync's handover protocol run on raw ZooKeeper in its fewest round trips,
 * the protocol's limit); or the leader's connection is cut and
 * new ones refused (a partition of that client alone: its session stays open on the server until it
 * expires), and the old leader's stop and the successor's start are both timed from the cut, with
 * the gap (or overlap) between them. A silent partition (traffic held, nothing reset) is measured
 * for the old leader's stop alone.
 */
final class LeaderWorkloads {
    static final int PARTICIPANTS = 3;
    /** The statesync task stops within this; a successor after a crash waits it plus T/3. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(1);

    private LeaderWorkloads() {}

    static List<Comparison> all(boolean quick) {
        int rounds = quick ? 2 : 3;
        // A cut round waits out a session expiry (10 s) and more: one round in quick mode.
        int cutRounds = quick ? 1 : 3;
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
                        "<= 2 ms",
                        List.of(
                                Comparison.variant("statesync", ctx -> statesync(ctx, rounds)),
                                Comparison.variant("Curator LeaderLatch", ctx -> leaderLatch(ctx, rounds)),
                                Comparison.variant(
                                        "raw ZooKeeper, statesync's handover protocol (pipelined; its limit)",
                                        ctx -> rawHandover(ctx, rounds)))),
                new Comparison(
                                "leader-failover-cut",
                                "leader election: the leader's connection cut (session left open), old leader's stop"
                                        + " and successor's start",
                                "successor started after p50 ms",
                                false,
                                "no overlap in any round (gap >= 0); statesync's successor waits for the session to"
                                        + " expire plus the takeover delay on purpose",
                                List.of(
                                        Comparison.variant("statesync", ctx -> statesyncCut(ctx, cutRounds)),
                                        Comparison.variant(
                                                "Curator LeaderLatch", ctx -> leaderLatchCut(ctx, cutRounds))))
                        .runOnce());
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

    static Sample statesync(BenchContext ctx, int rounds) throws Exception {
        Histogram failover = Sample.histogram();
        long requests = 0;
        for (int round = 0; round < rounds; round++) {
            List<LeaderElection> elections = new ArrayList<>();
            Failover failoverRound = new Failover();
            for (int i = 0; i < PARTICIPANTS; i++) {
                Coordinator c = ctx.coordinator();
                LeaderElection e = ctx.closeAfter(LeaderElection.builder(c, "/leader-" + round)
                        .participantId("p" + i)
                        .stopTimeout(STOP_TIMEOUT)
                        .build());
                e.addListener(
                        change -> {
                            if (change.current().map(v -> v.value().isSelf()).orElse(false)) {
                                failoverRound.elected();
                            }
                        },
                        Runnable::run);
                elections.add(e);
                e.start();
                if (i == 0 && !e.awaitLeadership(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("the first participant did not lead");
                }
            }
            Requests counter = new Requests(ctx);
            long before = counter.quiet();
            failover.recordValue(failoverRound.closeFirst(elections));
            requests += counter.quiet() - before;
        }
        return failoverSample(failover, requests, rounds);
    }

    static Sample leaderLatch(BenchContext ctx, int rounds) throws Exception {
        Histogram failover = Sample.histogram();
        long requests = 0;
        for (int round = 0; round < rounds; round++) {
            List<LeaderLatch> latches = new ArrayList<>();
            Failover failoverRound = new Failover();
            for (int i = 0; i < PARTICIPANTS; i++) {
                CuratorFramework c = ctx.curator();
                LeaderLatch latch = ctx.closeAfter(new LeaderLatch(c, "/leader-" + round, "p" + i));
                latch.addListener(new LeaderLatchListener() {
                    @Override
                    public void isLeader() {
                        failoverRound.elected();
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
            Requests counter = new Requests(ctx);
            long before = counter.quiet();
            failover.recordValue(failoverRound.closeFirst(latches));
            requests += counter.quiet() - before;
        }
        return failoverSample(failover, requests, rounds);
    }

    /**
     * The failover times, and the requests the server received for a failover: from a quiet server
     * before the leader's close to a quiet server after the successor's election (all participants,
     * also those that only learn of the new leader).
     */
    private static Sample failoverSample(Histogram failover, long requests, int rounds) {
        return new Sample().latencies("failover", failover).put("requests/failover", requests / (double) rounds);
    }

    /**
     * statesync's clean handover on raw ZooKeeper, in the fewest round trips its protocol allows:
     * the leader sends one {@code multi} (the handover marker set to {@code released:<epoch>} and its
     * znode deleted); the successor, on its watch of the leader's znode, reads the line and the
     * marker back to back (one round trip), then reads its own znode (watched) and sends its claim,
     * a {@code multi} of a {@code check} of its own znode and the marker set to {@code
     * leading:<epoch>}, back to back (one round trip); it is elected when the claim lands. The third
     * participant watches its predecessor only.
     */
    static Sample rawHandover(BenchContext ctx, int rounds) throws Exception {
        Histogram failover = Sample.histogram();
        long requests = 0;
        for (int round = 0; round < rounds; round++) {
            String parent = ctx.root() + "/leader-raw-" + round;
            List<ZooKeeper> handles = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Long> epochs = new ArrayList<>();
            for (int i = 0; i < PARTICIPANTS; i++) {
                ZooKeeper zk = ctx.zooKeeper();
                if (i == 0) {
                    ZKPaths.mkdirs(zk, parent);
                }
                Stat stat = new Stat();
                String created = zk.create(
                        parent + "/_c_" + i + "-p-",
                        ("p" + i).getBytes(StandardCharsets.UTF_8),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL,
                        stat);
                handles.add(zk);
                names.add(created.substring(created.lastIndexOf('/') + 1));
                epochs.add(stat.getCzxid());
            }
            ZooKeeper leader = handles.get(0);
            String leaderPath = parent + "/" + names.get(0);
            leader.multi(List.of(Op.check(leaderPath, -1), Op.setData(parent, marker("leading:", epochs.get(0)), -1)));
            Failover failoverRound = new Failover();
            ZooKeeper successor = handles.get(1);
            String successorPath = parent + "/" + names.get(1);
            long successorEpoch = epochs.get(1);
            Watcher onClaimRead = e -> {};
            Watcher onLeaderGone = e -> {
                if (e.getType() != Watcher.Event.EventType.NodeDeleted) {
                    return;
                }
                AtomicReference<List<String>> line = new AtomicReference<>();
                successor.getChildren(parent, false, (rc, p, ctx1, children) -> line.set(children), null);
                successor.getData(
                        parent,
                        false,
                        (rc, p, ctx1, data, stat) -> {
                            // Answered after the line (one session's replies come in order).
                            String marker = new String(data, StandardCharsets.UTF_8);
                            List<String> children = line.get();
                            boolean first = children != null
                                    && children.stream()
                                            .min(Comparator.comparing(LeaderWorkloads::sequence))
                                            .map(names.get(1)::equals)
                                            .orElse(false);
                            if (!first || marker.startsWith("leading:")) {
                                throw new IllegalStateException(
                                        "the successor would not claim: " + children + " " + marker);
                            }
                            successor.getData(successorPath, onClaimRead, (rc2, p2, c2, d2, s2) -> {}, null);
                            successor.multi(
                                    List.of(
                                            Op.check(successorPath, -1),
                                            Op.setData(parent, marker("leading:", successorEpoch), -1)),
                                    (rc2, p2, c2, results) -> {
                                        if (rc2 == KeeperException.Code.OK.intValue()) {
                                            failoverRound.elected();
                                        }
                                    },
                                    null);
                        },
                        null);
            };
            successor.getData(leaderPath, onLeaderGone, null);
            handles.get(2).exists(successorPath, e -> {});
            Requests counter = new Requests(ctx);
            long before = counter.quiet();
            failover.recordValue(failoverRound.closeFirst(List.<AutoCloseable>of(() -> leader.multi(
                    List.of(Op.setData(parent, marker("released:", epochs.get(0)), -1), Op.delete(leaderPath, -1))))));
            requests += counter.quiet() - before;
        }
        return failoverSample(failover, requests, rounds);
    }

    /**
     * Counts the requests the server receives, outside the clock: waits until it receives nothing
     * but this counter's own {@code mntr} reads (each one a packet, left out of the count).
     */
    private static final class Requests {
        private final BenchContext ctx;
        private long reads;

        Requests(BenchContext ctx) {
            this.ctx = ctx;
        }

        /** The requests received so far, once 20 ms pass with none but this counter's (at most 2 s). */
        long quiet() throws InterruptedException {
            long previous = read();
            for (int i = 0; i < 100; i++) {
                TimeUnit.MILLISECONDS.sleep(20); // a deliberate quiet period, outside the clock
                long now = read();
                if (now - previous <= 1) {
                    return now - reads;
                }
                previous = now;
            }
            return previous - reads;
        }

        private long read() {
            reads++;
            return ctx.packets();
        }
    }

    private static byte[] marker(String state, long epoch) {
        return (state + epoch).getBytes(StandardCharsets.UTF_8);
    }

    private static String sequence(String child) {
        return child.substring(child.lastIndexOf('-') + 1);
    }

    /**
     * One round of a clean handover: the participants' listeners report an election here, and the
     * first participant's close is timed to the successor's election.
     */
    private static final class Failover {
        private final AtomicLong elected = new AtomicLong();
        private final AtomicReference<CountDownLatch> next = new AtomicReference<>(new CountDownLatch(1));

        /** Called by a participant's listener when it has been elected. */
        void elected() {
            elected.set(System.nanoTime());
            CountDownLatch latch = next.get();
            if (latch != null) {
                latch.countDown();
            }
        }

        /** Closes the first participant (the leader); returns the nanoseconds until another was elected. */
        long closeFirst(List<? extends AutoCloseable> participants) throws Exception {
            CountDownLatch successor = new CountDownLatch(1);
            next.set(successor);
            long t = System.nanoTime();
            participants.get(0).close();
            if (!successor.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no successor");
            }
            return elected.get() - t;
        }
    }

    /** What one round of a cut measured, in nanoseconds from the cut. */
    record CutRound(long stoppedAfter, long startedAfter) {}

    /**
     * A random delay before the cut, below a third of the session timeout (the client's ping
     * interval), so that the cut falls at a different point of the ping cycle each round.
     */
    private static void randomPingPhase() throws InterruptedException {
        long third = BenchContext.SESSION_TIMEOUT.toMillis() / 3;
        TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(third)); // a deliberate delay
    }

    /**
     * The leader reaches the server through a proxy; its connection is cut and new ones refused, so
     * its session stays open on the server until it expires (about T later). The old leader's task
     * end and the successor's task start are both timed from the cut.
     */
    static Sample statesyncCut(BenchContext ctx, int rounds) throws Exception {
        List<CutRound> measured = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Cut cut = new Cut(ctx);
            for (int i = 0; i < PARTICIPANTS; i++) {
                boolean old = i == 0;
                Coordinator c = old ? ctx.coordinator(cut.proxy.connectString()) : ctx.coordinator();
                LeaderElection e = ctx.closeAfter(LeaderElection.builder(c, "/leader-cut-" + round)
                        .participantId("p" + i)
                        .stopTimeout(STOP_TIMEOUT)
                        .task(l -> {
                            if (!old) {
                                cut.startedAt.compareAndSet(0, System.nanoTime());
                                cut.started.countDown();
                            }
                            try {
                                new CountDownLatch(1).await(); // works until interrupted
                            } finally {
                                if (old) {
                                    cut.stoppedAt.set(System.nanoTime());
                                    cut.stopped.countDown();
                                }
                            }
                        })
                        .build());
                e.start();
                if (old && !e.awaitLeadership(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("the first participant did not lead");
                }
            }
            measured.add(cut.measure());
        }
        return cutSample(measured);
    }

    /** The same cut for Curator's LeaderLatch: notLeader is the old leader's stop, isLeader the successor's start. */
    static Sample leaderLatchCut(BenchContext ctx, int rounds) throws Exception {
        List<CutRound> measured = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Cut cut = new Cut(ctx);
            for (int i = 0; i < PARTICIPANTS; i++) {
                boolean old = i == 0;
                CuratorFramework c = old ? ctx.curator(cut.proxy.connectString()) : ctx.curator();
                LeaderLatch latch = ctx.closeAfter(new LeaderLatch(c, "/leader-cut-" + round, "p" + i));
                latch.addListener(new LeaderLatchListener() {
                    @Override
                    public void isLeader() {
                        if (!old) {
                            cut.startedAt.compareAndSet(0, System.nanoTime());
                            cut.started.countDown();
                        }
                    }

                    @Override
                    public void notLeader() {
                        if (old) {
                            cut.stoppedAt.compareAndSet(0, System.nanoTime());
                            cut.stopped.countDown();
                        }
                    }
                });
                latch.start();
                if (old && !latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the first participant did not lead");
                }
            }
            measured.add(cut.measure());
        }
        return cutSample(measured);
    }

    /**
     * One round of a cut: the proxy the old leader reaches the server through, and the old leader's
     * stop and the successor's start, which the participants signal here.
     */
    private static final class Cut {
        final TcpProxy proxy;
        final AtomicLong stoppedAt = new AtomicLong();
        final AtomicLong startedAt = new AtomicLong();
        final CountDownLatch stopped = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);

        Cut(BenchContext ctx) throws IOException {
            this.proxy = ctx.closeAfter(TcpProxy.start(ctx.connectString()));
        }

        /**
         * After a random phase of the ping cycle, cuts the old leader's connection and refuses new
         * ones; waits for the old leader's stop and the successor's start, then lets the old client
         * through again (it may reconnect and learn that its session expired).
         */
        CutRound measure() throws InterruptedException {
            randomPingPhase();
            long cutAt = System.nanoTime();
            proxy.refuse();
            if (!stopped.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the old leader did not stop within 60 s of the cut");
            }
            if (!started.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no successor within 60 s of the cut");
            }
            CutRound round = new CutRound(stoppedAt.get() - cutAt, startedAt.get() - cutAt);
            proxy.pass();
            return round;
        }
    }

    /**
     * The old leader's stop and the successor's start after the cut, and the gap between them
     * (successor's start minus old leader's stop: negative is an overlap, both leading at once).
     */
    private static Sample cutSample(List<CutRound> rounds) {
        Histogram stop = Sample.histogram();
        Histogram start = Sample.histogram();
        double minGap = Double.POSITIVE_INFINITY;
        double maxGap = Double.NEGATIVE_INFINITY;
        int overlaps = 0;
        for (CutRound r : rounds) {
            stop.recordValue(Math.max(0, r.stoppedAfter()));
            start.recordValue(Math.max(0, r.startedAfter()));
            double gapMs = (r.startedAfter() - r.stoppedAfter()) / 1e6;
            minGap = Math.min(minGap, gapMs);
            maxGap = Math.max(maxGap, gapMs);
            if (gapMs < 0) {
                overlaps++;
            }
        }
        return new Sample()
                .latencies("successor started after", start)
                .latencies("old leader stopped after", stop)
                .put("gap min ms (negative = overlap)", minGap)
                .put("gap max ms", maxGap)
                .put("rounds with an overlap", overlaps)
                .put("session timeout ms", (double) BenchContext.SESSION_TIMEOUT.toMillis());
    }
}
