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
package io.statesync.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.recipes.leader.Leadership;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/** {@code @LeaderOnly} in real applications (SpringApplication, so with the ready event) against a real ZooKeeper. */
class LeaderOnlyTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** One run of a leader-only method: which node, which method, under which epoch, when. */
    record Run(String node, String job, long epoch, long startNanos, long endNanos) {}

    static final List<Run> RUNS = new CopyOnWriteArrayList<>();
    static final List<LeadershipChangedEvent> EVENTS = new CopyOnWriteArrayList<>();
    static final List<Long> READY_AT = new CopyOnWriteArrayList<>();

    @AfterEach
    void clear() {
        RUNS.clear();
        EVENTS.clear();
        READY_AT.clear();
    }

    /** The jobs: one per kind of trigger, each its own election. */
    static class Jobs {
        private final String node;

        Jobs(@Value("${test.node}") String node) {
            this.node = node;
        }

        @Scheduled(fixedDelay = 50)
        @LeaderOnly("billing")
        void billing(Leadership leadership) {
            long start = System.nanoTime();
            RUNS.add(new Run(node, "billing", leadership.epoch(), start, System.nanoTime()));
        }

        @Scheduled(fixedRate = 100)
        @LeaderOnly("reports")
        void reports() {
            long now = System.nanoTime();
            RUNS.add(new Run(node, "reports", -1, now, now));
        }

        @Scheduled(cron = "* * * * * *")
        @LeaderOnly("cleanup")
        void cleanup(Leadership leadership) {
            long now = System.nanoTime();
            RUNS.add(new Run(node, "cleanup", leadership.epoch(), now, now));
        }

        @EventListener
        void onLeadership(LeadershipChangedEvent event) {
            EVENTS.add(event);
        }

        @EventListener
        void onReady(ApplicationReadyEvent event) {
            READY_AT.add(System.nanoTime());
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    @Import(Jobs.class)
    static class App {}

    private ConfigurableApplicationContext start(String node, Class<?>... sources) {
        return new SpringApplicationBuilder(sources.length == 0 ? new Class<?>[] {App.class} : sources)
                .web(WebApplicationType.NONE)
                .properties(
                        // A shutdown phase that waits for a running leader-only method would take this long.
                        "spring.lifecycle.timeout-per-shutdown-phase=60s",
                        "test.node=" + node,
                        "spring.application.name=leader-only-test",
                        "statesync.connect-string=" + zk.connectString(),
                        "statesync.namespace=" + zk.namespace(),
                        "statesync.session-timeout=5s",
                        "statesync.leader-only.stop-timeout=2s")
                .run();
    }

    private static List<Run> runs(String node, String job) {
        return RUNS.stream()
                .filter(r -> r.node().equals(node) && r.job().equals(job))
                .toList();
    }

    @Test
    @Timeout(120)
    void exactlyOneOfTwoContextsRunsEachJobAndTheOtherTakesOverWithAHigherEpoch() {
        ConfigurableApplicationContext a = start("a");
        ConfigurableApplicationContext b = start("b");
        try {
            // a was ready first and joined first: it leads every election; b runs nothing.
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                assertThat(runs("a", "billing")).hasSizeGreaterThan(5);
                assertThat(runs("a", "reports")).hasSizeGreaterThan(5);
                assertThat(runs("a", "cleanup")).isNotEmpty();
            });
            int seen = RUNS.size();
            await().atMost(30, TimeUnit.SECONDS).until(() -> RUNS.size() > seen + 20);
            assertThat(RUNS).allSatisfy(run -> assertThat(run.node()).isEqualTo("a"));
            long epochA = runs("a", "billing").get(0).epoch();
            assertThat(runs("a", "billing"))
                    .allSatisfy(run -> assertThat(run.epoch()).isEqualTo(epochA));
            assertThat(EVENTS).anySatisfy(e -> {
                assertThat(e.name()).isEqualTo("billing");
                assertThat(e.path()).isEqualTo("/leader-only/billing");
                assertThat(e.isLeader()).isTrue();
                assertThat(e.leadership().orElseThrow().epoch()).isEqualTo(epochA);
            });
            assertThat(EVENTS)
                    .filteredOn(e -> e.getSource() == b.getBean(LeaderOnlyElections.class))
                    .allSatisfy(e -> assertThat(e.isLeader()).isFalse());

            a.close();
            long lastOfA =
                    runs("a", "billing").stream().mapToLong(Run::endNanos).max().orElseThrow();

            // b takes over every job, with a higher epoch, after a's last run ended.
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                assertThat(runs("b", "billing")).isNotEmpty();
                assertThat(runs("b", "reports")).isNotEmpty();
                assertThat(runs("b", "cleanup")).isNotEmpty();
            });
            Run firstOfB = runs("b", "billing").get(0);
            assertThat(firstOfB.epoch()).isGreaterThan(epochA);
            assertThat(firstOfB.startNanos()).isGreaterThan(lastOfA);
            assertThat(runs("b", "cleanup").get(0).epoch())
                    .isGreaterThan(runs("a", "cleanup").get(0).epoch());
            await().atMost(30, TimeUnit.SECONDS)
                    .untilAsserted(() -> assertThat(EVENTS).anySatisfy(e -> {
                        assertThat(e.getSource()).isSameAs(b.getBean(LeaderOnlyElections.class));
                        assertThat(e.name()).isEqualTo("billing");
                        assertThat(e.isLeader()).isTrue();
                        assertThat(e.leadership().orElseThrow().epoch()).isEqualTo(firstOfB.epoch());
                    }));
        } finally {
            a.close();
            b.close();
        }
    }

    /** An application whose startup waits, in a runner, until the scheduler has ticked plenty. */
    static class SlowStart {
        static final AtomicInteger TICKS = new AtomicInteger();
        static final CountDownLatch TICKED = new CountDownLatch(10);
        static volatile int leaderOnlyRunsDuringStartup = -1;

        @Scheduled(fixedDelay = 20)
        void unguarded() {
            TICKS.incrementAndGet();
            TICKED.countDown();
        }

        @Bean
        ApplicationRunner waitForTheScheduler(Coordinator coordinator) {
            return args -> {
                // The coordinator is connected and the scheduler runs every method: a leader-only
                // method that ignored readiness would run now.
                coordinator.awaitConnected(Duration.ofSeconds(20));
                assertThat(TICKED.await(30, TimeUnit.SECONDS)).isTrue();
                await().atMost(30, TimeUnit.SECONDS).until(() -> TICKS.get() > 40);
                leaderOnlyRunsDuringStartup = RUNS.size();
            };
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    @Import({Jobs.class, SlowStart.class})
    static class SlowApp {}

    @Test
    @Timeout(120)
    void nothingRunsBeforeTheApplicationIsReady() {
        try (ConfigurableApplicationContext app = start("a", SlowApp.class)) {
            assertThat(SlowStart.leaderOnlyRunsDuringStartup).isZero();
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> runs("a", "billing").size() > 3);
            assertThat(READY_AT).hasSize(1);
            assertThat(RUNS).allSatisfy(run -> assertThat(run.startNanos()).isGreaterThan(READY_AT.get(0)));
            assertThat(app.getBean(Coordinator.class).isConnected()).isTrue();
        }
    }

    @Test
    @Timeout(120)
    void aContextStoppedAndStartedAgainRejoinsItsElections() {
        // What Spring's test-context cache does to a cached context (pause, then restart), and
        // what ConfigurableApplicationContext.stop()/start() do: lifecycle stop, then start.
        try (ConfigurableApplicationContext a = start("a")) {
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> runs("a", "billing").size() > 3);
            long firstEpoch = runs("a", "billing").get(0).epoch();
            a.stop();
            int runsWhileStopped = runs("a", "billing").size();
            a.start();
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> runs("a", "billing").size() > runsWhileStopped + 3);
            List<Run> again = runs("a", "billing")
                    .subList(runsWhileStopped, runs("a", "billing").size());
            assertThat(again)
                    .as("the runs after the restart are under a new leadership")
                    .allSatisfy(r -> assertThat(r.epoch()).isGreaterThan(firstEpoch));
        }
    }

    @Test
    @Timeout(120)
    void closingTheContextLeavesNoThreadAndNoEphemeralZnode() throws Exception {
        try (Coordinator observer = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .build()) {
            observer.start();
            observer.awaitConnected(Duration.ofSeconds(20));
            Set<Long> before = Threads.clientThreads();
            ConfigurableApplicationContext app = start("a");
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> runs("a", "billing").size() > 3);
            assertThat(observer.curatorFramework().getChildren().forPath("/leader-only/billing"))
                    .hasSize(1);
            app.close();
            for (String job : List.of("billing", "reports", "cleanup")) {
                assertThat(observer.curatorFramework().getChildren().forPath("/leader-only/" + job))
                        .as("no participant znode of %s is left", job)
                        .isEmpty();
            }
            await().atMost(20, TimeUnit.SECONDS)
                    .untilAsserted(
                            () -> assertThat(Threads.newClientThreads(before)).isEmpty());
            int runsAtClose = RUNS.size();
            assertThat(RUNS).hasSize(runsAtClose);
        }
    }

    @Test
    @Timeout(120)
    void whenTheLeadersSessionExpiresTheOtherContextTakesOverWithAHigherEpoch() throws Exception {
        ConfigurableApplicationContext a = start("a");
        ConfigurableApplicationContext b = start("b");
        try {
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> runs("a", "billing").size() > 3);
            long epochA = runs("a", "billing").get(0).epoch();
            Coordinator coordinatorOfA = a.getBean(Coordinator.class);
            Faults.expireSession(
                    coordinatorOfA.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(20));

            // b takes over (after its takeover delay: a vanished without a clean hand-over).
            await().atMost(60, TimeUnit.SECONDS)
                    .until(() -> !runs("b", "billing").isEmpty());
            Run firstOfB = runs("b", "billing").get(0);
            assertThat(firstOfB.epoch()).isGreaterThan(epochA);
            // a stopped when it heard of the loss, before b started; a, back with a new session, is
            // in line behind b and runs nothing while b leads.
            assertThat(runs("a", "billing"))
                    .allSatisfy(run -> assertThat(run.endNanos()).isLessThan(firstOfB.startNanos()));
            int runsOfB = runs("b", "billing").size();
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> runs("b", "billing").size() > runsOfB + 5);
            assertThat(runs("a", "billing"))
                    .allSatisfy(run -> assertThat(run.epoch()).isEqualTo(epochA));
        } finally {
            a.close();
            b.close();
        }
    }

    /** A job that runs until it is interrupted, then takes a while to wind down. */
    static class LongJob {
        private final String node;

        LongJob(@Value("${test.node}") String node) {
            this.node = node;
        }

        @Scheduled(fixedDelay = 20)
        @LeaderOnly("long")
        void work(Leadership leadership) {
            long start = System.nanoTime();
            try {
                new CountDownLatch(1).await(); // until leadership ends
            } catch (InterruptedException stopped) {
                // Winding down: the work a real job finishes after its interrupt (flushing, closing).
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < until) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
            RUNS.add(new Run(node, "long", leadership.epoch(), start, System.nanoTime()));
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    @Import(LongJob.class)
    static class LongJobApp {}

    @Test
    @Timeout(120)
    void theHandOverWaitsForTheRunningMethodToReturn() {
        ConfigurableApplicationContext a = start("a", LongJobApp.class);
        ConfigurableApplicationContext b = start("b", LongJobApp.class);
        try {
            LeaderGate gateOfA = a.getBean(LeaderOnlyElections.class).existing("long");
            await().atMost(30, TimeUnit.SECONDS).until(() -> gateOfA.election().isLeader());
            long closing = System.nanoTime();
            a.close(); // interrupts a's run, which winds down for 500 ms before returning
            assertThat(Duration.ofNanos(System.nanoTime() - closing))
                    .as("leadership ends before the scheduler waits for its running tasks (60 s per phase)")
                    .isLessThan(Duration.ofSeconds(30));
            await().atMost(30, TimeUnit.SECONDS).until(() -> !runs("a", "long").isEmpty());
            Run ofA = runs("a", "long").get(0);
            LeaderGate gateOfB = b.getBean(LeaderOnlyElections.class).existing("long");
            await().atMost(30, TimeUnit.SECONDS).until(() -> gateOfB.election().isLeader());
            b.close();
            await().atMost(30, TimeUnit.SECONDS).until(() -> !runs("b", "long").isEmpty());
            Run ofB = runs("b", "long").get(0);
            assertThat(ofB.epoch()).isGreaterThan(ofA.epoch());
            assertThat(ofB.startNanos())
                    .as("b's run starts only after a's returned")
                    .isGreaterThan(ofA.endNanos());
        } finally {
            a.close();
            b.close();
        }
    }

    /** A job that runs until it is interrupted, recording when it started and when it was interrupted. */
    static class UntilInterruptedJob {
        static final List<Run> STARTS = new CopyOnWriteArrayList<>();
        static final List<Run> INTERRUPTED = new CopyOnWriteArrayList<>();
        private final String node;

        UntilInterruptedJob(@Value("${test.node}") String node) {
            this.node = node;
        }

        @Scheduled(fixedDelay = 20)
        @LeaderOnly("partitioned")
        void work(Leadership leadership) {
            long start = System.nanoTime();
            STARTS.add(new Run(node, "partitioned", leadership.epoch(), start, start));
            try {
                new CountDownLatch(1).await(); // until leadership ends
            } catch (InterruptedException stopped) {
                long interruptedAt = System.nanoTime();
                INTERRUPTED.add(new Run(node, "partitioned", leadership.epoch(), start, interruptedAt));
            }
            RUNS.add(new Run(node, "partitioned", leadership.epoch(), start, System.nanoTime()));
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    @Import(UntilInterruptedJob.class)
    static class UntilInterruptedApp {}

    private static ConfigurableApplicationContext startPartitionable(String node, String connectString) {
        return new SpringApplicationBuilder(UntilInterruptedApp.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.lifecycle.timeout-per-shutdown-phase=60s",
                        "test.node=" + node,
                        "statesync.connect-string=" + connectString,
                        "statesync.namespace=" + zk.namespace(),
                        "statesync.session-timeout=3s",
                        "statesync.leader-only.stop-timeout=2s",
                        // Under a third of the session timeout (1 s): leads on through SUSPENDED this long.
                        "statesync.leader-only.suspend-grace=900ms",
                        // Far above the default (stop timeout + T/3 = 3 s), to be seen below.
                        "statesync.leader-only.takeover-delay=10s")
                .run();
    }

    @Test
    @Timeout(180)
    void behindABlackHoledConnectionTheRunningJobIsInterruptedAndReturnsBeforeTheOtherContextsFirstRun()
            throws Exception {
        UntilInterruptedJob.STARTS.clear();
        UntilInterruptedJob.INTERRUPTED.clear();
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            ConfigurableApplicationContext a = startPartitionable("a", proxy.connectString());
            ConfigurableApplicationContext b = null;
            try {
                List<Long> suspendedHeardByA = new CopyOnWriteArrayList<>();
                a.getBean(Coordinator.class).addListener(event -> {
                    if (event.kind() == ConnectionEvent.Kind.SUSPENDED) {
                        suspendedHeardByA.add(System.nanoTime());
                    }
                });
                await().atMost(30, TimeUnit.SECONDS).until(() -> !UntilInterruptedJob.STARTS.isEmpty());
                Run runOfA = UntilInterruptedJob.STARTS.get(0);
                assertThat(runOfA.node()).isEqualTo("a");
                b = startPartitionable("b", zk.connectString());
                LeaderGate gateOfB = b.getBean(LeaderOnlyElections.class).existing("partitioned");
                await().atMost(30, TimeUnit.SECONDS)
                        .until(() -> gateOfB.election().state() == LifecycleState.STARTED);

                // A silent partition between a and ZooKeeper while a's job runs: a hears nothing
                // until its client times out (SUSPENDED at about 2T/3); the server expires a's
                // session at about T, and b, seeing a vanish without a hand-over, waits its
                // takeover delay before it leads.
                long partitioned = System.nanoTime();
                proxy.blackhole();

                await().atMost(60, TimeUnit.SECONDS)
                        .until(() -> UntilInterruptedJob.STARTS.stream()
                                .anyMatch(r -> r.node().equals("b")));
                Run firstOfB = UntilInterruptedJob.STARTS.stream()
                        .filter(r -> r.node().equals("b"))
                        .findFirst()
                        .orElseThrow();
                // a's job was interrupted and returned before b's first run, and b leads with a higher epoch.
                assertThat(UntilInterruptedJob.INTERRUPTED)
                        .as("a's running job was interrupted")
                        .anySatisfy(r -> assertThat(r.node()).isEqualTo("a"));
                assertThat(runs("a", "partitioned"))
                        .as("a's job returned before b's first run started")
                        .singleElement()
                        .satisfies(r -> assertThat(r.endNanos()).isLessThan(firstOfB.startNanos()));
                assertThat(firstOfB.epoch()).isGreaterThan(runOfA.epoch());
                assertThat(UntilInterruptedJob.STARTS)
                        .filteredOn(r -> r.node().equals("a"))
                        .as("a started nothing more while partitioned")
                        .containsExactly(runOfA);

                // statesync.leader-only.suspend-grace reached a's election: without it a leader
                // gives up on the SUSPENDED event itself, before the coordinator's listeners hear it.
                assertThat(suspendedHeardByA).isNotEmpty();
                Run interruptOfA = UntilInterruptedJob.INTERRUPTED.get(0);
                assertThat(interruptOfA.endNanos())
                        .as("a's job is interrupted after the grace, not on SUSPENDED")
                        .isGreaterThan(suspendedHeardByA.get(0));
                // statesync.leader-only.takeover-delay reached b's election: b waited 10 s after a
                // vanished (the default would be about 3 s), so its first run is at least 10 s after
                // the partition began.
                assertThat(Duration.ofNanos(firstOfB.startNanos() - partitioned))
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(10));
            } finally {
                proxy.pass(); // let a close cleanly
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void theHealthIndicatorIsInTheReadinessGroupAndNotInTheLivenessGroup() {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "test.node=a",
                        "statesync.connect-string=" + zk.connectString(),
                        "statesync.namespace=" + zk.namespace(),
                        "management.endpoints.jmx.exposure.include=health",
                        "spring.jmx.enabled=true")
                .run()) {
            HealthEndpointGroups groups = app.getBean(HealthEndpointGroups.class);
            HealthEndpointGroup readiness = Objects.requireNonNull(groups.get("readiness"), "readiness group");
            HealthEndpointGroup liveness = Objects.requireNonNull(groups.get("liveness"), "liveness group");
            assertThat(readiness.isMember("statesync")).isTrue();
            assertThat(readiness.isMember("readinessState")).isTrue();
            assertThat(liveness.isMember("statesync")).isFalse();
            assertThat(liveness.isMember("livenessState")).isTrue();
        }
    }
}
