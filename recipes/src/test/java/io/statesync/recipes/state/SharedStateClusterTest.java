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

import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.Versioned;
import io.statesync.core.testing.HistoryChecker;
import io.statesync.core.testing.Recorder;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** No going back across failover between the servers of a three-server cluster. */
@Timeout(120)
class SharedStateClusterTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.cluster(3);

    private static final String PATH = "/burst/value";

    @Test
    void noGoingBackWhenTheListenersServerDies() throws Exception {
        HistoryChecker.ServerHistory<Long> history = new HistoryChecker.ServerHistory<>();
        Recorder<Long> recorded = new Recorder<>();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Coordinator writerC =
                        SharedStateFaultTest.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                Coordinator readerC =
                        SharedStateFaultTest.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(20));
                SharedState<Long> writer =
                        SharedState.builder(writerC, PATH, Codec.longs(), -1L).build();
                SharedState<Long> reader =
                        SharedState.builder(readerC, PATH, Codec.longs(), -1L).build()) {
            writer.start();
            assertThat(writer.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            history.stored(PATH, writer.read().orElseThrow());
            reader.addListener(recorded);
            reader.start();
            assertThat(reader.awaitInitialized(Duration.ofSeconds(10))).isTrue();
            Future<Integer> writes = SharedStateFaultTest.burst(pool, writer, history, running);
            await().atMost(Duration.ofSeconds(20)).until(() -> recorded.changes.size() > 30);

            InstanceSpec victim = zk.connectedServer(
                    readerC.curatorFramework().getZookeeperClient().getZooKeeper());
            zk.killServer(victim);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            recorded.connections.stream().anyMatch(e -> e.kind() == ConnectionEvent.Kind.RECONNECTED));
            int before = recorded.changes.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> recorded.changes.size() > before + 30);
            zk.restartServer(victim);
            running.set(false);
            writes.get(30, TimeUnit.SECONDS);

            Optional<Versioned<Long>> server = writer.read();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> recorded.last(PATH).equals(server));
            assertThat(reader.read()).isEqualTo(server);
            HistoryChecker.assertConsistent(recorded.changes, history, true);
        } finally {
            running.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
