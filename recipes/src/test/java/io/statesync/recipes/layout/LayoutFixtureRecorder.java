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
package io.statesync.recipes.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.DistributedReadWriteLock;
import io.statesync.recipes.lock.DistributedSemaphore;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the data layout of this release into a fixture: runs every recipe once on a fresh
 * server, leaves holders, waiters, a leader, members and a claim in flight alive, and writes every
 * znode under the namespace (see {@link LayoutFixture}) to {@code
 * recipes/src/test/resources/layout/<release>/znodes.txt}.
 *
 * <p>Disabled unless {@code statesync.recordLayout} names the release, e.g. to record the layout of
 * release 0.2 (from the repository root):
 *
 * <pre>
 * mvn -B -pl recipes -am verify -Dtest=LayoutFixtureRecorder -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dstatesync.recordLayout=0.2
 * </pre>
 *
 * A recorded fixture is never re-recorded: it is what a node of that release wrote, and the layout
 * tests check that later releases work beside it.
 */
@Timeout(120)
@EnabledIfSystemProperty(named = "statesync.recordLayout", matches = "[0-9][0-9.]*")
class LayoutFixtureRecorder {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final TestNodes nodes = new TestNodes(zk);
    private final ExecutorService waiters = Executors.newCachedThreadPool();

    private Coordinator connect() throws InterruptedException {
        return nodes.connect(zk.connectString(), b -> b.sessionTimeout(Duration.ofSeconds(30)));
    }

    private <T extends AutoCloseable> T later(T closeable) {
        return nodes.closeLater(closeable);
    }

    @AfterEach
    void closeAll() throws Exception {
        waiters.shutdownNow();
        nodes.close();
    }

