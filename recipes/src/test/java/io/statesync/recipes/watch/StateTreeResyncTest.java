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
package io.statesync.recipes.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.Versioned;
import io.statesync.core.testing.HistoryChecker;
import io.statesync.core.testing.Recorder;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per key, what a tree's listener is told about the writes made while it was cut off. */
@Timeout(60)
class StateTreeResyncTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static Coordinator connect(String connectString) throws InterruptedException {
        return TestNodes.open(
                zk,
                connectString,
                b -> b.sessionTimeout(Duration.ofSeconds(20)).connectionTimeout(Duration.ofSeconds(1)));
    }

    @Test
    void eachKeyIsClassifiedByTheProofRule() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator writerC = connect(zk.connectString());
                Coordinator readerC = connect(proxy.connectString());
                StateTree<Long> writer =
                        StateTree.builder(writerC, "/t", Codec.longs()).build();
                StateTree<Long> reader =
                        StateTree.builder(readerC, "/t", Codec.longs()).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            for (String k : new String[] {"once", "thrice", "gone", "same", "reborn"}) {
                writer.put(k, 1L);
            }
            Recorder<Long> seen = new Recorder<>();
            reader.addListener(seen);
            reader.start();
            assertThat(reader.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 5);

            proxy.refuse();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.connections.stream().anyMatch(e -> e.kind() == ConnectionEvent.Kind.SUSPENDED));
            writer.put("once", 2L);
            writer.put("thrice", 2L);
            writer.put("thrice", 3L);
            writer.put("thrice", 4L);
            writer.remove("gone");
            writer.remove("reborn");
            writer.put("reborn", 2L);
            writer.put("new", 1L);
            proxy.pass();
            await().atMost(Duration.ofSeconds(20)).until(() -> reader.snapshot().equals(writer.snapshot()));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.changes.size() == 10);

            Map<String, StateChange<Long>> after = new HashMap<>();
            for (StateChange<Long> c : seen.changes.subList(5, seen.changes.size())) {
                assertThat(after.put(c.path(), c))
                        .as("one change per key for " + c.path())
                        .isNull();
            }
            assertThat(java.util.Objects.requireNonNull(after.get("/t/once"), "/t/once")
                            .kind())
                    .isEqualTo(ChangeKind.UPDATED);
            assertThat(java.util.Objects.requireNonNull(after.get("/t/thrice"), "/t/thrice")
                            .kind())
                    .isEqualTo(ChangeKind.RESYNCED);
            assertThat(java.util.Objects.requireNonNull(after.get("/t/thrice"), "/t/thrice")
                            .current()
                            .map(Versioned::value))
                    .contains(4L);
            assertThat(java.util.Objects.requireNonNull(after.get("/t/gone"), "/t/gone")
                            .kind())
                    .isEqualTo(ChangeKind.RESYNCED);
            assertThat(java.util.Objects.requireNonNull(after.get("/t/gone"), "/t/gone")
                            .current())
                    .isEmpty();
            assertThat(java.util.Objects.requireNonNull(after.get("/t/reborn"), "/t/reborn")
                            .kind())
                    .isEqualTo(ChangeKind.RESYNCED);
            assertThat(java.util.Objects.requireNonNull(after.get("/t/new"), "/t/new")
                            .kind())
                    .isEqualTo(ChangeKind.CREATED);
            assertThat(after).doesNotContainKey("/t/same");
            HistoryChecker.assertMonotonic(seen.changes);
        }
    }
}
