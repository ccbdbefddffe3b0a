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
package io.statesync.recipes.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every command applied once and no going back when the leader's ZooKeeper server dies. */
@Timeout(120)
class ReplicatedClusterTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.cluster(3);

    @Test
    void theLeadersServerDiesMidRun() throws Exception {
        int n = 3;
        int perNode = 150;
        int total = n * perNode;
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            List<Coordinator> coordinators = new ArrayList<>();
            List<ReplicatedState<Long, Long>> states = new ArrayList<>();
            List<Nodes3.Versions> versions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Coordinator c = TestNodes.open(
                        zk,
                        zk.connectString(),
                        b -> b.sessionTimeout(Duration.ofSeconds(20)).connectionTimeout(Duration.ofSeconds(1)));
                opened.add(0, c);
                coordinators.add(c);
                Nodes3.Versions v = new Nodes3.Versions();
                versions.add(v);
                ReplicatedState<Long, Long> r =
                        Nodes3.counter(c, "/counter", "node-" + i).build();
                opened.add(0, r);
                r.addListener(v);
                r.start();
                states.add(r);
            }
            CountDownLatch killed = new CountDownLatch(1);
            List<CompletableFuture<Applied<Long>>> all = new CopyOnWriteArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ReplicatedState<Long, Long> r = states.get(i);
                Thread t = new Thread(() -> {
                    Semaphore window = new Semaphore(4);
                    for (int k = 0; k < perNode; k++) {
                        try {
                            if (k == perNode / 2) {
                                killed.await();
                            }
                            window.acquire();
                        } catch (InterruptedException e) {
                            return;
                        }
                        CompletableFuture<Applied<Long>> f = r.submit(1L);
                        f.whenComplete((a, e) -> window.release());
                        all.add(f);
                    }
                });
                t.start();
                submitters.add(t);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> states.stream()
                                    .mapToLong(ReplicatedState::version)
                                    .max()
                                    .orElse(0)
                            >= total / 4);
            await().atMost(Duration.ofSeconds(30)).until(() -> states.stream().anyMatch(ReplicatedState::isLeader));
            int leader = 0;
            while (!states.get(leader).isLeader()) {
                leader = (leader + 1) % n;
            }
            InstanceSpec victim = zk.connectedServer(coordinators
                    .get(leader)
                    .curatorFramework()
                    .getZookeeperClient()
                    .getZooKeeper());
            zk.killServer(victim);
            killed.countDown();
            for (Thread t : submitters) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(t.isAlive()).isFalse();
            }
            Set<Long> positions = new HashSet<>();
            for (CompletableFuture<Applied<Long>> f : all) {
                assertThat(positions.add(f.get(60, TimeUnit.SECONDS).position()))
                        .isTrue();
            }
            assertThat(positions).hasSize(total);
            zk.restartServer(victim);
            for (int i = 0; i < n; i++) {
                assertThat(states.get(i).awaitVersion(total, Duration.ofSeconds(30)))
                        .isTrue();
                assertThat(states.get(i).current().value()).isEqualTo((long) total);
                Nodes3.Versions v = versions.get(i);
                await().atMost(Duration.ofSeconds(30)).until(() -> v.last() == total);
                List<Long> seen = v.versions();
                for (int k = 1; k < seen.size(); k++) {
                    assertThat(seen.get(k)).as("node %d, change %d", i, k).isGreaterThan(seen.get(k - 1));
                }
            }
        } finally {
            for (AutoCloseable c : opened) {
                c.close();
            }
        }
    }
}
