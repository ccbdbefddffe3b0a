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
package io.statesync.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka log on a cluster of three brokers (a topic replicated three times, two in sync required):
 * the partition's leader broker is shut down twice under the appends, so the partition changes
 * leader twice, and every acknowledged append is still on every reader exactly once, in one order.
 */
@Tag("slow") // about 80 s: run with -Dstatesync.excludedGroups=none
@Timeout(300)
class KafkaMultiBrokerTest {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMultiBrokerTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "statesync.multi-broker.log";

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static KafkaClusterTestKit cluster;
    /** One admin client for the class, asked who leads the partition while a new leader is awaited. */
    private static Admin admin;

    private final TestNodes nodes = new TestNodes(zk);

    @BeforeAll
    static void startCluster() throws Exception {
        TestKitNodes layout = new TestKitNodes.Builder()
                .setCombined(false)
                .setNumBrokerNodes(3)
                .setNumControllerNodes(1)
                .build();
        cluster = new KafkaClusterTestKit.Builder(layout)
                .setConfigProp("default.replication.factor", "3")
                .setConfigProp("min.insync.replicas", "2")
                .setConfigProp("offsets.topic.replication.factor", "3")
                .setConfigProp("transaction.state.log.replication.factor", "3")
                .setConfigProp("transaction.state.log.min.isr", "2")
                .setConfigProp("unclean.leader.election.enable", "false")
                .setConfigProp("num.partitions", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void closeNodes() throws Exception {
        nodes.close();
    }

    private KafkaEventLog<String> open(Coordinator node) {
        KafkaEventLog<String> log = nodes.closeLater(KafkaEventLog.builder(node, "/multi", Codec.utf8())
                .bootstrapServers(cluster.bootstrapServers())
                .topic(TOPIC)
                .replicationFactor(3)
                // Sends fail within seconds of the leader going away, so the log's own resend (a new
                // producer, the same writer id and sequence) also gets its turn.
                .clientProperties(Map.of(
                        "delivery.timeout.ms", 5_000,
                        "request.timeout.ms", 2_000,
                        "reconnect.backoff.max.ms", 500))
                .appendTimeout(Duration.ofSeconds(60))
                .build());
        log.log().start();
        return log;
    }

    /** The broker that leads the topic's one partition now. */
    private static int partitionLeader() throws Exception {
        TopicDescription topic = Objects.requireNonNull(admin.describeTopics(List.of(TOPIC))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(TOPIC));
        return topic.partitions().get(0).leader().id();
    }

    @Test
    void everyAcknowledgedAppendIsOnEveryReaderOnceThroughTwoLeaderChangesOfThePartition() throws Exception {
        Coordinator a = nodes.connect(zk.connectString(), b -> b.connectionTimeout(Duration.ofSeconds(5)));
        Coordinator b = nodes.connect(zk.connectString(), c -> c.connectionTimeout(Duration.ofSeconds(5)));
        KafkaEventLog<String> logA = open(a);
        KafkaEventLog<String> logB = open(b);
        List<List<LogEvent<String>>> seen = new ArrayList<>();
        for (KafkaEventLog<String> log : List.of(logA, logB)) {
            List<LogEvent<String>> events = new CopyOnWriteArrayList<>();
            EventSubscription<String> sub = log.log()
                    .subscribe(
                            0,
                            change -> events.add(change.current().orElseThrow().value()));
            nodes.closeLater(sub);
            seen.add(events);
        }

        AppendHistory history = new AppendHistory();
        int writers = 4;
        int phases = 3;
        int perPhase = 15;
        CyclicBarrier barrier = new CyclicBarrier(writers + 1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Integer> leaders = new ArrayList<>();
        try {
            List<Future<?>> running = history.phasedWriters(
                    pool, List.of(logA.log(), logB.log()), writers, phases, perPhase, barrier, Duration.ofSeconds(200));
            barrier.await(60, TimeUnit.SECONDS); // phase 0: no fault
            for (int change = 0; change < phases - 1; change++) {
                barrier.await(200, TimeUnit.SECONDS); // the next phase starts; its partition leader goes
                int leader = partitionLeader();
                leaders.add(leader);
                BrokerServer broker = Objects.requireNonNull(cluster.brokers().get(leader));
                long t0 = System.nanoTime();
                broker.shutdown();
                broker.awaitShutdown();
                await().atMost(WAIT).until(() -> partitionLeader() != leader);
                LOG.info(
                        "partition leader {} shut down, {} leads after {} ms",
                        leader,
                        partitionLeader(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                broker.startup();
                cluster.waitForReadyBrokers();
            }
            for (Future<?> f : running) {
                f.get(200, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(leaders).as("the partition's leaders shut down").hasSize(phases - 1);
        assertThat(history.acknowledgedCount()).isGreaterThan(0);
        history.checkReaders(seen, WAIT);
        // A replay from position 0 reads the same events as the subscriptions.
        assertThat(logB.log().read(0, 10_000)).hasSameSizeAs(seen.get(0));
        LOG.info(
                "appends acknowledged: {}, in doubt: {}; leaders shut down: {}",
                history.acknowledgedCount(),
                history.inDoubtCount(),
                leaders);
    }
}
