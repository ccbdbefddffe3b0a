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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 1 against one real server: never two running singleton tasks, checked by the run
 * intervals and a fenced resource, through a server-side session expiry of the leader, a silent
 * partition of the leader for twice the session timeout, and a server restart.
 */
@Timeout(90)
class NoTwoLeadersTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration SESSION = Duration.ofSeconds(3);
    private final Opened opened = new Opened();
    private final RunLog log = new RunLog();
    private final List<LeaderElection> elections = new ArrayList<>();
    private final Map<String, Coordinator> coordinators = new ConcurrentHashMap<>();
    private final Map<String, TcpProxy> proxies = new ConcurrentHashMap<>();
    private final Map<String, List<TaskStop>> stops = new ConcurrentHashMap<>();

    @BeforeEach
    void startThreeParticipants() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            TcpProxy proxy = opened.add(TcpProxy.start(zk.connectString()));
            proxies.put(id, proxy);
            Coordinator c = opened.coordinator(proxy.connectString(), zk.namespace(), SESSION);
            coordinators.put(id, c);
            List<TaskStop> mine = new CopyOnWriteArrayList<>();
            stops.put(id, mine);
            LeaderElection e = opened.add(LeaderElection.builder(c, "/singleton")
                    .participantId(id)
                    .task(log.task(id, 5))
                    .stopTimeout(Duration.ofSeconds(1))
                    .onTaskStop(mine::add)
                    .build());
            e.start();
            elections.add(e);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (TcpProxy p : proxies.values()) {
            p.pass();
        }
        opened.close();
    }

    private Coordinator coordinatorOf(LeaderElection e) {
        return Objects.requireNonNull(coordinators.get(e.participantId()));
    }

    private TcpProxy proxyOf(LeaderElection e) {
        return Objects.requireNonNull(proxies.get(e.participantId()));
    }

    private List<TaskStop> stopsOf(LeaderElection e) {
        return Objects.requireNonNull(stops.get(e.participantId()));
    }

    private LeaderElection awaitSingleLeader() {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        return elections.stream().filter(LeaderElection::isLeader).findFirst().orElseThrow();
    }

    private void closeElectionsAndCheck(int minimumRuns) {
        for (LeaderElection e : elections) {
            e.close();
        }
        assertThat(log.runs()).hasSizeGreaterThanOrEqualTo(minimumRuns);
        log.assertNeverTwoAtOnce();
    }

    @Test
    void theLeadersSessionExpiresOnTheServer() throws Exception {
        LeaderElection old = awaitSingleLeader();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.accepted() > 0);
        long oldEpoch = log.highestEpoch();
        Coordinator oldCoordinator = coordinatorOf(old);
        long oldSession = oldCoordinator.sessionId();

        Faults.expireSession(
                oldCoordinator.curatorFramework().getZookeeperClient().getZooKeeper(),
                zk.connectString(),
                Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(30)).until(() -> log.highestEpoch() > oldEpoch);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> oldCoordinator.isConnected() && oldCoordinator.sessionId() != oldSession);
        await().atMost(Duration.ofSeconds(10)).until(() -> old.participants().size() == 3);
        LeaderElection now = awaitSingleLeader();
        assertThat(now).isNotSameAs(old);
        assertThat(stopsOf(old)).isNotEmpty();
        assertThat(stopsOf(old).get(0).ended()).isTrue();
        closeElectionsAndCheck(2);
    }

    @Test
    void theLeaderIsSilentlyPartitionedForTwiceTheSessionTimeout() throws Exception {
        LeaderElection old = awaitSingleLeader();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.accepted() > 0);
        long oldEpoch = log.highestEpoch();
        Coordinator oldCoordinator = coordinatorOf(old);
        long oldSession = oldCoordinator.sessionId();

        long cutAt = System.nanoTime();
        proxyOf(old).blackhole();

        await().atMost(Duration.ofSeconds(30)).until(() -> log.highestEpoch() > oldEpoch);
        List<TaskStop> oldStops = stopsOf(old);
        assertThat(oldStops).isNotEmpty();
        assertThat(oldStops.get(0).reason()).isEqualTo(TaskStop.Reason.CONNECTION_SUSPENDED);
        assertThat(oldStops.get(0).ended()).isTrue();
        // Hold the partition for twice the session timeout in all, then heal it.
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        System.nanoTime() - cutAt >= SESSION.multipliedBy(2).toNanos());
        proxyOf(old).pass();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> oldCoordinator.isConnected() && oldCoordinator.sessionId() != oldSession);
        await().atMost(Duration.ofSeconds(10)).until(() -> old.participants().size() == 3);
        assertThat(awaitSingleLeader()).isNotSameAs(old);
        // The partitioned leader's task ended before its successor's began.
        RunLog.Run oldRun = log.runs().stream()
                .filter(r -> r.epoch() == oldEpoch)
                .findFirst()
                .orElseThrow();
        long successorStart = log.runs().stream()
                .filter(r -> r.epoch() > oldEpoch)
                .mapToLong(RunLog.Run::start)
                .min()
                .orElse(Long.MAX_VALUE);
        assertThat(oldRun.end()).isLessThan(successorStart);
        closeElectionsAndCheck(2);
    }

    @Test
    void theServerRestarts() throws Exception {
        awaitSingleLeader();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.accepted() > 0);

        zk.stopServer();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !log.running() && elections.stream().noneMatch(LeaderElection::isLeader));
        zk.restartServer();

        awaitSingleLeader();
        await().atMost(Duration.ofSeconds(10)).until(log::running);
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        closeElectionsAndCheck(2);
    }
}