    @Test
    void record() throws Exception {
        String release = System.getProperty("statesync.recordLayout");
        Coordinator a = connect();
        Coordinator b = connect();

        // Shared state: two writers (each with its writer marker), a few values.
        SharedState<String> stateA =
                later(SharedState.builder(a, "/state", Codec.utf8(), "v0").build());
        SharedState<String> stateB =
                later(SharedState.builder(b, "/state", Codec.utf8(), "v0").build());
        stateA.start();
        stateB.start();
        stateA.set("v1");
        stateB.update(v -> v + "+b");
        stateA.update(v -> v + "+a");

        // State tree: three keys, one removed.
        StateTree<String> tree =
                later(StateTree.builder(a, "/tree", Codec.utf8()).build());
        tree.start();
        tree.put("alpha", "1");
        tree.put("beta", "2");
        tree.put("gamma", "3");
        tree.remove("beta");

        // Mutex: a holder (a) and a waiter (b).
        DistributedLock mutexA =
                later(DistributedLock.builder(a, "/locks/mutex").build());
        DistributedLock mutexB =
                later(DistributedLock.builder(b, "/locks/mutex").build());
        mutexA.start();
        mutexB.start();
        LockHandle held = later(mutexA.acquire(WAIT));
        Future<LockHandle> mutexWaiter = waiters.submit(() -> mutexB.acquire(Duration.ofMinutes(5)));
        awaitChildren(a, "/locks/mutex", 2);

        // Read-write lock: a reader (a) holds, a writer (b) waits.
        DistributedReadWriteLock rwA =
                later(DistributedReadWriteLock.builder(a, "/locks/rw").build());
        DistributedReadWriteLock rwB =
                later(DistributedReadWriteLock.builder(b, "/locks/rw").build());
        rwA.start();
        rwB.start();
        later(rwA.acquireRead(WAIT));
        Future<LockHandle> rwWaiter = waiters.submit(() -> rwB.acquireWrite(Duration.ofMinutes(5)));
        awaitChildren(a, "/locks/rw", 2);

        // Semaphore of two leases: both held by a, b waits.
        DistributedSemaphore semA =
                later(DistributedSemaphore.builder(a, "/locks/sem", 2).build());
        DistributedSemaphore semB =
                later(DistributedSemaphore.builder(b, "/locks/sem", 2).build());
        semA.start();
        semB.start();
        later(semA.acquire(WAIT));
        later(semA.acquire(WAIT));
        Future<LockHandle> semWaiter = waiters.submit(() -> semB.acquire(Duration.ofMinutes(5)));
        awaitChildren(a, "/locks/sem", 3);

        // Election: a leads (with its epoch marker), b follows.
        LeaderElection leaderA = later(LeaderElection.builder(a, "/election")
                .participantId("node-a")
                .metadata("http://a:8080")
                .build());
        leaderA.start();
        await().atMost(WAIT).until(leaderA::isLeader);
        LeaderElection leaderB = later(LeaderElection.builder(b, "/election")
                .participantId("node-b")
                .metadata("http://b:8080")
                .build());
        leaderB.start();
        await().atMost(WAIT).until(() -> leaderB.currentLeader().equals(Optional.of("node-a")));

        // Membership: two members.
        GroupMembership<String> memberA = later(GroupMembership.builder(a, "/members", Codec.utf8())
                .memberId("node-a")
                .metadata("zone=eu-1")
                .build());
        GroupMembership<String> memberB = later(GroupMembership.builder(b, "/members", Codec.utf8())
                .memberId("node-b")
                .metadata("zone=eu-2")
                .build());
        memberA.start();
        memberB.start();
        await().atMost(WAIT).until(() -> memberA.members().size() == 2);

        // Event log: segments of 4 positions, groups of 2 segments, packed records of several
        // events, a snapshot, and a truncation.
        EventLog<String> log = later(EventLog.builder(a, "/log", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        log.start();
        log.append("e0");
        log.appendAll(List.of("e1", "e2", "e3", "e4", "e5"));
        log.appendAll(List.of("e6", "e7", "e8"));
        for (int i = 9; i < 14; i++) {
            log.append("e" + i);
        }
        EventSourcedState<String, String> folded =
                later(EventSourcedState.builder(log, "", (s, e) -> s.isEmpty() ? e : s + "," + e)
                        .snapshots(Codec.utf8(), 10)
                        .build());
        folded.start();
        await().atMost(WAIT).until(() -> folded.position() == 14);
        await().atMost(WAIT).until(() -> a.curatorFramework().checkExists().forPath("/log/snapshots/manifest") != null);
        log.truncateBefore(5);

        // Work queue: items, a dead letter (delivered once, given back), a claim in flight.
        WorkQueue<String> queue = later(WorkQueue.builder(a, "/queue", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .maxDeliveries(1)
                .build());
        queue.start();
        queue.offer("job-0");
        queue.offerAll(List.of("job-1", "job-2", "job-3", "job-4"));
        Claim<String> first = queue.take(WAIT).orElseThrow();
        assertThat(first.value()).isEqualTo("job-0");
        first.nack();
        Claim<String> inFlight = queue.take(WAIT).orElseThrow();
        assertThat(inFlight.value()).isEqualTo("job-1");
        assertThat(queue.deadLetters(0, 10)).hasSize(1);

        // Replicated state: a counter, a leader (a) and a follower (b), commands applied.
        ReplicatedState<Long, Long> counterA =
                later(ReplicatedState.builder(a, "/replicated", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                        .participantId("node-a")
                        .build());
        counterA.start();
        await().atMost(WAIT).until(counterA::isLeader);
        ReplicatedState<Long, Long> counterB =
                later(ReplicatedState.builder(b, "/replicated", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                        .participantId("node-b")
                        .build());
        counterB.start();
        List<CompletableFuture<?>> applied = new ArrayList<>();
        for (long i = 1; i <= 5; i++) {
            applied.add(counterB.submit(i));
        }
        CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new)).get();
        await().atMost(WAIT).until(() -> counterB.current().value() == 15L);

        assertThat(mutexWaiter.isDone()).isFalse();
        assertThat(rwWaiter.isDone()).isFalse();
        assertThat(semWaiter.isDone()).isFalse();
        assertThat(inFlight.isHeld()).isTrue();

        ZooKeeper raw = a.curatorFramework().getZookeeperClient().getZooKeeper();
        LayoutFixture fixture = LayoutFixture.dump(raw, zk.namespace());
        Path file = Path.of("src/test/resources/layout", release, "znodes.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                "# The znodes a statesync " + release + " node writes, recorded by LayoutFixtureRecorder.\n"
                        + "# MODE PATH VERSION DATA(base64, - if empty). Never re-record a released layout.\n"
                        + fixture.text(),
                StandardCharsets.UTF_8);
    }

    private static void awaitChildren(Coordinator c, String path, int count) {
        await().atMost(WAIT)
                .until(() -> c.curatorFramework().getChildren().forPath(path).size() >= count);
    }
}
