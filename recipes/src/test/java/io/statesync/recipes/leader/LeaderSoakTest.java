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
package io.statesync.recipes.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long soak of guarantee 1: rounds of random faults on the current leader (server-side session
 * expiry, a silent partition for twice the session timeout, a connection cut, relinquish, close and
 * re-join), each followed by exactly one leader with its task running; at the end, no two runs ever
 * overlapped and the fenced resource refused nothing. Runs with {@code -Pfull}.
 */
@Tag("slow")
@Timeout(600)
class LeaderSoakTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderSoakTest.class);
    private static final Duration SESSION = Duration.ofSeconds(2);
    private static final int ROUNDS = 25;

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() {
        opened.close();
    }

    @Test
    void neverTwoTasksThroughRoundsOfRandomFaults() throws Exception {
        long seed = System.nanoTime();
        LOG.info("soak seed {}", seed);
        Random random = new Random(seed);
        RunLog log = new RunLog();
        List<String> ids = List.of("a", "b", "c");
        List<TcpProxy> proxies = new ArrayList<>();
        List<Coordinator> coordinators = new ArrayList<>();
        List<LeaderElection> elections = new ArrayList<>();
        for (String id : ids) {
            TcpProxy proxy = opened.add(TcpProxy.start(zk.connectString()));
            proxies.add(proxy);
            Coordinator c = opened.coordinator(proxy.connectString(), zk.namespace(), SESSION);
            coordinators.add(c);
            elections.add(newElection(c, id, log));
        }
        for (int round = 0; round < ROUNDS; round++) {
            int leader = awaitSingleLeader(elections);
            await().atMost(Duration.ofSeconds(20)).until(log::running);
            int fault = random.nextInt(5);
            LOG.info("soak round {}: fault {} on {}", round, fault, ids.get(leader));
            switch (fault) {
                case 0 ->
                    Faults.expireSession(
                            coordinators
                                    .get(leader)
                                    .curatorFramework()
                                    .getZookeeperClient()
                                    .getZooKeeper(),
                            zk.connectString(),
                            Duration.ofSeconds(10));
                case 1 -> {
                    long cut = System.nanoTime();
                    proxies.get(leader).blackhole();
                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> System.nanoTime() - cut
                                    >= SESSION.multipliedBy(2).toNanos());
                    proxies.get(leader).pass();
                }
                case 2 -> proxies.get(leader).cut();
                case 3 -> elections.get(leader).relinquish();
                default -> {
                    elections.get(leader).close();
                    elections.set(leader, newElection(coordinators.get(leader), ids.get(leader), log));
                }
            }
        }
        awaitSingleLeader(elections);
        for (LeaderElection e : elections) {
            e.close();
        }
        assertThat(log.runs()).hasSizeGreaterThanOrEqualTo(ROUNDS / 2);
        log.assertNeverTwoAtOnce();
    }

    private LeaderElection newElection(Coordinator c, String id, RunLog log) {
        LeaderElection e = opened.add(LeaderElection.builder(c, "/soak")
                .participantId(id)
                .task(log.task(id, 5))
                .stopTimeout(Duration.ofMillis(500))
                .build());
        e.start();
        return e;
    }

    private static int awaitSingleLeader(List<LeaderElection> elections) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        for (int i = 0; i < elections.size(); i++) {
            if (elections.get(i).isLeader()) {
                return i;
            }
        }
        throw new AssertionError("the leader left between two reads");
    }
}
