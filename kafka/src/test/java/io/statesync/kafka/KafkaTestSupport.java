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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.KafkaBroker;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the Kafka tests share: a ZooKeeper server per test class (started before its first test,
 * stopped after its last; the module's test classes run one after another), the test JVM's one
 * Kafka broker, and the test's nodes, closed in reverse order after each test.
 */
abstract class KafkaTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.shared();

    /** The test's coordinators and whatever it closes after the test. */
    final TestNodes nodes = new TestNodes(zk);

    @AfterEach
    final void closeNodes() throws Exception {
        nodes.close();
    }

    /** A connected coordinator in the test's namespace, connection timeout 5 s; closed after the test. */
    Coordinator node() throws InterruptedException {
        return node(b -> b);
    }

    /** As {@link #node()}, with the test's own settings on top. */
    Coordinator node(UnaryOperator<Coordinator.Builder> settings) throws InterruptedException {
        return nodes.connect(zk.connectString(), b -> settings.apply(b.connectionTimeout(Duration.ofSeconds(5))));
    }

    /**
     * A Kafka log's builder on the broker, its topic named after the test's namespace and the path
     * ({@code /a/b} in namespace {@code ns}: {@code statesync.ns.a.b}).
     */
    static <T> KafkaEventLog.Builder<T> kafkaLog(Coordinator node, String path, Codec<T> codec) {
        return KafkaEventLog.builder(node, path, codec)
                .bootstrapServers(kafka.bootstrapServers())
                .topic("statesync." + zk.namespace() + path.replace('/', '.'));
    }

    /** Builds the log and starts it; it is closed after the test. */
    <T> KafkaEventLog<T> started(KafkaEventLog.Builder<T> builder) {
        KafkaEventLog<T> log = nodes.closeLater(builder.build());
        log.log().start();
        return log;
    }
}
