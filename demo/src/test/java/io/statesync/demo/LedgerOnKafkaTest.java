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
package io.statesync.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.testkit.JvmProcess;
import io.statesync.testkit.KafkaBroker;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger node command with {@code --kafka}: its event log in a topic of a real Kafka broker
 * (KRaft, in this JVM), the nodes as processes of their own, ZooKeeper coordinating.
 */
@Timeout(180)
class LedgerOnKafkaTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.shared();

    private final List<JvmProcess> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        nodes.forEach(JvmProcess::close);
    }

    private JvmProcess node(String name, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "ledger",
                "--connect",
                zk.connectString(),
                "--namespace",
                zk.namespace(),
                "--node",
                name,
                "--kafka",
                kafka.bootstrapServers()));
        args.addAll(List.of(more));
        JvmProcess p = DemoProcess.start(name, args.toArray(String[]::new));
        nodes.add(p);
        return p;
    }

    @Test
    void aTransferAppendedToTheTopicByOneNodeIsAppliedByTheOthersAndReplayedByALateOne() throws Exception {
        JvmProcess k1 = node("k1");
        k1.awaitLine("k1 keeps the ledger in Kafka topic statesync.ledger at " + kafka.bootstrapServers());
        k1.awaitLine("k1 replayed the log: 0 events, balances {alice=100, bob=100, carol=100}", Duration.ofSeconds(60));
        k1.awaitLine("Type a transfer");
        k1.type("alice bob 10");
        k1.awaitLine("k1 appended alice -> bob 10 at position 0", Duration.ofSeconds(60));

        JvmProcess once = node("k2", "--append", "bob carol 25");
        assertThat(once.awaitExit(Duration.ofSeconds(60))).as(once.stderr()).isZero();
        assertThat(once.out()).anyMatch(l -> l.contains("k2 appended bob -> carol 25 at position 1"));
        k1.awaitLine("k1 applied up to: 2 events, balances {alice=90, bob=85, carol=125}", Duration.ofSeconds(60));

        JvmProcess late = node("k3");
        late.awaitLine("k3 replayed the log: 2 events, balances {alice=90, bob=85, carol=125}", Duration.ofSeconds(60));
    }
}
