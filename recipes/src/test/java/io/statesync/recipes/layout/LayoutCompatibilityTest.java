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
import io.statesync.core.Versioned;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.DistributedReadWriteLock;
import io.statesync.recipes.lock.DistributedSemaphore;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.DeadLetter;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node of this release beside data written by statesync 0.1: the recorded 0.1 layout ({@code
 * layout/0.1/znodes.txt}, see {@link LayoutFixtureRecorder}) is loaded into a fresh namespace, its
 * persistent znodes as they were and its ephemeral ones by raw ZooKeeper sessions, one per recipe,
 * that stand for 0.1 nodes still running (a lock holder, a leader, members, a consumer with a claim
 * in flight). Each test then uses the recipe of this release on that data, and ends the 0.1 node's
 * session where the recipe must take over from it.
 */
@Timeout(120)
class LayoutCompatibilityTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * The 0.1 layout; {@code -Dstatesync.layoutFixture=<resource>} loads another recording instead
     * (e.g. this release's, to run these tests with an older release's code).
     */
    private static final LayoutFixture V01 =
            LayoutFixture.load(System.getProperty("statesync.layoutFixture", "layout/0.1/znodes.txt"));

    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, ZooKeeper> oldNodes = new HashMap<>();
    private final ExecutorService background = Executors.newCachedThreadPool();
    private Coordinator coordinator;

    @BeforeEach
    void loadTheOldLayout() throws Exception {
        ZooKeeper loader = rawSession();
        try {
            V01.writeTo(loader, path -> oldNode(path.substring(0, path.indexOf('/', 1))), zk.namespace());
        } finally {
            loader.close();
        }
        coordinator = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(20))
                .build();
        closeables.add(coordinator);
        coordinator.start();
        coordinator.awaitConnected(WAIT);
    }

    @AfterEach
    void closeAll() throws Exception {
        background.shutdownNow();
        List<AutoCloseable> all = new ArrayList<>(closeables);
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            c.close();
        }
        for (ZooKeeper old : oldNodes.values()) {
            old.close();
        }
    }

    /** The session of the 0.1 node that owns the ephemeral znodes of one recipe's top-level path. */
    private ZooKeeper oldNode(String topLevel) {
        return oldNodes.computeIfAbsent(topLevel, t -> {
            try {
                return rawSession();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Ends a 0.1 node: its session closes, and its ephemeral znodes go with it. */
    private void stopOldNode(String topLevel) throws InterruptedException {
        oldNodes.remove(topLevel).close();
    }

    private static ZooKeeper rawSession() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper session = new ZooKeeper(zk.connectString(), 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
        return session;
    }

    private <T extends AutoCloseable> T later(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private long czxidOf(String path) throws Exception {
        return coordinator.curatorFramework().checkExists().forPath(path).getCzxid();
    }

    @Test
    void sharedStateReadsAndUpdatesTheOldValue() throws Exception {
        SharedState<String> state = later(
                SharedState.builder(coordinator, "/state", Codec.utf8(), "v0").build());
        state.start();
        assertThat(state.awaitInitialized(WAIT)).isTrue();
        assertThat(state.get().map(Versioned::value)).hasValue("v1+b+a");
        assertThat(state.update(v -> v + "+c").value()).isEqualTo("v1+b+a+c");
        assertThat(state.read().map(Versioned::value)).hasValue("v1+b+a+c");
        // A 0.1 writer's marker still lives beside this release's.
        assertThat(coordinator.curatorFramework().getChildren().forPath("/.statesync/writers"))
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void stateTreeReadsAndWritesTheOldKeys() throws Exception {
        StateTree<String> tree =
                later(StateTree.builder(coordinator, "/tree", Codec.utf8()).build());
        tree.start();
        assertThat(tree.awaitInitialized(WAIT)).isTrue();
        assertThat(tree.snapshot()).containsOnlyKeys("alpha", "gamma");
        assertThat(tree.get("alpha").map(Versioned::value)).hasValue("1");
        tree.put("beta", "2");
        Versioned<String> gamma = tree.read("gamma").orElseThrow();
        assertThat(tree.compareAndSet("gamma", gamma, "33")).isPresent();
        await().atMost(WAIT).until(() -> tree.snapshot().size() == 3);
        assertThat(tree.get("gamma").map(Versioned::value)).hasValue("33");
    }

    @Test
    void mutexWaitsBehindTheOldHolderAndAcquiresAfterIt() throws Exception {
        DistributedLock lock =
                later(DistributedLock.builder(coordinator, "/locks/mutex").build());
        lock.start();
        assertThat(lock.tryAcquire()).isEmpty();
        Future<LockHandle> acquired = background.submit(() -> lock.acquire(WAIT));
        await().atMost(WAIT)
                .until(() -> coordinator
                                .curatorFramework()
                                .getChildren()
                                .forPath("/locks/mutex")
                                .size()
                        == 3);
        assertThat(acquired.isDone()).isFalse();
        String oldHolder = V01.under("/locks/mutex").get(0).path();
        long oldToken = czxidOf(oldHolder);
        stopOldNode("/locks");
        LockHandle handle = acquired.get(60, TimeUnit.SECONDS);
        assertThat(handle.isValid()).isTrue();
        assertThat(handle.token()).isGreaterThan(oldToken);
        handle.close();
    }

    @Test
    void readWriteLockWaitsBehindTheOldReaderAndWriter() throws Exception {
        DistributedReadWriteLock lock =
                later(DistributedReadWriteLock.builder(coordinator, "/locks/rw").build());
        lock.start();
        assertThat(lock.tryAcquireWrite()).isEmpty();
        Future<LockHandle> acquired = background.submit(() -> lock.acquireWrite(WAIT));
        await().atMost(WAIT)
                .until(() -> coordinator
                                .curatorFramework()
                                .getChildren()
                                .forPath("/locks/rw")
                                .size()
                        == 3);
        assertThat(acquired.isDone()).isFalse();
        stopOldNode("/locks");
        LockHandle handle = acquired.get(60, TimeUnit.SECONDS);
        assertThat(handle.isValid()).isTrue();
        handle.close();
    }

    @Test
    void semaphoreCountsTheOldLeases() throws Exception {
        DistributedSemaphore semaphore =
                later(DistributedSemaphore.builder(coordinator, "/locks/sem", 2).build());
        semaphore.start();
        assertThat(semaphore.tryAcquire()).isEmpty();
        stopOldNode("/locks");
        LockHandle first = semaphore.acquire(WAIT);
        LockHandle second = semaphore.acquire(WAIT);
        assertThat(semaphore.tryAcquire()).isEmpty();
        first.close();
        second.close();
    }

    @Test
    void electionSeesTheOldLeaderAndTakesOverWithAHigherEpoch() throws Exception {
        long oldEpoch = Long.parseLong(V01.get("/election").text().substring("leading:".length()));
        LeaderElection election = later(LeaderElection.builder(coordinator, "/election")
                .participantId("node-c")
                .takeoverDelay(Duration.ofSeconds(1))
                .build());
        election.start();
        await().atMost(WAIT).until(() -> election.currentLeader().equals(Optional.of("node-a")));
        assertThat(election.isLeader()).isFalse();
        stopOldNode("/election");
        assertThat(election.awaitLeadership(WAIT)).isTrue();
        long epoch = election.leadership().orElseThrow().epoch();
        assertThat(epoch).isGreaterThan(oldEpoch);
        String marker =
                new String(coordinator.curatorFramework().getData().forPath("/election"), StandardCharsets.UTF_8);
        assertThat(marker).isEqualTo("leading:" + epoch);
    }

    @Test
    void membershipSeesTheOldMembersAndJoinsThem() throws Exception {
        GroupMembership<String> group = later(GroupMembership.builder(coordinator, "/members", Codec.utf8())
                .memberId("node-c")
                .metadata("zone=eu-3")
                .build());
        group.start();
        await().atMost(WAIT).until(() -> group.members().size() == 3);
        assertThat(group.members().get("node-a").value().metadata()).isEqualTo("zone=eu-1");
        assertThat(group.members().get("node-b").value().metadata()).isEqualTo("zone=eu-2");
        assertThat(group.isRegistered()).isTrue();
        stopOldNode("/members");
        await().atMost(WAIT).until(() -> group.members().keySet().equals(java.util.Set.of("node-c")));
    }

    @Test
    void eventLogReplaysTheOldLogFromItsSnapshotAndAppends() throws Exception {
        EventLog<String> log = later(EventLog.builder(coordinator, "/log", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        log.start();
        assertThat(log.earliestPosition()).isEqualTo(5);
        assertThat(log.endPosition()).isEqualTo(14);
        List<String> read = log.read(5, 100).stream().map(LogEvent::event).toList();
        assertThat(read).containsExactly("e5", "e6", "e7", "e8", "e9", "e10", "e11", "e12", "e13");
        assertThat(log.append("e14")).isEqualTo(14);
        assertThat(log.appendAll(List.of("e15", "e16", "e17"))).isEqualTo(15);

        EventSourcedState<String, String> folded =
                later(EventSourcedState.builder(log, "", (s, e) -> s.isEmpty() ? e : s + "," + e)
                        .snapshots(Codec.utf8(), 10)
                        .build());
        folded.start();
        assertThat(folded.awaitPosition(18, WAIT)).isTrue();
        assertThat(folded.startSnapshotPosition()).hasValue(10);
        assertThat(folded.current().value()).isEqualTo("e0,e1,e2,e3,e4,e5,e6,e7,e8,e9,e10,e11,e12,e13,e14,e15,e16,e17");
        log.truncateBefore(10);
        assertThat(log.earliestPosition()).isEqualTo(10);
        String meta = new String(coordinator.curatorFramework().getData().forPath("/log/meta"), StandardCharsets.UTF_8);
        assertThat(meta).contains("segmentSize=4\n", "groupSize=2\n", "earliest=10\n", "format=1\n");
    }

    @Test
    void queueHandsOutTheOldItemsKeepsTheOldDeadLetterAndTheOldClaim() throws Exception {
        WorkQueue<String> queue = later(WorkQueue.builder(coordinator, "/queue", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        queue.start();
        List<DeadLetter<String>> dead = queue.deadLetters(0, 10);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).hasValue("job-0");
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Claim<String> claim = queue.take(WAIT).orElseThrow();
            taken.add(claim.value());
            claim.ack();
        }
        // job-1 is claimed by the 0.1 consumer, still running.
        assertThat(taken).containsExactly("job-2", "job-3", "job-4");
        assertThat(queue.take(Duration.ofMillis(200))).isEmpty();
        long position = queue.offer("job-5");
        assertThat(position).isEqualTo(5);
        stopOldNode("/queue");
        List<String> after = new ArrayList<>();
        while (after.size() < 2) {
            Claim<String> claim = queue.take(WAIT).orElseThrow();
            after.add(claim.value());
            claim.ack();
        }
        assertThat(after).containsExactlyInAnyOrder("job-1", "job-5");
        assertThat(queue.deleteDeadLetter(dead.get(0).id())).isTrue();
        assertThat(queue.size()).isZero();
    }

    @Test
    void replicatedStateFollowsTheOldLeaderAndTakesOver() throws Exception {
        ReplicatedState<Long, Long> counter = later(
                ReplicatedState.builder(coordinator, "/replicated", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                        .participantId("node-c")
                        .takeoverDelay(Duration.ofSeconds(1))
                        .build());
        counter.start();
        await().atMost(WAIT).until(() -> counter.current().value() == 15L);
        assertThat(counter.isLeader()).isFalse();
        stopOldNode("/replicated");
        await().atMost(WAIT).until(counter::isLeader);
        assertThat(counter.submit(10L).get(60, TimeUnit.SECONDS).state().value())
                .isEqualTo(25L);
        assertThat(counter.failure()).isEmpty();
    }
}
