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
package io.statesync.testkit;

import java.time.Duration;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka broker in KRaft mode (a combined broker and controller, Kafka's own test kit, no
 * container), started once per test JVM by the first test class that registers it and stopped when
 * the JVM's tests are done. Register it as a static extension:
 *
 * <pre>
 * {@literal @}RegisterExtension
 * static final KafkaBroker kafka = KafkaBroker.shared();
 * </pre>
 *
 * <p>Needs {@code org.apache.kafka:kafka-test-common-runtime} on the test class path (an optional
 * dependency of the test kit: a module that uses this class declares it, test-scoped).
 */
public final class KafkaBroker implements BeforeAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Object LOCK = new Object();
    private static volatile @Nullable Running running;

    /** The running cluster, closed by JUnit when the root context closes. */
    private static final class Running implements AutoCloseable {
        final KafkaClusterTestKit cluster;
        final Duration startTime;

        Running(KafkaClusterTestKit cluster, Duration startTime) {
            this.cluster = cluster;
            this.startTime = startTime;
        }

        @Override
        public void close() {
            try {
                cluster.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("stopping the embedded Kafka broker failed", e);
            }
        }
    }

    private KafkaBroker() {}

    /**
     * The extension: every instance refers to the one broker of the test JVM.
     *
     * @return an extension to register with {@code @RegisterExtension}
     */
    public static KafkaBroker shared() {
        return new KafkaBroker();
    }

    /**
     * Starts the broker unless this test JVM's broker is running.
     *
     * @param context JUnit's context: the broker is stopped when its root closes
     * @throws Exception if the broker cannot be formatted or started
     */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (LOCK) {
            if (running != null) {
                return;
            }
            long t0 = System.nanoTime();
            KafkaClusterTestKit cluster = startOne();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info(
                    "embedded Kafka broker (KRaft, combined) ready at {} in {} ms",
                    cluster.bootstrapServers(),
                    took.toMillis());
            Running r = new Running(cluster, took);
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(KafkaBroker.class, r);
            running = r;
        }
    }

    /**
     * Formats and starts one combined broker and controller (KRaft) with single-replica internal
     * topics and one partition per topic, and waits until it serves. The caller closes it. The shared
     * broker of {@link #shared()} is one of these; the benchmark starts one in a process of its own.
     *
     * @return the running cluster of one broker
     * @throws Exception if the broker cannot be formatted or started
     */
    public static KafkaClusterTestKit startOne() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "1")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * The broker's address.
     *
     * @return {@code host:port}, for {@code bootstrap.servers}
     * @throws IllegalStateException if the extension was not registered (the broker never started)
     */
    public String bootstrapServers() {
        return started().cluster.bootstrapServers();
    }

    private static Running started() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException(
                    "the Kafka broker is not started: register KafkaBroker as a static extension");
        }
        return r;
    }

    /**
     * Stops the broker (its controller keeps running), waits the pause, and starts it again on the
     * same address; returns once it serves again.
     *
     * @param pause how long the broker stays down
     * @throws Exception if the broker cannot be started again, or the wait is interrupted
     * @throws IllegalStateException if the extension was not registered
     */
    public void restartBroker(Duration pause) throws Exception {
        KafkaClusterTestKit cluster = started().cluster;
        kafka.server.BrokerServer broker = cluster.brokers().values().iterator().next();
        broker.shutdown();
        Thread.sleep(pause.toMillis()); // the outage itself, not a synchronisation
        broker.startup();
        cluster.waitForReadyBrokers();
    }

    /**
     * How long the broker took to start (formatting, start-up, ready).
     *
     * @return the start-up time
     * @throws IllegalStateException if the extension was not registered
     */
    public Duration startTime() {
        return started().startTime;
    }
}
