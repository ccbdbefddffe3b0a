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
package io.statesync.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.Health.Status;
import io.statesync.core.LifecycleState;
import io.statesync.core.Recipe;
import io.statesync.core.RecipeReport;
import io.statesync.core.testing.TestNodes;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.UndecodablePolicy;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
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
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Coordinator#recipes()}: every recipe is listed with its live state while open and not after
 * close; a connection fault makes each DEGRADED, a lost lock handle DEGRADED, a stopped event-sourced
 * state DOWN.
 */
class RecipeHealthTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final TestNodes nodes = new TestNodes(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        return nodes.closeLater(closeable);
    }

    private Coordinator connect(String connectString, Duration sessionTimeout, ConnectionLossPolicy policy)
            throws InterruptedException {
        return nodes.connect(
                connectString,
                b -> b.sessionTimeout(sessionTimeout)
                        .connectionTimeout(Duration.ofSeconds(2))
                        .connectionLossPolicy(policy));
    }

    private Coordinator connect() throws InterruptedException {
        return connect(zk.connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_LOST);
    }

    private <R extends Recipe> R started(R recipe) {
        closeLater(recipe);
        recipe.start();
        return recipe;
    }

    private static RecipeReport report(Coordinator c, String type, String path) {
        List<RecipeReport> matching = c.recipes().stream()
                .filter(r -> r.type().equals(type) && r.path().equals(path))
                .toList();
        assertThat(matching).as("%s %s in %s", type, path, c.recipes()).hasSize(1);
        return matching.get(0);
    }

    private static boolean listed(Coordinator c, String type, String path) {
        return c.recipes().stream()
                .anyMatch(r -> r.type().equals(type) && r.path().equals(path));
    }

    private static boolean allHave(Coordinator c, Status status) {
        List<RecipeReport> all = c.recipes();
        return !all.isEmpty() && all.stream().allMatch(r -> r.health().status() == status);
    }

    @Test
    @Timeout(120)
    void everyRecipeIsListedWithItsLiveStateAndDisappearsWhenClosed() throws Exception {
        Coordinator c = connect();
        SharedState<String> shared =
                started(SharedState.builder(c, "/shared", Codec.utf8(), "v0").build());
        StateTree<String> tree =
                started(StateTree.builder(c, "/tree", Codec.utf8()).build());
        DistributedLock mutex = started(DistributedLock.builder(c, "/mutex").build());
        DistributedReadWriteLock rw =
                started(DistributedReadWriteLock.builder(c, "/rw").build());
        DistributedSemaphore semaphore =
                started(DistributedSemaphore.builder(c, "/semaphore", 3).build());
        LeaderElection election = started(
                LeaderElection.builder(c, "/election").participantId("node-a").build());
        GroupMembership<String> group = started(GroupMembership.builder(c, "/group", Codec.utf8())
                .memberId("member-a")
                .metadata("m")
                .build());
        EventLog<String> log = started(EventLog.builder(c, "/log", Codec.utf8()).build());
        EventSubscription<String> subscription = started(log.subscription(0, UndecodablePolicy.STOP));
        EventSourcedState<String, String> sourced =
                started(EventSourcedState.builder(log, "", String::concat).build());
        WorkQueue<String> queue =
                started(WorkQueue.builder(c, "/queue", Codec.utf8()).build());
        ReplicatedState<Long, Long> replicated =
                started(ReplicatedState.builder(c, "/replicated", Codec.longs(), Codec.longs(), 0L, Long::sum)
                        .participantId("node-a")
                        .build());
        LeaderElection latent = closeLater(LeaderElection.builder(c, "/latent").build());

        // Live state.
        LockHandle held = mutex.acquire(Duration.ofSeconds(20));
        LockHandle read = rw.acquireRead(Duration.ofSeconds(20));
        LockHandle lease = semaphore.acquire(Duration.ofSeconds(20));
        tree.put("a", "1");
        tree.put("b", "2");
        shared.set("v1");
        log.append("x");
        log.append("y");
        queue.offer("item");
        Optional<Claim<String>> claim = queue.take(Duration.ofSeconds(20));
        assertThat(claim).isPresent();
        assertThat(election.awaitLeadership(Duration.ofSeconds(20))).isTrue();
        Leadership leadership = election.leadership().orElseThrow();
        assertThat(replicated.submit(5L).get(30, TimeUnit.SECONDS).position()).isZero();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(report(c, "SharedState", "/shared").health().details())
                    .containsEntry("initialized", true)
                    .containsEntry("version", shared.get().orElseThrow().version());
            assertThat(report(c, "StateTree", "/tree").health().details()).containsEntry("keys", 2);
            assertThat(report(c, "GroupMembership", "/group").health().details())
                    .containsEntry("registered", true)
                    .containsEntry("members", 1);
            assertThat(report(c, "EventSubscription", "/log").health().details())
                    .containsEntry("position", 2L);
            assertThat(report(c, "EventSourcedState", "/log").health().details())
                    .containsEntry("position", 2L)
                    .containsEntry("caughtUp", true);
            assertThat(report(c, "ReplicatedState", "/replicated").health().details())
                    .containsEntry("version", 1L)
                    .containsEntry("leader", true)
                    .containsEntry("pendingCommands", 0);
        });
        assertThat(report(c, "DistributedLock", "/mutex").health().details())
                .containsEntry("held", true)
                .containsEntry("tokens", List.of(held.token()))
                .containsEntry("lost", 0);
        assertThat(report(c, "DistributedReadWriteLock", "/rw").health().details())
                .containsEntry("tokens", List.of(read.token()));
        assertThat(report(c, "DistributedSemaphore", "/semaphore").health().details())
                .containsEntry("tokens", List.of(lease.token()))
                .containsEntry("maxLeases", 3);
        RecipeReport leader = report(c, "LeaderElection", "/election");
        assertThat(leader.health().details())
                .containsEntry("leader", true)
                .containsEntry("epoch", leadership.epoch())
                .containsEntry("leaderId", "node-a")
                .containsEntry("participantId", "node-a");
        assertThat(leader.health().reason()).contains("leading with epoch " + leadership.epoch());
        assertThat(report(c, "WorkQueue", "/queue").health().details()).containsEntry("claimsHeld", 1);
        assertThat(report(c, "EventLog", "/log").health().details()).containsEntry("subscriptions", 1);
        // A replicated state's parts (command log, published state, election) are reported in its entry.
        assertThat(c.recipes())
                .noneMatch(r -> r.path().startsWith("/replicated/"))
                .filteredOn(r -> r.state() == LifecycleState.STARTED)
                .allSatisfy(r -> assertThat(r.health().status()).as("%s", r).isEqualTo(Status.UP));
        RecipeReport notStarted = report(c, "LeaderElection", "/latent");
        assertThat(notStarted.state()).isEqualTo(LifecycleState.LATENT);
        assertThat(notStarted.health().status()).isEqualTo(Status.DOWN);
        assertThat(notStarted.health().reason()).isEqualTo("not started");

        // Closed: gone.
        claim.get().ack();
        held.close();
        mutex.close();
        election.close();
        subscription.close();
        replicated.close();
        latent.close();
        assertThat(listed(c, "DistributedLock", "/mutex")).isFalse();
        assertThat(listed(c, "LeaderElection", "/election")).isFalse();
        assertThat(listed(c, "LeaderElection", "/latent")).isFalse();
        assertThat(listed(c, "EventSubscription", "/log")).isFalse();
        assertThat(listed(c, "ReplicatedState", "/replicated")).isFalse();
        assertThat(listed(c, "EventSourcedState", "/log")).isTrue();
        for (Recipe r : List.of(shared, tree, rw, semaphore, group, sourced, log, queue)) {
            r.close();
        }
        assertThat(c.recipes()).isEmpty();
    }

    @Test
    @Timeout(120)
    void aStoppedServerMakesEveryRecipeDegradedServingItsLocalCopyAndUpWhenBack() throws Exception {
        Coordinator c = connect();
        SharedState<String> shared =
                started(SharedState.builder(c, "/shared", Codec.utf8(), "v0").build());
        started(LeaderElection.builder(c, "/election").build());
        started(DistributedLock.builder(c, "/mutex").build());
        assertThat(shared.awaitInitialized(Duration.ofSeconds(20))).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> allHave(c, Status.UP));

        zk.stopServer();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> allHave(c, Status.DEGRADED));
            assertThat(c.recipes())
                    .hasSize(3)
                    .allSatisfy(r -> assertThat(r.health().reason())
                            .startsWith("serving its local copy; the coordinator is DEGRADED"));
            assertThat(report(c, "SharedState", "/shared").health().details()).containsEntry("initialized", true);
        } finally {
            zk.restartServer();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> allHave(c, Status.UP));
    }

    @Test
    @Timeout(120)
    void behindABlackHoledConnectionRecipesAreDegradedThenDownAfterHealthDownAfter() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator c = nodes.connect(
                proxy.connectString(),
                b -> b.sessionTimeout(Duration.ofSeconds(6))
                        .connectionTimeout(Duration.ofSeconds(2))
                        .healthDownAfter(Duration.ofSeconds(5)));
        EventLog<String> log = started(EventLog.builder(c, "/log", Codec.utf8()).build());
        started(EventSourcedState.builder(log, "", String::concat).build());
        started(WorkQueue.builder(c, "/queue", Codec.utf8()).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> allHave(c, Status.UP));

        proxy.blackhole();
        await().atMost(Duration.ofSeconds(30)).until(() -> allHave(c, Status.DEGRADED));
        await().atMost(Duration.ofSeconds(30)).until(() -> allHave(c, Status.DOWN));
        assertThat(c.recipes()).allSatisfy(r -> assertThat(r.health().reason()).startsWith("the coordinator is DOWN"));

        proxy.pass();
        await().atMost(Duration.ofSeconds(60)).until(() -> allHave(c, Status.UP));
    }

    @Test
    @Timeout(120)
    void aLostLockHandleIsDegradedUntilTheApplicationClosesIt() throws Exception {
        Coordinator c = connect(zk.connectString(), Duration.ofSeconds(10), ConnectionLossPolicy.ON_LOST);
        DistributedLock lock = started(DistributedLock.builder(c, "/mutex").build());
        LockHandle handle = lock.acquire(Duration.ofSeconds(20));
        assertThat(report(c, "DistributedLock", "/mutex").health().status()).isEqualTo(Status.UP);

        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(30)).until(() -> !handle.isValid());
        // Lost, the coordinator connected again with a new session: the lock alone is DEGRADED.
        await().atMost(Duration.ofSeconds(30)).until(() -> c.health().status() == Status.UP);
        RecipeReport lost = report(c, "DistributedLock", "/mutex");
        assertThat(lost.health().status()).isEqualTo(Status.DEGRADED);
        assertThat(lost.health().reason()).contains("lost and not closed", "token " + handle.token());
        assertThat(lost.health().details())
                .containsEntry("lost", 1)
                .containsEntry("held", false)
                .containsEntry("tokens", List.of());

        handle.close();
        assertThat(report(c, "DistributedLock", "/mutex").health().status()).isEqualTo(Status.UP);
    }

    @Test
    @Timeout(120)
    void aStoppedEventSourcedStateIsDown() throws Exception {
        Coordinator c = connect();
        EventLog<String> log = started(EventLog.builder(c, "/log", Codec.utf8())
                .segmentSize(10)
                .groupSize(10)
                .build());
        log.append("a");
        c.curatorFramework().create().forPath("/log/log/0/0/1", "garbage".getBytes(StandardCharsets.UTF_8));
        EventSourcedState<String, String> state =
                started(EventSourcedState.builder(log, "", String::concat).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> state.failure().isPresent());

        RecipeReport stopped = report(c, "EventSourcedState", "/log");
        assertThat(stopped.health().status()).isEqualTo(Status.DOWN);
        assertThat(stopped.health().reason()).startsWith("stopped at position 1");
        assertThat(stopped.health().details()).containsEntry("position", 1L);
        assertThat(report(c, "EventLog", "/log").health().status()).isEqualTo(Status.UP);
    }
}
