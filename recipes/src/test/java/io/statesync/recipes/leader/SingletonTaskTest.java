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
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The singleton-task hook: starts on the leader with its epoch, stops first, reports every stop. */
@Timeout(60)
class SingletonTaskTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration SESSION = Duration.ofSeconds(6);
    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() throws Exception {
        opened.close();
    }

    private Coordinator connect(String connectString) throws InterruptedException {
        return opened.coordinator(connectString, zk.namespace(), SESSION);
    }

    private static LeaderTask ignoringInterrupts(CountDownLatch release, AtomicInteger started) {
        return leadership -> {
            if (started.incrementAndGet() > 1) {
                TimeUnit.DAYS.sleep(1); // later runs stop when interrupted
                return;
            }
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    // ignored on purpose: the task overruns its stop
                }
            }
        };
    }

    @Test
    void theTaskRunsOnTheLeaderWithItsEpochAndItsStopOnCloseIsReported() throws Exception {
        List<TaskStop> stops = new CopyOnWriteArrayList<>();
        List<Long> epochs = new CopyOnWriteArrayList<>();
        RunLog log = new RunLog();
        LeaderTask inner = log.task("a", 5);
        LeaderElection a = LeaderElection.builder(connect(zk.connectString()), "/task")
                .participantId("a")
                .task(leadership -> {
                    epochs.add(leadership.epoch());
                    inner.run(leadership);
                })
                .onTaskStop(stops::add)
                .build();
        a.start();
        assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.accepted() > 0);
        assertThat(epochs).containsExactly(a.leadership().orElseThrow().epoch());

        a.close();

        assertThat(log.running()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> !stops.isEmpty());
        TaskStop stop = stops.get(0);
        assertThat(stop.reason()).isEqualTo(TaskStop.Reason.CLOSED);
        assertThat(stop.ended()).isTrue();
        assertThat(stop.duration()).isLessThan(Duration.ofSeconds(10));
        assertThat(stop.leadership().epoch()).isEqualTo(epochs.get(0));
        assertThat(a.lastTaskStop()).contains(stop);
    }

    @Test
    void theScheduledFormTicksOnlyOnTheLeader() throws Exception {
        AtomicInteger ticksA = new AtomicInteger();
        AtomicInteger ticksB = new AtomicInteger();
        LeaderElection a = opened.add(LeaderElection.builder(connect(zk.connectString()), "/scheduled")
                .participantId("a")
                .scheduledTask(Duration.ofMillis(20), l -> ticksA.incrementAndGet())
                .build());
        a.start();
        assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        LeaderElection b = opened.add(LeaderElection.builder(connect(zk.connectString()), "/scheduled")
                .participantId("b")
                .scheduledTask(Duration.ofMillis(20), l -> {
                    ticksB.incrementAndGet();
                    throw new IllegalStateException("a failing tick does not stop the schedule");
                })
                .build());
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticksA.get() >= 5);
        assertThat(ticksB.get()).isZero();

        a.close();
        int finalA = ticksA.get();
        assertThat(b.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticksB.get() >= 5);
        assertThat(ticksA.get()).isEqualTo(finalA);
    }

    @Test
    void aTaskThatReturnsHandsLeadershipOnAndRunsAgainWhenLeadershipReturns() throws Exception {
        List<String> runs = new CopyOnWriteArrayList<>();
        List<Long> epochs = new CopyOnWriteArrayList<>();
        Coordinator c = connect(zk.connectString());
        for (String id : List.of("a", "b")) {
            opened.add(LeaderElection.builder(c, "/returning")
                            .participantId(id)
                            .task(l -> {
                                runs.add(id);
                                epochs.add(l.epoch());
                            })
                            .build())
                    .start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> runs.size() >= 6);
        assertThat(runs).contains("a", "b");
        List<Long> seen = List.copyOf(epochs);
        assertThat(seen).isSorted().doesNotHaveDuplicates();
    }

    private static LeaderElection ref(AtomicReference<LeaderElection> r) {
        return java.util.Objects.requireNonNull(r.get());
    }

    @Test
    void aTaskMayRelinquishOrCloseItsOwnElection() throws Exception {
        List<String> runs = new CopyOnWriteArrayList<>();
        Coordinator c = connect(zk.connectString());
        AtomicReference<LeaderElection> a = new AtomicReference<>();
        AtomicReference<LeaderElection> b = new AtomicReference<>();
        b.set(opened.add(LeaderElection.builder(c, "/self")
                .participantId("b")
                .task(l -> {
                    runs.add("b");
                    if (runs.stream().filter("b"::equals).count() >= 2) {
                        ref(b).close(); // returns at once; the handover follows this task's return
                    } else {
                        ref(b).relinquish(); // returns at once on the task's thread
                        TimeUnit.DAYS.sleep(1); // throws at once: the relinquish interrupted this thread
                    }
                })
                .build()));
        a.set(opened.add(LeaderElection.builder(c, "/self")
                .participantId("a")
                .task(l -> {
                    runs.add("a");
                    ref(a).relinquish();
                })
                .build()));
        ref(b).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !runs.isEmpty());
        ref(a).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> ref(b).state() == LifecycleState.CLOSED);
        await().atMost(Duration.ofSeconds(10)).until(() -> ref(a).participants().equals(List.of("a")));
        assertThat(runs.stream().filter("b"::equals).count()).isEqualTo(2);
        assertThat(runs.get(0)).isEqualTo("b");
        assertThat(runs).contains("a");
    }

    @Test
    void aTaskThatIgnoresInterruptionIsReportedAndTheNodeDoesNotLeadAgainUntilItEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger startedA = new AtomicInteger();
        List<TaskStop> stops = new CopyOnWriteArrayList<>();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            Coordinator ca = connect(proxy.connectString());
            LeaderElection a = opened.add(LeaderElection.builder(ca, "/stuck")
                    .participantId("a")
                    .task(ignoringInterrupts(release, startedA))
                    .stopTimeout(Duration.ofMillis(300))
                    .onTaskStop(stops::add)
                    .build());
            a.start();
            assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
            long epoch = a.leadership().orElseThrow().epoch();
            AtomicInteger startedB = new AtomicInteger();
            LeaderElection b = opened.add(LeaderElection.builder(connect(zk.connectString()), "/stuck")
                    .participantId("b")
                    .task(l -> startedB.incrementAndGet())
                    .build());
            b.start();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.currentLeader().orElse("").equals("a"));

            long session = ca.sessionId();
            proxy.cut(); // SUSPENDED (a loss under the default policy), then RECONNECTED, same session

            await().atMost(Duration.ofSeconds(10)).until(() -> !stops.isEmpty());
            TaskStop overrun = stops.get(0);
            assertThat(overrun.ended()).isFalse();
            assertThat(overrun.reason()).isEqualTo(TaskStop.Reason.CONNECTION_SUSPENDED);
            assertThat(overrun.duration()).isEqualTo(Duration.ofMillis(300));
            await().atMost(Duration.ofSeconds(10)).until(ca::isConnected);
            assertThat(ca.sessionId()).isEqualTo(session);
            // a is first in line again but its old task still runs: neither a nor b may lead.
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !a.isLeader() && !b.isLeader() && startedA.get() == 1 && startedB.get() == 0);

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> stops.size() >= 2);
            TaskStop ended = stops.get(1);
            assertThat(ended.ended()).isTrue();
            assertThat(ended.duration()).isGreaterThan(Duration.ofMillis(300));
            assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
            // Same session, same znode: the same leadership resumes.
            assertThat(a.leadership().orElseThrow().epoch()).isEqualTo(epoch);
            await().atMost(Duration.ofSeconds(10)).until(() -> startedA.get() == 2);
            assertThat(startedB.get()).isZero();
        }
    }

    @Test
    void closeKeepsTheZnodeOfAStuckTaskSoThatNoSuccessorRunsBesideIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger startedA = new AtomicInteger();
        LeaderElection a = LeaderElection.builder(connect(zk.connectString()), "/stuck-close")
                .participantId("a")
                .task(ignoringInterrupts(release, startedA))
                .stopTimeout(Duration.ofMillis(200))
                .build();
        a.start();
        assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        AtomicInteger startedB = new AtomicInteger();
        LeaderElection b = opened.add(LeaderElection.builder(connect(zk.connectString()), "/stuck-close")
                .participantId("b")
                .task(l -> {
                    startedB.incrementAndGet();
                    TimeUnit.DAYS.sleep(1);
                })
                .build());
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.participants().size() == 2);

        a.close(); // returns after the stop timeout; the task still runs

        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> startedB.get() == 0);
        assertThat(b.participants()).containsExactly("a", "b");
        release.countDown();
        assertThat(b.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> startedB.get() == 1);
    }

    @Test
    void theLeaderGivesUpAndInterruptsItsTaskBeforeAnyListenerIsTold() throws Exception {
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        List<String> seenAtSuspended = new CopyOnWriteArrayList<>();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            Coordinator c = connect(proxy.connectString());
            LeaderElection a = opened.add(LeaderElection.builder(c, "/first")
                    .participantId("a")
                    .task(l -> {
                        taskThread.set(Thread.currentThread());
                        // park() leaves the interrupt flag set, so a probe can see it was sent.
                        while (!Thread.currentThread().isInterrupted()) {
                            LockSupport.park();
                        }
                        sawInterrupt.set(true);
                    })
                    .build());
            StateListener<Leadership> probe = new StateListener<>() {
                @Override
                public void onChange(StateChange<Leadership> change) {}

                @Override
                public void onConnection(ConnectionEvent event) {
                    if (event.kind() == ConnectionEvent.Kind.SUSPENDED) {
                        Thread t = taskThread.get();
                        boolean interrupted = t != null && (t.isInterrupted() || sawInterrupt.get());
                        seenAtSuspended.add("leader=" + a.isLeader() + " interrupted=" + interrupted);
                    }
                }
            };
            a.addListener(probe, Runnable::run); // on the event thread itself
            a.addListener(probe); // on the listener executor
            a.start();
            c.addListener(probe, Runnable::run); // on the coordinator, registered after the election
            assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> taskThread.get() != null);

            proxy.cut();

            await().atMost(Duration.ofSeconds(10)).until(() -> seenAtSuspended.size() == 3);
            assertThat(seenAtSuspended).containsOnly("leader=false interrupted=true");
            a.close();
        }
    }

    @Test
    void underTheOnLostPolicyASuspendedConnectionIsNotALoss() throws Exception {
        List<TaskStop> stops = new CopyOnWriteArrayList<>();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            Coordinator c = opened.add(Coordinator.builder(proxy.connectString())
                    .namespace(zk.namespace())
                    .sessionTimeout(SESSION)
                    .connectionTimeout(Duration.ofSeconds(2))
                    .connectionLossPolicy(ConnectionLossPolicy.ON_LOST)
                    .build());
            AtomicInteger reconnects = new AtomicInteger();
            c.addListener(e -> {
                if (e.kind() == ConnectionEvent.Kind.RECONNECTED) {
                    reconnects.incrementAndGet();
                }
            });
            c.start();
            LeaderElection a = opened.add(LeaderElection.builder(c, "/on-lost")
                    .participantId("a")
                    .task(l -> TimeUnit.DAYS.sleep(1))
                    .onTaskStop(stops::add)
                    .build());
            a.start();
            assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();

            proxy.cut();

            await().atMost(Duration.ofSeconds(10)).until(() -> reconnects.get() == 1);
            assertThat(a.isLeader()).isTrue();
            assertThat(stops).isEmpty();
            a.close();
            assertThat(stops).extracting(TaskStop::reason).containsExactly(TaskStop.Reason.CLOSED);
        }
    }

    @Test
    void aSuspendGraceKeepsTheTaskRunningThroughABriefBlip() throws Exception {
        List<TaskStop> stops = new CopyOnWriteArrayList<>();
        AtomicInteger started = new AtomicInteger();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            // SUSPENDED comes at once on a cut; the client takes up to a second or so to reconnect.
            Coordinator c = opened.coordinator(proxy.connectString(), zk.namespace(), Duration.ofSeconds(12));
            LeaderElection a = opened.add(LeaderElection.builder(c, "/grace")
                    .participantId("a")
                    .suspendGrace(Duration.ofMillis(3500))
                    .task(l -> {
                        started.incrementAndGet();
                        TimeUnit.DAYS.sleep(1);
                    })
                    .onTaskStop(stops::add)
                    .build());
            a.start();
            assertThat(a.awaitLeadership(Duration.ofSeconds(10))).isTrue();
            AtomicInteger reconnects = new AtomicInteger();
            c.addListener(e -> {
                if (e.kind() == ConnectionEvent.Kind.RECONNECTED) {
                    reconnects.incrementAndGet();
                }
            });

            proxy.cut();

            await().atMost(Duration.ofSeconds(10)).until(() -> reconnects.get() == 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> stops.isEmpty());
            assertThat(a.isLeader()).isTrue();
            assertThat(started.get()).isEqualTo(1);

            proxy.refuse(); // now a loss longer than the grace: the task stops
            await().atMost(Duration.ofSeconds(10)).until(() -> !stops.isEmpty());
            assertThat(stops.get(0).reason()).isEqualTo(TaskStop.Reason.CONNECTION_SUSPENDED);
            assertThat(stops.get(0).ended()).isTrue();
            assertThat(a.isLeader()).isFalse();
            proxy.pass();
            assertThat(a.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            a.close();
        }
    }

    @Test
    void aScheduledTickStartsOnlyWhenTheServerHasJustConfirmedTheLeadership() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        List<TaskStop> stops = new CopyOnWriteArrayList<>();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            Coordinator c = connect(proxy.connectString());
            LeaderElection a = opened.add(LeaderElection.builder(c, "/confirmed")
                    .participantId("a")
                    .scheduledTask(Duration.ofMillis(20), l -> ticks.incrementAndGet())
                    .onTaskStop(stops::add)
                    .build());
            a.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 3);

            // Silence, as for a process cut off or frozen: no request is answered any more. The
            // client notices at about 2T/3 and the leader then steps down; until then the old belief
            // is all it has, and a tick must not start on it.
            proxy.blackhole();
            int atSilence = ticks.get();

            await().atMost(Duration.ofSeconds(15)).until(() -> !stops.isEmpty());
            assertThat(stops.get(0).reason()).isEqualTo(TaskStop.Reason.CONNECTION_SUSPENDED);
            // At most the one tick whose confirmation was answered just before the silence.
            assertThat(ticks.get() - atSilence).isLessThanOrEqualTo(1);

            proxy.pass();
            assertThat(a.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            int back = ticks.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= back + 3);
        }
    }
}
