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
package io.statesync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Versioned;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What happens inside the recipes, each meter moved by the fault that should move it, against a real
 * ZooKeeper server: conflicts, turns and lost replies of a shared state; hold time, timeouts and
 * losses of a lock; leadership changes, takeover delay and task runs and stops of an election;
 * the lag of a slow subscriber; redeliveries, dead letters and claim age of a queue; batches and
 * leader changes of a replicated state.
 */
@Timeout(120)
class RecipeInnerMetersTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final List<AutoCloseable> open = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        open.add(c);
        return c;
    }

    /** A started coordinator; {@code metered} ones report to {@link #registry}. */
    private Coordinator started(String connectString, boolean metered) throws InterruptedException {
        Coordinator c = later(Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(20))
                .connectionTimeout(Duration.ofSeconds(2))
                .build());
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        if (metered) {
            later(new StateSyncMetrics(c)).bindTo(registry);
        }
        return c;
    }

    private double count(String name, String recipe, String... tags) {
        Counter c =
                Search.in(registry).name(name).tag("recipe", recipe).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private long timed(String name, String recipe) {
        Timer t = Search.in(registry).name(name).tag("recipe", recipe).timer();
        return t == null ? 0 : t.count();
    }

    /** A distribution summary's count, total and max; zeros while it does not exist. */
    private double[] summary(String name, String recipe) {
        DistributionSummary d =
                Search.in(registry).name(name).tag("recipe", recipe).summary();
        return d == null ? new double[3] : new double[] {d.count(), d.totalAmount(), d.max()};
    }

    private long calls(String recipe, String operation, String outcome) {
        Timer t = Search.in(registry)
                .name(StateSyncMetrics.OPERATION)
                .tags("recipe", recipe, "operation", operation, "outcome", outcome)
                .timer();
        return t == null ? 0 : t.count();
    }

    private static void expire(Coordinator c) throws Exception {
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(10));
    }

    @Test
    void aContendedUpdateCountsItsConflictsAndItsTurn() throws Exception {
        Coordinator c = started(zk.connectString(), true);
        Coordinator other = started(zk.connectString(), false);
        SharedState<Long> s = later(SharedState.builder(c, "/counter", Codec.longs(), 0L)
                .maxUpdateAttempts(8)
                .build());
        SharedState<Long> o =
                later(SharedState.builder(other, "/counter", Codec.longs(), 0L).build());
        s.start();
        o.start();
        assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        assertThat(o.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        // Another writer lands between each of the first three reads and writes: three conflicts in
        // a row, which make the writer take a turn (after two, with 8 attempts).
        AtomicInteger interfered = new AtomicInteger();
        Versioned<Long> done = s.update(x -> {
            if (interfered.getAndIncrement() < 3) {
                try {
                    o.update(y -> y + 100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return x + 1;
        });
        assertThat(done.value()).isEqualTo(301L);
        assertThat(count("statesync.state.conflicts", "SharedState /counter")).isEqualTo(3);
        assertThat(count("statesync.state.turns", "SharedState /counter")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anUpdateWhoseReplyIsLostIsCountedResolvedAsLanded() throws Exception {
        TcpProxy proxy = later(TcpProxy.start(zk.connectString()));
        Coordinator c = started(proxy.connectString(), true);
        Coordinator observer = started(zk.connectString(), false);
        SharedState<Long> s =
                later(SharedState.builder(c, "/counter", Codec.longs(), 0L).build());
        SharedState<Long> o = later(
                SharedState.builder(observer, "/counter", Codec.longs(), 0L).build());
        s.start();
        o.start();
        assertThat(s.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        s.update(x -> x + 1);
        proxy.dropReplies();
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            Future<Versioned<Long>> update = one.submit(() -> s.update(x -> x + 1));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> o.read().map(Versioned::value).equals(Optional.of(2L)));
            proxy.cut();
            assertThat(update.get(30, TimeUnit.SECONDS).value()).isEqualTo(2L);
        } finally {
            one.shutdownNow();
        }
        assertThat(count("statesync.state.unknown.resolved", "SharedState /counter", "result", "landed"))
                .isEqualTo(1);
        assertThat(count("statesync.state.conflicts", "SharedState /counter")).isZero();
    }

    @Test
    void aLockCountsItsHoldTimeTimeoutsAndALossBySessionExpiry() throws Exception {
        Coordinator c = started(zk.connectString(), true);
        Coordinator other = started(zk.connectString(), false);
        DistributedLock lock = later(DistributedLock.builder(c, "/lock").build());
        DistributedLock holder = later(DistributedLock.builder(other, "/lock").build());
        lock.start();
        holder.start();
        lock.acquire(Duration.ofSeconds(10)).close();
        assertThat(timed("statesync.lock.hold", "DistributedLock /lock")).isEqualTo(1);
        try (LockHandle held = holder.acquire(Duration.ofSeconds(10))) {
            assertThat(held.isValid()).isTrue();
            assertThatThrownBy(() -> lock.acquire(Duration.ofMillis(200)))
                    .isInstanceOf(OperationTimeoutException.class);
        }
        assertThat(count("statesync.lock.timeouts", "DistributedLock /lock")).isEqualTo(1);
        LockHandle lost = lock.acquire(Duration.ofSeconds(10));
        expire(c);
        await().atMost(Duration.ofSeconds(30)).until(() -> !lost.isValid());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("statesync.lock.losses", "DistributedLock /lock") == 1);
        assertThat(timed("statesync.lock.hold", "DistributedLock /lock")).isEqualTo(2);
        lost.close();
        assertThat(timed("statesync.lock.hold", "DistributedLock /lock"))
                .as("a lost handle's hold ended with the loss, not again at its close")
                .isEqualTo(2);
    }

    @Test
    void aLeaderKilledCountsTheChangesTheTaskRunsAndStopsAndTheTakeoverDelay() throws Exception {
        Coordinator a = started(zk.connectString(), true);
        Coordinator b = started(zk.connectString(), true);
        LeaderElection first = later(LeaderElection.builder(a, "/leader")
                .participantId("a")
                .task(l -> new CountDownLatch(1).await())
                .build());
        first.start();
        await().atMost(Duration.ofSeconds(10)).until(first::isLeader);
        LeaderElection second = later(LeaderElection.builder(b, "/leader")
                .participantId("b")
                .takeoverDelay(Duration.ofMillis(300))
                .task(l -> new CountDownLatch(1).await())
                .build());
        second.start();
        String a1 = "LeaderElection /leader [a]";
        String b1 = "LeaderElection /leader [b]";
        await().atMost(Duration.ofSeconds(10)).until(() -> count("statesync.leader.task.runs", a1) == 1);
        assertThat(count("statesync.leader.changes", a1, "change", "elected")).isEqualTo(1);

        expire(a); // the leader's session is killed: it steps down, its task is stopped
        await().atMost(Duration.ofSeconds(30)).until(second::isLeader);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("statesync.leader.changes", a1, "change", "stepped_down") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> timed("statesync.leader.task.stop", a1) == 1);
        assertThat(count("statesync.leader.changes", b1, "change", "elected")).isEqualTo(1);
        assertThat(timed("statesync.leader.takeover.delay", b1))
                .as("the killed leader did not hand over cleanly")
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("statesync.leader.task.runs", b1) == 1);
    }

    @Test
    void aSlowSubscriberShowsItsLagInEvents() throws Exception {
        Coordinator c = started(zk.connectString(), true);
        EventLog<String> log = later(EventLog.builder(c, "/log", Codec.utf8()).build());
        log.start();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();
        EventSubscription<String> sub = later(log.subscribe(0, change -> {
            if (seen.getAndIncrement() == 0) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        log.append("first");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() == 1);
        for (int i = 0; i < 10; i++) {
            log.append("e" + i); // the listener is stuck on the first event meanwhile
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sub.position() == 11);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() == 11);
        double[] lag = summary("statesync.eventlog.subscriber.lag", "EventSubscription /log from 0");
        assertThat(lag[0]).as("one lag per event and listener").isEqualTo(11);
        assertThat(lag[2])
                .as("the second event reached the listener with 9 more read behind it")
                .isEqualTo(9);
    }

    @Test
    void aClaimLostWithItsSessionIsRedeliveredThenDeadLettered() throws Exception {
        Coordinator c = started(zk.connectString(), true);
        Coordinator worker = started(zk.connectString(), true);
        WorkQueue<String> queue = later(
                WorkQueue.builder(c, "/queue", Codec.utf8()).maxDeliveries(2).build());
        WorkQueue<String> other = later(WorkQueue.builder(worker, "/queue", Codec.utf8())
                .maxDeliveries(2)
                .build());
        queue.start();
        other.start();
        queue.offer("job");
        Claim<String> first = other.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(first.deliveryCount()).isEqualTo(1);
        expire(worker); // the worker's session dies with the claim
        await().atMost(Duration.ofSeconds(30)).until(() -> !first.isHeld());
        await().atMost(Duration.ofSeconds(10)).until(() -> timed("statesync.queue.claim.age", "WorkQueue /queue") == 1);
        Claim<String> again = queue.take(Duration.ofSeconds(20)).orElseThrow();
        assertThat(again.deliveryCount()).isEqualTo(2);
        assertThat(count("statesync.queue.redeliveries", "WorkQueue /queue")).isEqualTo(1);
        again.nack(); // its last delivery given back: it moves to the dead letters
        assertThat(count("statesync.queue.dead.letters", "WorkQueue /queue", "cause", "DELIVERIES_EXHAUSTED"))
                .isEqualTo(1);
        assertThat(timed("statesync.queue.claim.age", "WorkQueue /queue")).isEqualTo(2);
    }

    @Test
    void aReplicatedStateCountsItsBatchesAndLeaderChangesAndEachSubmitOnce() throws Exception {
        Coordinator a = started(zk.connectString(), true);
        Coordinator b = started(zk.connectString(), true);
        ReplicatedState<Long, Long> first =
                later(ReplicatedState.builder(a, "/counter", Codec.longs(), Codec.longs(), 0L, Long::sum)
                        .participantId("a")
                        .build());
        first.start();
        await().atMost(Duration.ofSeconds(20)).until(first::isLeader);
        ReplicatedState<Long, Long> second =
                later(ReplicatedState.builder(b, "/counter", Codec.longs(), Codec.longs(), 0L, Long::sum)
                        .participantId("b")
                        .takeoverDelay(Duration.ofMillis(300))
                        .build());
        second.start();
        List<CompletableFuture<?>> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(first.submit(1L));
        }
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> summary("statesync.replicated.batch", "ReplicatedState /counter")[1] == 5);
        assertThat(count("statesync.replicated.leader.changes", "ReplicatedState /counter"))
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls("ReplicatedState /counter", "submit", "ok") == 5);
        assertThat(Search.in(registry)
                        .name(StateSyncMetrics.OPERATION)
                        .tag("recipe", "EventLog /counter/commands")
                        .timers())
                .as("a submit is counted once, as submit: its command log's append is not counted again")
                .isEmpty();
        assertThat(Search.in(registry).name("statesync.leader.changes").counters())
                .as("its election is a part: the replicated state counts its leader changes itself")
                .isEmpty();

        expire(a); // the leader's session is killed: the other node takes over
        await().atMost(Duration.ofSeconds(30)).until(second::isLeader);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("statesync.replicated.leader.changes", "ReplicatedState /counter") == 2);
        assertThat(second.submit(1L).get(30, TimeUnit.SECONDS).state().value()).isEqualTo(6L);
    }
}
