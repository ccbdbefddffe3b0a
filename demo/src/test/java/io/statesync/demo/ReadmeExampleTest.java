package io.statesync.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's example, compiled and run: a service using SharedState and the singleton-task hook. */
@Timeout(60)
class ReadmeExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    // README example: begin
    /** One node of a service: applies the shared rate limit; runs the report on exactly one node. */
    static final class OrderService implements AutoCloseable {
        final AtomicLong rateLimit = new AtomicLong();
        final AtomicLong reportsRun = new AtomicLong();
        private final Coordinator coordinator;
        private final SharedState<Long> limit;
        private final LeaderElection report;

        OrderService(String zookeeper, String nodeId) throws InterruptedException {
            coordinator = Coordinator.builder(zookeeper).namespace("orders").build();
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(10));
            limit = SharedState.builder(coordinator, "/config/rate-limit", Codec.longs(), 100L)
                    .build();
            limit.addListener(change -> change.current().ifPresent(v -> rateLimit.set(v.value())));
            limit.start();
            report = LeaderElection.builder(coordinator, "/jobs/report")
                    .participantId(nodeId)
                    .scheduledTask(Duration.ofMinutes(1), leadership -> reportsRun.incrementAndGet())
                    .build(); // runs only on the leader; stopped before any other node's starts
            report.start();
        }

        void setRateLimit(long value) throws InterruptedException {
            limit.set(value); // every node's listener applies it
        }

        @Override
        public void close() {
            report.close();
            limit.close();
            coordinator.close();
        }
    }
    // README example: end

    @Test
    void theRateLimitReachesEveryNodeAndTheReportRunsOnOneNodeThenMovesOnClose() throws Exception {
        try (OrderService a = new OrderService(zk.connectString(), "a");
                OrderService b = new OrderService(zk.connectString(), "b")) {
            a.setRateLimit(250);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.rateLimit.get() == 250 && b.rateLimit.get() == 250);

            await().atMost(Duration.ofSeconds(20)).until(() -> a.reportsRun.get() + b.reportsRun.get() == 1);
            OrderService leader = a.reportsRun.get() == 1 ? a : b;
            OrderService follower = leader == a ? b : a;
            assertThat(follower.reportsRun.get()).isZero();

            leader.close(); // a clean handover: the other node runs the report at once
            await().atMost(Duration.ofSeconds(20)).until(() -> follower.reportsRun.get() == 1);
        }
    }
}
