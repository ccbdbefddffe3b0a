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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.NotLeaderException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Election basics against a real server: one leader, who it is, relinquish, epochs, guarded writes. */
@Timeout(60)
class LeaderElectionTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration SESSION = Duration.ofSeconds(5);
    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() throws Exception {
        opened.close();
    }

    private Coordinator connect() throws InterruptedException {
        return opened.coordinator(zk.connectString(), zk.namespace(), SESSION);
    }

    private LeaderElection start(Coordinator c, String id) {
        LeaderElection e = opened.add(LeaderElection.builder(c, "/election")
                .participantId(id)
                .metadata("meta-" + id)
                .build());
        e.start();
        return e;
    }

    private static LeaderElection awaitSingleLeader(List<LeaderElection> elections) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(2))
                .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
        return elections.stream().filter(LeaderElection::isLeader).findFirst().orElseThrow();
    }

    /** Records leadership changes. */
    static final class Changes implements StateListener<Leadership> {
        final List<StateChange<Leadership>> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Leadership> change) {
            seen.add(change);
        }

        List<Long> epochs() {
            List<Long> out = new ArrayList<>();
            for (StateChange<Leadership> c : seen) {
                c.current().ifPresent(v -> out.add(v.value().epoch()));
            }
            return out;
        }
    }

    @Test
    void exactlyOneLeaderAndEveryParticipantKnowsWhoItIs() throws Exception {
        Coordinator c1 = connect();
        Coordinator c2 = connect();
        Coordinator c3 = connect();
        LeaderElection a = start(c1, "a");
        LeaderElection b = start(c2, "b");
        LeaderElection c = start(c3, "c");
        List<LeaderElection> all = List.of(a, b, c);

        LeaderElection leader = awaitSingleLeader(all);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        all.stream().allMatch(e -> e.currentLeader().orElse("").equals(leader.participantId())));
        Leadership seenByLeader = leader.leadership().orElseThrow();
        assertThat(seenByLeader.isSelf()).isTrue();
        assertThat(seenByLeader.metadata()).isEqualTo("meta-" + leader.participantId());
        for (LeaderElection e : all) {
            Leadership l = e.leadership().orElseThrow();
            assertThat(l.epoch()).isEqualTo(seenByLeader.epoch());
            assertThat(l.isSelf()).isEqualTo(e == leader);
            assertThat(e.participants()).hasSize(3).first().isEqualTo(leader.participantId());
        }
        assertThat(a.participants()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void awaitLeadershipTimesOutOnAFollowerAndReturnsWhenLeadershipArrives() throws Exception {
        Coordinator c1 = connect();
        LeaderElection first = start(c1, "first");
        assertThat(first.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        LeaderElection second = start(connect(), "second");
        assertThat(second.awaitLeadership(Duration.ofMillis(300))).isFalse();

        long before = System.nanoTime();
        first.close();
        assertThat(second.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        // A clean handover is not delayed by the takeover delay (stop timeout + T/3 = 11.6 s here).
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
        assertThat(second.currentLeader()).contains("second");
    }

    @Test
    void relinquishPutsTheLeaderAtTheBackOfTheLine() throws Exception {
        List<LeaderElection> all = new ArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            LeaderElection e = start(connect(), id);
            all.add(e);
            // Join in order, so the line is a, b, c.
            await().atMost(Duration.ofSeconds(10)).until(() -> e.participants().contains(id));
        }
        LeaderElection a = all.get(0);
        assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        long epochA = a.leadership().orElseThrow().epoch();

        a.relinquish();

        assertThat(a.isLeader()).isFalse();
        assertThat(all.get(1).awaitLeadership(Duration.ofSeconds(10))).isTrue();
        assertThat(a.participants()).containsExactly("b", "c", "a");
        assertThat(all.get(1).leadership().orElseThrow().epoch()).isGreaterThan(epochA);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.currentLeader().orElse("").equals("b"));
    }

    @Test
    void epochsStrictlyIncreaseAcrossOneHundredSuccessiveLeaders() throws Exception {
        Coordinator c1 = connect();
        Coordinator c2 = connect();
        List<LeaderElection> all = List.of(start(c1, "x"), start(c2, "y"), start(c2, "z"));
        Changes watched = new Changes();
        all.get(0).addListener(watched);

        List<Long> epochs = new ArrayList<>();
        List<String> leaders = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LeaderElection leader = awaitSingleLeader(all);
            epochs.add(leader.leadership().orElseThrow().epoch());
            leaders.add(leader.participantId());
            leader.relinquish();
        }
        assertThat(epochs).isSorted().doesNotHaveDuplicates();
        // Relinquish sends the leader to the back: the three take turns.
        for (int i = 3; i < leaders.size(); i++) {
            assertThat(leaders.get(i)).isEqualTo(leaders.get(i - 3));
        }
        // A listener is never shown a lower epoch than one it has seen.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !watched.epochs().isEmpty()
                        && watched.epochs().get(watched.epochs().size() - 1) >= epochs.get(99));
        List<Long> shown = watched.epochs();
        for (int i = 1; i < shown.size(); i++) {
            assertThat(shown.get(i)).isGreaterThanOrEqualTo(shown.get(i - 1));
        }
        assertThat(watched.seen.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
    }

    @Test
    void aDeposedLeadersGuardedWriteFailsAndNothingLands() throws Exception {
        Coordinator c1 = connect();
        Coordinator c2 = connect();
        // a's serial loop is handed to it, as the builder hands it one, so that this test can hold it.
        ScheduledThreadPoolExecutor aLoop = TaskRunner.executor(c1, "statesync-leader-a");
        LeaderElection a = opened.add(new DefaultLeaderElection(
                c1,
                "/election",
                "a",
                "",
                null,
                null,
                Duration.ofSeconds(10),
                Duration.ZERO,
                Duration.ZERO,
                null,
                aLoop));
        a.start();
        assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        LeaderElection b = opened.add(LeaderElection.builder(c2, "/election")
                .participantId("b")
                .takeoverDelay(Duration.ZERO)
                .build());
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.participants().size() == 2);

        a.write(GuardedWrite.of().create("/written-while-leader", new byte[0]));
        assertThat(c2.curatorFramework().checkExists().forPath("/written-while-leader"))
                .isNotNull();

        // Hold a's election thread so that it cannot notice; then depose it behind its back.
        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        aLoop.execute(() -> {
            held.countDown();
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        String aZnode = "/election/"
                + c2.curatorFramework().getChildren().forPath("/election").stream()
                        .filter(n -> Participants.sequence(n) >= 0)
                        .min((x, y) -> Long.compare(Participants.sequence(x), Participants.sequence(y)))
                        .orElseThrow();
        c2.curatorFramework().delete().forPath(aZnode);
        assertThat(b.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        assertThat(a.isLeader()).isTrue(); // a has not noticed yet

        assertThatThrownBy(() -> a.write(GuardedWrite.of().create("/written-after-deposed", new byte[0])))
                .isInstanceOf(NotLeaderException.class)
                .hasMessageContaining("a no longer leads");
        assertThat(c2.curatorFramework().checkExists().forPath("/written-after-deposed"))
                .isNull();

        hold.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.isLeader());
        assertThatThrownBy(() -> a.write(GuardedWrite.of().create("/written-later", new byte[0])))
                .isInstanceOf(NotLeaderException.class);
        b.write(GuardedWrite.of().create("/written-by-b", new byte[0]));
        assertThat(c1.curatorFramework().checkExists().forPath("/written-later"))
                .isNull();
        assertThat(c1.curatorFramework().checkExists().forPath("/written-by-b")).isNotNull();
    }

    @Test
    void theBuilderNamesTheBadOption() throws Exception {
        Coordinator c = connect();
        assertThatThrownBy(() -> LeaderElection.builder(c, "no-slash").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-slash");
        assertThatThrownBy(
                        () -> LeaderElection.builder(c, "/e").participantId("").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("participantId");
        assertThatThrownBy(() ->
                        LeaderElection.builder(c, "/e").participantId("a\nb").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> LeaderElection.builder(c, "/e")
                        .suspendGrace(Duration.ofSeconds(2))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("suspendGrace PT2S");
        assertThatThrownBy(() -> LeaderElection.builder(c, "/e")
                        .stopTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stopTimeout");
        assertThatThrownBy(() -> LeaderElection.builder(c, "/e")
                        .scheduledTask(Duration.ZERO, l -> {})
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period");
        assertThatThrownBy(() ->
                        LeaderElection.builder(c, "/e").task(l -> {}).scheduledTask(Duration.ofSeconds(1), l -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("task was already set");
        LeaderElection latent = LeaderElection.builder(c, "/e").build();
        assertThatThrownBy(latent::participants).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> latent.write(GuardedWrite.of().create("/x", new byte[0])))
                .isInstanceOf(NotLeaderException.class);
        latent.close();
    }
}
