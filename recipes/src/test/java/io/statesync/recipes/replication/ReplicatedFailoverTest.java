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

import io.statesync.core.ChangeKind;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 1: three nodes submit increments while the leader's session is expired twice and a
 * follower's once; every command is applied exactly once, every future completes once, and no
 * node's listener is ever shown a version lower than one it has seen.
 */
@Timeout(120)
class ReplicatedFailoverTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final Nodes3 nodes = new Nodes3(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    @Test
    void threeNodesWithTwoLeaderKillsAndAFollowerExpiry() throws Exception {
        run(200);
    }

    @Test
    @Tag("slow")
    void threeNodesTimesAThousandWithTwoLeaderKillsAndAFollowerExpiry() throws Exception {
        run(1_000);
    }

    private void run(int perNode) throws Exception {
        int n = 3;
        int total = n * perNode;
        List<Coordinator> coordinators = new ArrayList<>();
        List<ReplicatedState<Long, Long>> states = new ArrayList<>();
        List<Nodes3.Versions> versions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Coordinator c = nodes.coordinator();
            coordinators.add(c);
            Nodes3.Versions v = new Nodes3.Versions();
            versions.add(v);
            states.add(nodes.start(Nodes3.counter(c, "/counter", "node-" + i).build(), v));
        }
        // Submitters: each node keeps a few commands in flight, so the run spans the faults.
        ConcurrentLinkedQueue<CompletableFuture<Applied<Long>>> all = new ConcurrentLinkedQueue<>();
        AtomicInteger completions = new AtomicInteger();
        AtomicInteger extraCompletions = new AtomicInteger();
        // Fault f (1..3) happens once a quarter f of the run is applied; no submitter goes more than an
        // eighth of its share further before it has happened, so every fault falls in the middle of the run.
        List<CountDownLatch> faultDone = List.of(new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1));
        List<Thread> submitters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ReplicatedState<Long, Long> r = states.get(i);
            Thread t = new Thread(
                    () -> {
                        Semaphore window = new Semaphore(4);
                        for (int k = 0; k < perNode; k++) {
                            try {
                                for (int f = 1; f <= 3; f++) {
                                    if (k == perNode * f / 4 + perNode / 8) {
                                        faultDone.get(f - 1).await();
                                    }
                                }
                                window.acquire();
                            } catch (InterruptedException e) {
                                return;
                            }
                            AtomicInteger once = new AtomicInteger();
                            CompletableFuture<Applied<Long>> f = r.submit(1L);
                            f.whenComplete((a, e) -> {
                                if (once.incrementAndGet() == 1) {
                                    completions.incrementAndGet();
                                } else {
                                    extraCompletions.incrementAndGet();
                                }
                                window.release();
                            });
                            all.add(f);
                        }
                    },
                    "submitter-" + i);
            t.start();
            submitters.add(t);
        }
        // Fault 1 and 2: expire the leader's session at a quarter and at half of the run.
        for (int fault = 1; fault <= 2; fault++) {
            int at = total * fault / 4;
            await().atMost(Duration.ofSeconds(60)).until(() -> maxVersion(states) >= at);
            int leader = awaitLeader(states);
            expireAndAwaitNewSession(coordinators.get(leader));
            int deposed = leader;
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                int l = leaderIndex(states);
                return l >= 0 && l != deposed;
            });
            faultDone.get(fault - 1).countDown();
        }
        // Fault 3: expire a follower's session at three quarters.
        await().atMost(Duration.ofSeconds(60)).until(() -> maxVersion(states) >= total * 3 / 4);
        int leader = awaitLeader(states);
        expireAndAwaitNewSession(coordinators.get((leader + 1) % n));
        faultDone.get(2).countDown();

        for (Thread t : submitters) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(all).hasSize(total);
        await().atMost(Duration.ofSeconds(60)).until(() -> completions.get() == total);
        Set<Long> positions = new HashSet<>();
        for (CompletableFuture<Applied<Long>> f : all) {
            Applied<Long> applied = f.get(1, TimeUnit.SECONDS); // every one succeeded
            assertThat(positions.add(applied.position())).isTrue();
        }
        assertThat(positions).allMatch(p -> p >= 0 && p < total);
        for (int i = 0; i < n; i++) {
            assertThat(states.get(i).awaitVersion(total, Duration.ofSeconds(30)))
                    .isTrue();
            assertThat(states.get(i).current().value()).isEqualTo((long) total);
            assertThat(states.get(i).version()).isEqualTo(total);
            Nodes3.Versions v = versions.get(i);
            await().atMost(Duration.ofSeconds(30)).until(() -> v.last() == total);
            assertThat(v.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
            assertThat(v.changes.stream().skip(1).map(c -> c.kind())).containsOnly(ChangeKind.UPDATED);
            List<Long> seen = v.versions();
            for (int k = 1; k < seen.size(); k++) {
                assertThat(seen.get(k)).as("node %d, change %d", i, k).isGreaterThan(seen.get(k - 1));
            }
            // Every published state is the count of commands applied: value == version.
            for (var change : v.changes) {
                Long value = change.current().get().value();
                assertThat(value).isEqualTo(change.position());
            }
        }
        assertThat(extraCompletions.get()).isZero();
    }

    /** Expires a session and waits until the client runs on a new one (so the next fault finds it live). */
    private void expireAndAwaitNewSession(Coordinator c) throws Exception {
        long expired = c.sessionId();
        nodes.expire(c);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> c.isConnected() && c.sessionId() != 0 && c.sessionId() != expired);
    }

    private static long maxVersion(List<ReplicatedState<Long, Long>> states) {
        return states.stream().mapToLong(ReplicatedState::version).max().orElse(0);
    }

    private static int leaderIndex(List<ReplicatedState<Long, Long>> states) {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).isLeader()) {
                return i;
            }
        }
        return -1;
    }

    private static int awaitLeader(List<ReplicatedState<Long, Long>> states) {
        await().atMost(Duration.ofSeconds(30)).until(() -> leaderIndex(states) >= 0);
        return leaderIndex(states);
    }
}
