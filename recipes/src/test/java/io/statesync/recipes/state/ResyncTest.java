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
package io.statesync.recipes.state;

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
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a listener is told about the writes it could not watch: the proof rule after a connection
 * gap. The direct successor is UPDATED; anything it cannot account for is RESYNCED, never silent.
 */
@Timeout(60)
class ResyncTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/gap/value";

    private interface Gap {
        void during(SharedState<Long> writer) throws Exception;
    }

    private StateChange<Long> afterGap(boolean expire, Gap gap) throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString());
                Coordinator writerC =
                        SharedStateFaultTest.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                Coordinator readerC =
                        SharedStateFaultTest.connect(proxy.connectString(), zk.namespace(), Duration.ofSeconds(20));
                SharedState<Long> writer =
                        SharedState.builder(writerC, PATH, Codec.longs(), 0L).build();
                SharedState<Long> reader =
                        SharedState.builder(readerC, PATH, Codec.longs(), 0L).build()) {
            Recorder<Long> seen = new Recorder<>();
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            reader.addListener(seen);
            reader.start();
            assertThat(reader.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            writer.set(1L);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.lastValue(PATH).equals(Optional.of(1L)));
            int before = seen.changes.size();

            proxy.refuse();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seen.connections.stream().anyMatch(e -> e.kind() == ConnectionEvent.Kind.SUSPENDED));
            if (expire) {
                Faults.expireSession(
                        readerC.curatorFramework().getZookeeperClient().getZooKeeper(),
                        zk.connectString(),
                        Duration.ofSeconds(5));
            }
            gap.during(writer);
            Optional<Versioned<Long>> server = writer.read();
            proxy.pass();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.last(PATH).equals(server));
            assertThat(seen.changes).hasSize(before + 1);
            HistoryChecker.assertMonotonic(seen.changes);
            return seen.changes.get(before);
        }
    }

    @Test
    void oneWriteDuringAGapIsTheProvableSuccessor() throws Exception {
        StateChange<Long> c = afterGap(false, w -> w.set(2L));
        assertThat(c.kind()).isEqualTo(ChangeKind.UPDATED);
        assertThat(c.current().map(Versioned::value)).contains(2L);
    }

    @Test
    void severalWritesDuringAGapAreResynced() throws Exception {
        StateChange<Long> c = afterGap(false, w -> {
            w.set(2L);
            w.set(3L);
            w.set(4L);
        });
        assertThat(c.kind()).isEqualTo(ChangeKind.RESYNCED);
        assertThat(c.previous().map(Versioned::value)).contains(1L);
        assertThat(c.current().map(Versioned::value)).contains(4L);
    }

    @Test
    void deletedAndRecreatedDuringAGapIsResynced() throws Exception {
        StateChange<Long> c = afterGap(false, w -> {
            w.delete();
            w.set(2L);
        });
        assertThat(c.kind()).isEqualTo(ChangeKind.RESYNCED);
        assertThat(c.current().orElseThrow().czxid())
                .isGreaterThan(c.previous().orElseThrow().czxid());
    }

    @Test
    void deletedDuringAGapIsResyncedWithNoCurrentValue() throws Exception {
        StateChange<Long> c = afterGap(false, SharedState::delete);
        assertThat(c.kind()).isEqualTo(ChangeKind.RESYNCED);
        assertThat(c.current()).isEmpty();
    }

    @Test
    void writesWhileTheSessionExpiredAreResyncedOnTheNewSession() throws Exception {
        StateChange<Long> c = afterGap(true, w -> {
            w.set(2L);
            w.set(3L);
        });
        assertThat(c.kind()).isEqualTo(ChangeKind.RESYNCED);
        assertThat(c.current().map(Versioned::value)).contains(3L);
    }
}
