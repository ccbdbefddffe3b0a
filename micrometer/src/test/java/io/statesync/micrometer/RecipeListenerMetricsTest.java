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
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The listener meters of a recipe move with a slow listener, a throwing one and a connection gap. */
@Timeout(120)
class RecipeListenerMetricsTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

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

    private Coordinator started(String connectString) throws InterruptedException {
        Coordinator c = later(Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(30))
                .build());
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    private SharedState<Long> counter(Coordinator c) throws InterruptedException {
        SharedState<Long> s =
                later(SharedState.builder(c, "/counter", Codec.longs(), 0L).build());
        s.start();
        return s;
    }

    private static final String RECIPE = "SharedState /counter";

    @Test
    void aSlowListenerShowsABacklogAndTheWaitOfEachChange() throws Exception {
        Coordinator c = started(zk.connectString());
        MeterRegistry registry = new SimpleMeterRegistry();
        later(new StateSyncMetrics(c)).bindTo(registry);
        SharedState<Long> s = counter(c);
        CountDownLatch release = new CountDownLatch(1);
        s.addListener(change -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 5; i++) {
            s.update(v -> v + 1);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> registry.get(StateSyncMetrics.BACKLOG)
                                .tags("recipe", RECIPE)
                                .gauge()
                                .value()
                        >= 3);
        release.countDown();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> registry.get(StateSyncMetrics.BACKLOG)
                                .tags("recipe", RECIPE)
                                .gauge()
                                .value()
                        == 0);
        assertThat(registry.get(StateSyncMetrics.DELIVERY)
                        .tags("recipe", RECIPE)
                        .timer()
                        .max(TimeUnit.MILLISECONDS))
                .as("a change queued behind the blocked listener waited")
                .isPositive();
    }

    @Test
    void electionMembershipAndQueueListenersAreTimedToo() throws Exception {
        Coordinator c = started(zk.connectString());
        StateSyncMetrics metrics = later(new StateSyncMetrics(c));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        AtomicInteger calls = new AtomicInteger();
        LeaderElection election = later(LeaderElection.builder(c, "/timed-election")
                .participantId("p1")
                .takeoverDelay(Duration.ZERO)
                .build());
        GroupMembership<String> group = later(GroupMembership.builder(c, "/timed-group", Codec.utf8())
                .memberId("m1")
                .metadata("x")
                .build());
        WorkQueue<String> queue =
                later(WorkQueue.builder(c, "/timed-queue", Codec.utf8()).build());
        election.addListener(change -> calls.incrementAndGet());
        group.addListener(change -> calls.incrementAndGet());
        queue.addListener(change -> calls.incrementAndGet());
        election.start();
        group.start();
        queue.start();
        queue.offer("job");
        for (String recipe :
                List.of("LeaderElection /timed-election", "GroupMembership /timed-group", "WorkQueue /timed-queue")) {
            await(recipe + "'s deliveries are timed")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> {
                        // an election's and a group's listener meters name the participant too
                        return Search.in(registry).name(StateSyncMetrics.DELIVERY).timers().stream()
                                .anyMatch(t -> String.valueOf(t.getId().getTag("recipe"))
                                                .startsWith(recipe)
                                        && t.count() > 0);
                    });
        }
        assertThat(calls.get()).isPositive();
    }

    @Test
    void aThrowingListenerIsCounted() throws Exception {
        Coordinator c = started(zk.connectString());
        MeterRegistry registry = new SimpleMeterRegistry();
        later(new StateSyncMetrics(c)).bindTo(registry);
        SharedState<Long> s = counter(c);
        s.addListener(change -> {
            if (change.kind() == ChangeKind.UPDATED) {
                throw new IllegalStateException("listener failure under test");
            }
        });
        s.update(v -> v + 1);
        s.update(v -> v + 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> registry.find(StateSyncMetrics.LISTENER_ERRORS)
                                        .tags("recipe", RECIPE)
                                        .counter()
                                != null
                        && registry.get(StateSyncMetrics.LISTENER_ERRORS)
                                        .tags("recipe", RECIPE)
                                        .counter()
                                        .count()
                                == 2.0);
    }

    @Test
    void aGapThatHidesSeveralVersionsCountsOneResynced() throws Exception {
        TcpProxy proxy = later(TcpProxy.start(zk.connectString()));
        Coordinator watcher = started(proxy.connectString());
        Coordinator writer = started(zk.connectString());
        MeterRegistry registry = new SimpleMeterRegistry();
        later(new StateSyncMetrics(watcher)).bindTo(registry);
        SharedState<Long> watched = counter(watcher);
        List<ChangeKind> kinds = new CopyOnWriteArrayList<>();
        watched.addListener(change -> kinds.add(change.kind()));
        SharedState<Long> written = counter(writer);
        written.update(v -> v + 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> watched.get().map(v -> v.value() == 1L).orElse(false));

        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> !watcher.isConnected());
        written.update(v -> v + 1);
        written.update(v -> v + 1);
        proxy.pass();

        await().atMost(Duration.ofSeconds(30)).until(() -> kinds.contains(ChangeKind.RESYNCED));
        assertThat(registry.get(StateSyncMetrics.RESYNCED)
                        .tags("recipe", RECIPE)
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }
}
