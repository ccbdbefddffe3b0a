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
package io.statesync.recipes.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of docs/eventlog.md: a small account ledger replayed on three nodes. */
@Timeout(60)
class LedgerExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** An event: money moves from one account to another. */
    public record Transfer(String from, String to, long amount) {}

    /** The state: every account's balance. Immutable; the reducer returns a new one. */
    public record Balances(Map<String, Long> accounts) {
        static final Balances EMPTY = new Balances(Map.of());

        Balances apply(Transfer t) {
            Map<String, Long> next = new TreeMap<>(accounts);
            next.merge(t.from(), -t.amount(), Long::sum);
            next.merge(t.to(), t.amount(), Long::sum);
            return new Balances(Map.copyOf(next));
        }
    }

    /** One node of the service. */
    static final class LedgerNode implements AutoCloseable {
        final EventLog<Transfer> log;
        final EventSourcedState<Balances, Transfer> balances;
        volatile Balances latest = Balances.EMPTY;

        LedgerNode(Coordinator coordinator) {
            log = EventLog.builder(coordinator, "/ledger", Codec.json(Transfer.class))
                    .build();
            log.start();
            balances = EventSourcedState.builder(log, Balances.EMPTY, Balances::apply)
                    .snapshots(Codec.json(Balances.class), 1_000) // any node may write one
                    .build();
            balances.addListener(change -> {
                // e.g. refresh a local read model; here, remember the latest state seen
                latest = change.current().get().value();
            });
            balances.start();
        }

        long transfer(String from, String to, long amount) throws InterruptedException {
            return log.append(new Transfer(from, to, amount));
        }

        @Override
        public void close() {
            balances.close();
            log.close();
        }
    }

    @Test
    void threeNodesReplayTheSameLedger() throws Exception {
        List<Coordinator> coordinators = new ArrayList<>();
        List<LedgerNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                c.start();
                c.awaitConnected(Duration.ofSeconds(10));
                coordinators.add(c);
                nodes.add(new LedgerNode(c));
            }
            nodes.get(0).transfer("bank", "alice", 100);
            nodes.get(1).transfer("alice", "bob", 30);
            long last = nodes.get(2).transfer("bob", "carol", 10);

            for (LedgerNode node : nodes) {
                assertThat(node.balances.awaitPosition(last + 1, Duration.ofSeconds(20)))
                        .isTrue();
                assertThat(node.balances.current().value().accounts())
                        .isEqualTo(Map.of("bank", -100L, "alice", 70L, "bob", 20L, "carol", 10L));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> node.latest.equals(node.balances.current().value()));
            }
        } finally {
            nodes.forEach(LedgerNode::close);
            coordinators.forEach(Coordinator::close);
        }
    }
}
