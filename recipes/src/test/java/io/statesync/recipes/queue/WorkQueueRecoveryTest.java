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
package io.statesync.recipes.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A take's pass of I/O runs against the take's own deadline (its timeout plus the stated 0.5 s
 * slack), not the retry policy: with a policy that waits 20 s between retries, takes made during
 * a black-holed outage leave no pass behind them, so a take once the network heals finds an item
 * offered meanwhile at once. The session (20 s) outlives the outage.
 */
@Timeout(120)
class WorkQueueRecoveryTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    @Test
    void takesDuringAnOutageLeaveNothingBehindThatDelaysATakeAfterItHeals() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator observer = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        WorkQueue<String> producer = probe.closeLater(
                WorkQueue.builder(observer, "/jobs", Codec.utf8()).build());
        producer.start();
        producer.offer("warm-up");

        Coordinator c = probe.slowRetrying(proxy.connectString(), zk.namespace(), b -> b);
        WorkQueue<String> consumer = probe.closeLater(WorkQueue.builder(c, "/jobs", Codec.utf8())
                .operationTimeout(Duration.ofSeconds(2))
                .build());
        consumer.start();
        consumer.take(Duration.ofSeconds(10)).orElseThrow().ack();

        proxy.blackhole();
        // Takes caught by the outage before the client notices it (2/3 of the session timeout).
        for (int i = 0; i < 3; i++) {
            assertThat(consumer.take(Duration.ofMillis(500))).isEmpty();
        }
        await().atMost(Duration.ofSeconds(40)).until(() -> !c.isConnected());
        proxy.pass();
        c.awaitConnected(Duration.ofSeconds(20));
        producer.offer("after");
        long t0 = System.nanoTime();
        Optional<Claim<String>> after = consumer.take(Duration.ofSeconds(8));
        assertThat(after).hasValueSatisfying(claim -> assertThat(claim.value()).isEqualTo("after"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(8_000);
        after.get().ack();
    }
}
