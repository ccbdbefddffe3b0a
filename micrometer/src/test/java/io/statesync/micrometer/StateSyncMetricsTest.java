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
package io.statesync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The coordinator's meters move under the faults that should move them, on a real server. */
@Timeout(120)
class StateSyncMetricsTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator started(Duration sessionTimeout) throws InterruptedException {
        Coordinator c = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .sessionTimeout(sessionTimeout)
                .build();
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    private static double gauge(MeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).gauge().value();
    }

    private static double count(MeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).counter().count();
    }

    @Test
    void aConnectedCoordinatorIsUpWithOneSessionAndItsGrantedTimeout() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Coordinator c = started(Duration.ofSeconds(10));
                StateSyncMetrics metrics = new StateSyncMetrics(c, Tags.of("service", "orders"))) {
            metrics.bindTo(registry);
            assertThat(gauge(registry, StateSyncMetrics.CONNECTED)).isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gauge(registry, StateSyncMetrics.HEALTH, "status", "UP") == 1.0);
            assertThat(gauge(registry, StateSyncMetrics.HEALTH, "status", "DOWN"))
                    .isZero();
            assertThat(registry.get(StateSyncMetrics.SESSION_TIMEOUT)
                            .timeGauge()
                            .value(TimeUnit.MILLISECONDS))
                    .isEqualTo((double) c.negotiatedSessionTimeout().toMillis());
            assertThat(registry.get(StateSyncMetrics.CONNECTED)
                            .tags("namespace", zk.namespace(), "service", "orders")
                            .gauge())
                    .as("every meter carries the namespace and the given tags")
                    .isNotNull();
        }
    }

    @Test
    void aServerOutageIsCountedTimedAndShownAsDegraded() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Coordinator c = started(Duration.ofSeconds(30));
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            metrics.bindTo(registry);
            zk.stopServer();
            try {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> count(registry, StateSyncMetrics.EVENTS, "kind", "SUSPENDED") == 1.0);
                assertThat(gauge(registry, StateSyncMetrics.CONNECTED)).isZero();
                assertThat(gauge(registry, StateSyncMetrics.HEALTH, "status", "DEGRADED"))
                        .isEqualTo(1.0);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> registry.get(StateSyncMetrics.DISCONNECTED_NOW)
                                        .timeGauge()
                                        .value(TimeUnit.MILLISECONDS)
                                > 0);
            } finally {
                zk.restartServer();
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            registry.get(StateSyncMetrics.DISCONNECTED).timer().count() == 1);
            assertThat(registry.get(StateSyncMetrics.DISCONNECTED).timer().totalTime(TimeUnit.NANOSECONDS))
                    .isPositive();
            assertThat(registry.get(StateSyncMetrics.DISCONNECTED_NOW)
                            .timeGauge()
                            .value(TimeUnit.SECONDS))
                    .isZero();
            assertThat(gauge(registry, StateSyncMetrics.CONNECTED)).isEqualTo(1.0);
            assertThat(count(registry, StateSyncMetrics.SESSIONS_LOST))
                    .as("the session outlived the outage")
                    .isZero();
            assertThat(count(registry, StateSyncMetrics.EVENTS, "kind", "RECONNECTED"))
                    .isEqualTo(1.0);
        }
    }

    @Test
    void recipesAreCountedByTheirHealthStatus() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Coordinator c = started(Duration.ofSeconds(30));
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            metrics.bindTo(registry);
            assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "UP"))
                    .isZero();
            try (SharedState<String> serving = SharedState.builder(c, "/flags", Codec.utf8(), "off")
                            .build();
                    SharedState<String> notStarted = SharedState.builder(c, "/other", Codec.utf8(), "off")
                            .build()) {
                serving.start();
                assertThat(serving.awaitInitialized(Duration.ofSeconds(10))).isTrue();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> gauge(registry, StateSyncMetrics.RECIPES, "status", "UP") == 1.0);
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "DOWN"))
                        .as("built, not started")
                        .isEqualTo(1.0);
                notStarted.close();
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "DOWN"))
                        .as("a closed recipe is not counted")
                        .isZero();
                zk.stopServer();
                try {
                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> gauge(registry, StateSyncMetrics.RECIPES, "status", "DEGRADED") == 1.0);
                    assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "UP"))
                            .isZero();
                } finally {
                    zk.restartServer();
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> gauge(registry, StateSyncMetrics.RECIPES, "status", "UP") == 1.0);
            }
        }
    }

    @Test
    void theGaugesOfOneScrapeShareOneReadingAndAGaugeReadAgainGetsAFreshOne() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .ticker(now::get)
                        .build();
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            metrics.bindTo(registry);
            SharedState<String> first =
                    SharedState.builder(c, "/first", Codec.utf8(), "off").build();
            SharedState<String> second =
                    SharedState.builder(c, "/second", Codec.utf8(), "off").build();
            try {
                // built, not started: both DOWN
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "UP"))
                        .isZero();
                second.close();
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "DOWN"))
                        .as("another gauge of the same scrape: the same reading, both recipes")
                        .isEqualTo(2.0);
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "DOWN"))
                        .as("the same gauge read again: a fresh reading, without the closed recipe")
                        .isEqualTo(1.0);
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "UP"))
                        .isZero();
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "UP"))
                        .isZero();
                first.close();
                now.addAndGet(Duration.ofMillis(StateSyncMetrics.READING_MAX_AGE_MILLIS + 1)
                        .toNanos());
                assertThat(gauge(registry, StateSyncMetrics.RECIPES, "status", "DOWN"))
                        .as("a reading older than the maximum age on the ticker is not reused")
                        .isZero();
            } finally {
                first.close();
                second.close();
            }
        }
    }

    @Test
    void aSessionExpiryCountsALostAndANewSessionAndTimesTheReconnect() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        // Bound before the coordinator starts, so that its first session is counted too.
        try (Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .sessionTimeout(Duration.ofSeconds(10))
                        .build();
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            metrics.bindTo(registry);
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> count(registry, StateSyncMetrics.SESSIONS_ESTABLISHED) == 1.0);
            long before = c.sessionId();
            Faults.expireSession(
                    c.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            registry.get(StateSyncMetrics.RECONNECT).timer().count() == 1);
            assertThat(c.sessionId()).isNotEqualTo(before);
            assertThat(count(registry, StateSyncMetrics.SESSIONS_LOST)).isEqualTo(1.0);
            assertThat(count(registry, StateSyncMetrics.EVENTS, "kind", "LOST")).isEqualTo(1.0);
            assertThat(count(registry, StateSyncMetrics.SESSIONS_ESTABLISHED))
                    .as("the first session and the one after the expiry")
                    .isEqualTo(2.0);
        }
    }

    @Test
    void closingRemovesEveryMeterAndStopsCounting() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Coordinator c = started(Duration.ofSeconds(10))) {
            StateSyncMetrics metrics = new StateSyncMetrics(c);
            metrics.bindTo(registry);
            assertThat(registry.getMeters()).isNotEmpty();
            metrics.close();
            assertThat(registry.getMeters()).isEmpty();
            metrics.close(); // idempotent
            assertThatThrownBy(() -> metrics.bindTo(registry))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}
