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

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantees 1 and 2 on a three-server ensemble: two of three servers are killed (quorum lost) and
 * restarted; no two tasks ever run at once, and after quorum returns there is exactly one leader
 * within a bounded time.
 */
@Timeout(120)
class QuorumLossTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.cluster(3);

    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() throws Exception {
        opened.close();
    }

    @Test
    void exactlyOneLeaderAfterQuorumReturnsAndNeverTwoTasksAtOnce() throws Exception {
        RunLog log = new RunLog();
        List<LeaderElection> elections = new ArrayList<>();
        AtomicInteger lost = new AtomicInteger();
        for (String id : List.of("a", "b", "c")) {
            Coordinator c = opened.coordinator(zk.connectString(), zk.namespace(), Duration.ofSeconds(4));
            c.addListener(event -> {
                if (event.kind() == ConnectionEvent.Kind.LOST) {
                    lost.incrementAndGet();
                }
            });
            LeaderElection e = opened.add(LeaderElection.builder(c, "/quorum")
                    .participantId(id)
                    .task(log.task(id, 5))
                    .stopTimeout(Duration.ofSeconds(1))
                    .build());
            e.start();
            elections.add(e);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.accepted() > 0);
        long before = log.highestEpoch();

        List<InstanceSpec> servers = zk.clusterInstances();
        zk.killServer(servers.get(0));
        zk.killServer(servers.get(1));
        // Without quorum no client can keep its session alive: every task stops.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !log.running() && elections.stream().noneMatch(LeaderElection::isLeader));
        // Hold the outage past the session timeout: every client gives its session up (LOST).
        await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() >= 3);
        zk.restartServer(servers.get(0));
        zk.restartServer(servers.get(1));

        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        Duration toLeader = Duration.ofNanos(System.nanoTime() - restarted);
        await().atMost(Duration.ofSeconds(10)).until(log::running);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        assertThat(toLeader).isLessThan(Duration.ofSeconds(45));

        for (LeaderElection e : elections) {
            e.close();
        }
        assertThat(log.runs()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(log.highestEpoch()).isGreaterThanOrEqualTo(before);
        log.assertNeverTwoAtOnce();
    }
}
