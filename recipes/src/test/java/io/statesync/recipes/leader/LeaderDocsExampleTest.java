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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.NotLeaderException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The example of {@code docs/leader.md}, compiled and run. */
@Timeout(60)
class LeaderDocsExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    // --- docs/leader.md example begins
    /** A job that must run on exactly one node of the service. */
    static final class BillingJob implements AutoCloseable {
        private static final Logger log = LoggerFactory.getLogger(BillingJob.class);
        private final Coordinator coordinator;
        private final LeaderElection election;
        final AtomicLong runs = new AtomicLong();

        BillingJob(Coordinator coordinator, String nodeId) {
            this.coordinator = coordinator;
            this.election = LeaderElection.builder(coordinator, "/jobs/billing")
                    .participantId(nodeId)
                    .metadata("http://" + nodeId + ":8080")
                    .scheduledTask(Duration.ofMillis(100), this::runOnce) // only on the leader
                    .stopTimeout(Duration.ofSeconds(2))
                    .onTaskStop(stop -> log.info("billing stopped: {}", stop))
                    .build();
            election.addListener(change -> change.current()
                    .ifPresent(leader -> log.info(
                            "billing leader is {} (epoch {})",
                            leader.value().leaderId(),
                            leader.value().epoch())));
        }

        void start() {
            election.start();
        }

        private void runOnce(Leadership leadership) throws Exception {
            // ... the job's work, fenced with leadership.epoch() ...
            byte[] done = Long.toString(leadership.epoch()).getBytes(StandardCharsets.UTF_8);
            // Lands only while this node still leads; a deposed leader gets NotLeaderException.
            election.write(GuardedWrite.of().setData("/jobs/billing", done, -1));
            runs.incrementAndGet();
        }

        @Override
        public void close() {
            election.close(); // stops the task, then hands leadership over at once
        }
    }
    // --- docs/leader.md example ends

    @Test
    @SuppressWarnings("try") // closes one job early on purpose
    void theExampleRunsItsJobOnlyOnTheLeader() throws Exception {
        try (Coordinator c1 = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                Coordinator c2 = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build()) {
            c1.start();
            c2.start();
            try (BillingJob one = new BillingJob(c1, "node-1");
                    BillingJob two = new BillingJob(c2, "node-2")) {
                one.start();
                assertThat(one.election.awaitLeadership(Duration.ofSeconds(10))).isTrue();
                two.start();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> one.runs.get() >= 3);
                assertThat(two.runs.get()).isZero();
                one.close();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> two.runs.get() >= 3);
            }
        }
    }

    // --- docs/leader.md guarded-write example begins
    /**
     * Publishes a report and moves the "latest" pointer in one multi that lands only while this node
     * leads: returns {@code false} if it no longer does (nothing was written).
     */
    static boolean publish(LeaderElection election, long epoch, byte[] report, int latestVersion)
            throws InterruptedException {
        try {
            election.write(GuardedWrite.of()
                    .create("/reports/" + epoch, report) // a persistent znode
                    .setData("/reports/latest", Long.toString(epoch).getBytes(StandardCharsets.UTF_8), latestVersion));
            return true;
        } catch (NotLeaderException deposed) {
            return false; // not the leader, deposed, or its session expired: nothing landed
        }
    }
    // --- docs/leader.md guarded-write example ends

    @Test
    void theGuardedWriteExampleLandsOnlyOnTheLeader() throws Exception {
        try (Coordinator c1 = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                Coordinator c2 = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build()) {
            c1.start();
            c2.start();
            c1.awaitConnected(Duration.ofSeconds(10));
            c2.awaitConnected(Duration.ofSeconds(10));
            Nodes.create(c1, "/reports/latest", new byte[0], CreateMode.PERSISTENT);
            try (LeaderElection one = LeaderElection.builder(c1, "/jobs/reports")
                            .participantId("one")
                            .build();
                    LeaderElection two = LeaderElection.builder(c2, "/jobs/reports")
                            .participantId("two")
                            .build()) {
                one.start();
                assertThat(one.awaitLeadership(Duration.ofSeconds(10))).isTrue();
                two.start();
                long epoch = one.leadership().orElseThrow().epoch();
                byte[] report = "report".getBytes(StandardCharsets.UTF_8);
                assertThat(publish(two, epoch + 1, report, 0)).isFalse();
                assertThat(publish(one, epoch, report, 0)).isTrue();
                assertThat(Nodes.read(c2, "/reports/" + epoch).orElseThrow().value())
                        .isEqualTo(report);
                assertThat(Nodes.read(c2, "/reports/" + (epoch + 1))).isEmpty();
            }
        }
    }
}
