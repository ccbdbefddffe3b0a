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
package io.statesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Health.Status;
import io.statesync.core.testing.FakeTicker;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Coordinator#health()}: a blip is DEGRADED, a long outage DOWN, and back UP with the connection. */
@Timeout(120)
class CoordinatorHealthTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator.Builder builder() {
        return Coordinator.builder(zk.connectString()).namespace(zk.namespace());
    }

    @Test
    void notStartedAndClosedAreDownAndConnectedIsUp() throws Exception {
        Coordinator c = builder().build();
        assertThat(c.health().status()).isEqualTo(Status.DOWN);
        assertThat(c.health().reason()).contains("not started");
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> c.health().status() == Status.UP);
        Health up = c.health();
        assertThat(up.isServing()).isTrue();
        assertThat(up.details())
                .containsEntry("sessionId", "0x" + Long.toHexString(c.sessionId()))
                .containsEntry("connection", "CONNECTED")
                .containsEntry("sessionTimeoutMs", c.negotiatedSessionTimeout().toMillis())
                .containsEntry("connectString", zk.connectString());
        // A connected client hears from the server at least every third of the session timeout.
        assertThat((Long) up.details().get("serverSilentMs"))
                .isBetween(0L, c.negotiatedSessionTimeout().toMillis() * 2 / 3);
        c.close();
        assertThat(c.health().status()).isEqualTo(Status.DOWN);
        assertThat(c.health().reason()).contains("closed");
    }

    @Test
    void anOutageIsDegradedUntilHealthDownAfterThenDownAndUpAgainWhenTheServerIsBack() throws Exception {
        Duration downAfter = Duration.ofSeconds(3);
        try (Coordinator c = builder()
                .sessionTimeout(Duration.ofSeconds(30))
                .healthDownAfter(downAfter)
                .build()) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.health().status() == Status.UP);
            List<Health> seen = new CopyOnWriteArrayList<>();
            zk.stopServer();
            try {
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            Health h = c.health();
                            seen.add(h);
                            return h.status() == Status.DOWN;
                        });
                Health firstDegraded = seen.stream()
                        .filter(h -> h.status() == Status.DEGRADED)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("never DEGRADED before DOWN: " + seen));
                assertThat(firstDegraded.isServing()).isTrue();
                assertThat(firstDegraded.reason()).contains("suspended");
                Health down = seen.get(seen.size() - 1);
                assertThat(down.isServing()).isFalse();
                assertThat((Long) down.details().get("disconnectedMs"))
                        .as("DOWN only once the disconnection is longer than healthDownAfter")
                        .isGreaterThan(downAfter.toMillis());
                assertThat(down.reason()).contains("healthDownAfter");
            } finally {
                zk.restartServer();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> c.health().status() == Status.UP);
            assertThat(c.health().details()).doesNotContainKey("disconnectedMs");
        }
    }

    @Test
    void aSessionExpiryIsDegradedNotDown() throws Exception {
        List<Health> atEvents = new CopyOnWriteArrayList<>();
        try (Coordinator c = builder().sessionTimeout(Duration.ofSeconds(10)).build()) {
            c.addListener(e -> atEvents.add(c.health()), Runnable::run);
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            long lost = c.sessionId();
            Faults.expireSession(
                    c.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.health().status() == Status.UP && c.sessionId() != lost);
            assertThat(atEvents)
                    .as("health seen at each connection event")
                    .anySatisfy(h -> {
                        assertThat(h.details()).containsEntry("connection", "LOST");
                        assertThat(h.status()).isEqualTo(Status.DEGRADED);
                        assertThat(h.reason()).contains("session lost");
                    })
                    .noneSatisfy(h -> assertThat(h.status()).isEqualTo(Status.DOWN));
        }
    }

    @Test
    void aCoordinatorThatNeverConnectedIsDown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        try (Coordinator c = Coordinator.builder("127.0.0.1:" + port)
                .sessionTimeout(Duration.ofSeconds(2))
                .build()) {
            c.start();
            Health h = c.health();
            assertThat(h.status()).isEqualTo(Status.DOWN);
            assertThat(h.reason()).contains("not connected").contains("127.0.0.1:" + port);
            assertThat(h.details()).containsEntry("connection", "NONE");
        }
    }

    @Test
    void downAfterIsMeasuredOnTheCoordinatorsTicker() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Duration downAfter = Duration.ofMinutes(30);
        try (Coordinator c = builder()
                .sessionTimeout(Duration.ofSeconds(30))
                .healthDownAfter(downAfter)
                .ticker(ticker)
                .build()) {
            assertThat(c.ticker()).isSameAs(ticker);
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.health().status() == Status.UP);
            zk.stopServer();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> c.health().status() == Status.DEGRADED);
                ticker.advance(downAfter.minusSeconds(1));
                assertThat(c.health().status())
                        .as("half an hour of outage on the ticker, one second short of healthDownAfter")
                        .isEqualTo(Status.DEGRADED);
                ticker.advance(Duration.ofSeconds(2));
                Health down = c.health();
                assertThat(down.status()).isEqualTo(Status.DOWN);
                assertThat((Long) down.details().get("disconnectedMs")).isGreaterThan(downAfter.toMillis());
            } finally {
                zk.restartServer();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> c.health().status() == Status.UP);
        }
    }

    @Test
    void tickerIsSetOnce() {
        assertThatThrownBy(() -> builder().ticker(new FakeTicker()).ticker(new FakeTicker()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ticker");
        try (Coordinator c = builder().build()) {
            long before = System.nanoTime();
            long read = c.ticker().read();
            assertThat(read).as("the default ticker is System.nanoTime()").isBetween(before, System.nanoTime());
        }
    }

    @Test
    void healthDownAfterIsCheckedAndSetOnce() {
        assertThatThrownBy(
                        () -> builder().healthDownAfter(Duration.ofMillis(500)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("healthDownAfter")
                .hasMessageContaining("PT0.5S");
        assertThatThrownBy(
                        () -> builder().healthDownAfter(Duration.ofSeconds(5)).healthDownAfter(Duration.ofSeconds(6)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("healthDownAfter");
    }
}
