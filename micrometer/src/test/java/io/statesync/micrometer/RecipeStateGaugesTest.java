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
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-recipe gauges show each recipe's live state, and go when the recipe closes. */
@Timeout(90)
class RecipeStateGaugesTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** Reads the gauge as a scrape would: the health gauges first, which take the scrape's reading. */
    private static double scrape(MeterRegistry registry, String name, String recipe) {
        registry.get(StateSyncMetrics.HEALTH).gauges().forEach(g -> g.value());
        var gauge = Search.in(registry).name(name).tag("recipe", recipe).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void eachRecipeShowsItsLiveStateAndItsGaugesGoWhenItCloses() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            metrics.bindTo(registry);
            try (SharedState<String> state =
                            SharedState.builder(c, "/state", Codec.utf8(), "a").build();
                    StateTree<String> tree =
                            StateTree.builder(c, "/tree", Codec.utf8()).build();
                    GroupMembership<String> group = GroupMembership.builder(c, "/group", Codec.utf8())
                            .memberId("m1")
                            .metadata("x")
                            .build();
                    LeaderElection election = LeaderElection.builder(c, "/election")
                            .participantId("p1")
                            .takeoverDelay(Duration.ZERO)
                            .build();
                    DistributedLock lock = DistributedLock.builder(c, "/lock").build();
                    WorkQueue<String> queue =
                            WorkQueue.builder(c, "/queue", Codec.utf8()).build()) {
                state.start();
                tree.start();
                group.start();
                election.start();
                lock.start();
                // the queue counts its depth for its listeners: the gauge is there while one listens
                queue.addListener(change -> {});
                queue.start();
                state.set("b");
                assertThat(tree.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                tree.put("k1", "v");
                tree.put("k2", "v");
                assertThat(group.awaitRegistered(Duration.ofSeconds(10))).isTrue();
                assertThat(election.awaitLeadership(Duration.ofSeconds(10))).isTrue();
                queue.offer("job-1");
                queue.offer("job-2");
                queue.offer("job-3");
                try (LockHandle held = lock.acquire(Duration.ofSeconds(10))) {
                    assertThat(held.isValid()).isTrue();
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        assertThat(scrape(registry, StateSyncMetrics.VERSION, "SharedState /state"))
                                .isEqualTo(1.0);
                        assertThat(scrape(registry, StateSyncMetrics.KEYS, "StateTree /tree"))
                                .isEqualTo(2.0);
                        assertThat(scrape(registry, StateSyncMetrics.MEMBERS, "GroupMembership /group"))
                                .isEqualTo(1.0);
                        assertThat(scrape(registry, StateSyncMetrics.LEADER, "LeaderElection /election"))
                                .isEqualTo(1.0);
                        assertThat(scrape(registry, StateSyncMetrics.EPOCH, "LeaderElection /election"))
                                .isPositive();
                        assertThat(scrape(registry, StateSyncMetrics.LOCK_HELD, "DistributedLock /lock"))
                                .isEqualTo(1.0);
                        assertThat(scrape(registry, StateSyncMetrics.LOCK_LOST, "DistributedLock /lock"))
                                .isZero();
                        assertThat(scrape(registry, StateSyncMetrics.QUEUE_DEPTH, "WorkQueue /queue"))
                                .isEqualTo(3.0);
                    });
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> scrape(registry, StateSyncMetrics.LOCK_HELD, "DistributedLock /lock") == 0.0);
                election.close();
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(
                                () -> assertThat(scrape(registry, StateSyncMetrics.LEADER, "LeaderElection /election"))
                                        .as("a closed recipe's gauges go")
                                        .isNaN());
            }
        }
    }
}
