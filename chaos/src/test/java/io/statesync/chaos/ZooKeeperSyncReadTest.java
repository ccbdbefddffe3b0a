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
package io.statesync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What ZooKeeper 3.9's {@code sync} guarantees to a read right behind it, on a real 3-server
 * ensemble with no fault at all: a client connected to a follower writes a counter; the moment the
 * write returns, another client reads it (pipelined behind a {@code sync}, as {@code
 * SharedState.read()} does, or behind a quorum operation), connected either to the ensemble's
 * leader or to the other follower. Other clients keep the ensemble busy with writes meanwhile. A
 * read that returns a smaller counter than the write that returned before it started is stale.
 *
 * <p>Why a read on the leader can be stale after a {@code sync}: a follower forwards a {@code sync}
 * to the leader, which answers it behind every commit it has sent; but the leader's own pipeline
 * lets a {@code sync} of a client connected to it through like a read ({@code CommitProcessor}
 * with {@code matchSyncs == false}), and the leader sends a commit to its followers before it
 * queues the commit for itself; its {@code CommitProcessor} then serves queued reads before the
 * waiting commit. A follower can thus apply a write and answer its client before the leader has
 * applied it. A quorum operation (a {@code multi} of one version check) is ordered with the writes
 * in the leader's pipeline, so a read behind it sees every write that returned before.
 */
@Timeout(600)
@Tag("slow")
class ZooKeeperSyncReadTest {
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("chaos.syncread.seconds", 60));

    /** How the read is made fresh, and on which server. */
    enum Mode {
        SYNC_ON_LEADER,
        QUORUM_OP_ON_LEADER,
        SYNC_ON_FOLLOWER
    }

    private final ChaosProcesses processes = new ChaosProcesses();
    private final List<ZooKeeper> clients = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (ZooKeeper zk : clients) {
            zk.close();
        }
        processes.close();
    }

    private ZooKeeper connect(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        clients.add(zk);
        assertThat(connected.await(60, TimeUnit.SECONDS))
                .as("connected to " + connectString)
                .isTrue();
        return zk;
    }

    @Test
    void aSyncOnTheLeaderDoesNotOrderAReadAfterAWriteAFollowerAcknowledged() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        int leader = ensemble.leader();
        int f1 = (leader + 1) % 3;
        int f2 = (leader + 2) % 3;
        ZooKeeper writer = connect(ensemble.connectString(f1));
        ZooKeeper onLeader = connect(ensemble.connectString(leader));
        ZooKeeper onFollower = connect(ensemble.connectString(f2));
        writer.create("/x", bytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        // background writes through both followers keep the leader's commit pipeline busy
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        for (int f : new int[] {f1, f2}) {
            ZooKeeper zk = connect(ensemble.connectString(f));
            String node = "/load-" + f;
            zk.create(node, bytes(0), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Semaphore window = new Semaphore(20);
            Thread t = new Thread(
                    () -> {
                        try {
                            while (!stop.get()) {
                                if (window.tryAcquire(1, TimeUnit.SECONDS)) {
                                    zk.setData(node, bytes(1), -1, (rc, p, ctx, stat) -> window.release(), null);
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "load-" + f);
            t.start();
            load.add(t);
        }

        Map<Mode, long[]> reads = new EnumMap<>(Mode.class); // {reads, stale}
        for (Mode m : Mode.values()) {
            reads.put(m, new long[2]);
        }
        long end = System.nanoTime() + RUN.toNanos();
        try {
            for (long i = 1; System.nanoTime() < end; i++) {
                writer.setData("/x", bytes(i), -1); // returned: acknowledged by the follower f1
                Mode mode = Mode.values()[(int) (i % Mode.values().length)];
                long read = read(mode == Mode.SYNC_ON_FOLLOWER ? onFollower : onLeader, mode);
                long[] r = reads.get(mode);
                r[0]++;
                if (read < i) {
                    r[1]++;
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join(30_000);
            }
        }

        StringBuilder md = new StringBuilder(String.format(
                Locale.ROOT,
                "\n## ZooKeeper: a read right after another client's acknowledged write, 3 servers, no fault, %d s\n\n",
                RUN.toSeconds()));
        for (Mode m : Mode.values()) {
            md.append(String.format(Locale.ROOT, "- %s: %d reads, %d stale\n", m, reads.get(m)[0], reads.get(m)[1]));
        }
        System.out.print(md);
        Path file = Path.of("target", "chaos-report.md");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file, md.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        assertThat(reads.get(Mode.SYNC_ON_FOLLOWER)[1])
                .as("stale reads after a sync on a follower")
                .isZero();
        assertThat(reads.get(Mode.QUORUM_OP_ON_LEADER)[1])
                .as("stale reads after a quorum operation on the leader")
                .isZero();
        assertThat(reads.get(Mode.SYNC_ON_LEADER)[0]).isPositive();
    }

    /** The counter, read behind a sync or a quorum operation, pipelined as statesync does. */
    private static long read(ZooKeeper zk, Mode mode) throws Exception {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (mode == Mode.QUORUM_OP_ON_LEADER) {
            zk.multi(List.of(Op.check("/x", -1)), (rc, p, ctx, results) -> {}, null);
        } else {
            zk.sync("/x", (rc, p, ctx) -> {}, null);
        }
        zk.getData(
                "/x",
                false,
                (rc, p, ctx, data, stat) -> {
                    if (rc == 0) {
                        reply.complete(data);
                    } else {
                        reply.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return Long.parseLong(new String(reply.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    private static byte[] bytes(long n) {
        return Long.toString(n).getBytes(StandardCharsets.UTF_8);
    }
}
