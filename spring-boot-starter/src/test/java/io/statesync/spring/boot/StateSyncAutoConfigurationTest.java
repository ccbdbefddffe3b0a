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
package io.statesync.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.statesync.core.AclMode;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration in application contexts against a real ZooKeeper: properties, lifecycle, health, meters. */
class StateSyncAutoConfigurationTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StateSyncAutoConfiguration.class))
                .withPropertyValues(
                        "statesync.connect-string=" + zk.connectString(),
                        "statesync.namespace=" + zk.namespace(),
                        "statesync.session-timeout=5s");
    }

    @Test
    @Timeout(60)
    void propertiesBindToTheCoordinator() {
        runner().withPropertyValues(
                        "statesync.session-timeout=4s",
                        "statesync.connection-timeout=2s",
                        "statesync.operation-timeout=1500ms",
                        "statesync.health-down-after=7s",
                        "statesync.retry.base-sleep=20ms",
                        "statesync.retry.max-sleep=400ms",
                        "statesync.retry.max-retries=3",
                        "statesync.digest.user=billing",
                        "statesync.digest.password=secret",
                        "statesync.acl-mode=creator-only",
                        "statesync.max-value-bytes=5000")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Coordinator c = context.getBean(Coordinator.class);
                    assertThat(c.connectString()).isEqualTo(zk.connectString());
                    assertThat(c.namespace()).isEqualTo(zk.namespace());
                    assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(c.operationTimeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(c.retry().baseSleep()).isEqualTo(Duration.ofMillis(20));
                    assertThat(c.retry().maxSleep()).isEqualTo(Duration.ofMillis(400));
                    assertThat(c.retry().maxRetries()).isEqualTo(3);
                    assertThat(c.aclMode()).isEqualTo(AclMode.CREATOR_ONLY);
                    assertThat(c.maxValueBytes()).isEqualTo(5000);
                    assertThat(c.health().details()).containsEntry("healthDownAfterMs", 7000L);
                    // Started by the context's lifecycle: it connects.
                    c.awaitConnected(Duration.ofSeconds(20));
                });
    }

    @Test
    @Timeout(60)
    void aSessionTimeoutUnderTenSecondsNeedsNoConnectionTimeout() {
        runner().withPropertyValues("statesync.session-timeout=2s").run(context -> {
            assertThat(context).hasNotFailed();
            context.getBean(Coordinator.class).awaitConnected(Duration.ofSeconds(20));
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @Timeout(60)
    @CsvSource(
            delimiter = '|',
            value = {
                "statesync.session-timeout|500ms|statesync.session-timeout",
                "statesync.connection-timeout|6s|statesync.connection-timeout",
                "statesync.operation-timeout|2h|statesync.operation-timeout",
                "statesync.health-down-after|10ms|statesync.health-down-after",
                "statesync.namespace|/orders|statesync.namespace",
                "statesync.retry.base-sleep|0ms|statesync.retry.base-sleep",
                "statesync.retry.max-sleep|10ms|statesync.retry.max-sleep",
                "statesync.retry.max-retries|30|statesync.retry.max-retries",
                "statesync.acl-mode|creator-only|statesync.acl-mode",
                "statesync.digest.user|bill:ing|statesync.digest.password",
                "statesync.max-value-bytes|0|statesync.max-value-bytes",
                "statesync.connect-string|localhost|statesync.connect-string",
                "statesync.connect-string|''|statesync.connect-string",
            })
    void aBadPropertyFailsStartupNamingIt(String property, String value, String named) {
        Set<Long> before = Threads.clientThreads();
        ApplicationContextRunner r = runner().withPropertyValues(property + "=" + value);
        if (property.equals("statesync.digest.user")) {
            // a user with ':' is refused; the password must be there for it to be looked at
            r = runner().withPropertyValues("statesync.digest.user=" + value, "statesync.digest.password=p");
            named = "statesync.digest.user";
        }
        String expected = named;
        r.run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof InvalidConfigurationPropertyValueException)) {
                failure = failure.getCause();
            }
            assertThat(failure)
                    .as("the startup failure names the property")
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class);
            InvalidConfigurationPropertyValueException invalid =
                    (InvalidConfigurationPropertyValueException) Objects.requireNonNull(failure);
            assertThat(invalid.getName()).isEqualTo(expected);
            assertThat(invalid.getMessage()).contains(expected);
        });
        assertThat(Threads.newClientThreads(before)).isEmpty();
    }

    /** Connects, leaves an ephemeral znode of its session behind, then fails the startup. */
    @Configuration(proxyBeanMethods = false)
    static class FailingAfterConnecting {
        @Bean
        SmartLifecycle failing(Coordinator coordinator) {
            return new SmartLifecycle() {
                @Override
                public void start() {
                    try {
                        coordinator.awaitConnected(Duration.ofSeconds(20));
                        coordinator
                                .curatorFramework()
                                .create()
                                .withMode(CreateMode.EPHEMERAL)
                                .forPath("/failed-startup");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    throw new IllegalStateException("this application fails to start");
                }

                @Override
                public void stop() {}

                @Override
                public boolean isRunning() {
                    return false;
                }

                @Override
                public int getPhase() {
                    return StateSyncAutoConfiguration.RECIPE_PHASE;
                }
            };
        }
    }

    @Test
    @Timeout(60)
    void aFailedStartupLeaksNoThreadAndNoSession() throws Exception {
        try (Coordinator observer = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .build()) {
            observer.start();
            observer.awaitConnected(Duration.ofSeconds(20));
            Set<Long> before = Threads.clientThreads();
            runner().withUserConfiguration(FailingAfterConnecting.class).run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).hasStackTraceContaining("this application fails to start");
            });
            // The znode existed (the failure came after it), and its session ended with the context.
            assertThat(observer.curatorFramework().checkExists().forPath("/failed-startup"))
                    .as("the failed context's session is closed, its ephemeral znode gone")
                    .isNull();
            await().atMost(20, TimeUnit.SECONDS)
                    .untilAsserted(
                            () -> assertThat(Threads.newClientThreads(before)).isEmpty());
        }
    }

    /** A recipe declared as a bean, as an application would: it records the coordinator's state when closed. */
    static final class RecipeBean implements AutoCloseable, SmartLifecycle {
        static final List<LifecycleState> COORDINATOR_AT_CLOSE = new CopyOnWriteArrayList<>();
        private final Coordinator coordinator;
        final LeaderElection election;
        private volatile boolean running;

        RecipeBean(Coordinator coordinator) {
            this.coordinator = coordinator;
            this.election = LeaderElection.builder(coordinator, "/recipe-bean").build();
        }

        @Override
        public void start() {
            election.start();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return StateSyncAutoConfiguration.RECIPE_PHASE;
        }

        @Override
        public void close() {
            COORDINATOR_AT_CLOSE.add(coordinator.state());
            election.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithRecipeBean {
        @Bean
        RecipeBean recipeBean(Coordinator coordinator) {
            return new RecipeBean(coordinator);
        }
    }

    @Test
    @Timeout(60)
    void aRecipeBeanIsClosedBeforeTheCoordinator() throws Exception {
        RecipeBean.COORDINATOR_AT_CLOSE.clear();
        try (Coordinator observer = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .build()) {
            observer.start();
            observer.awaitConnected(Duration.ofSeconds(20));
            runner().withUserConfiguration(WithRecipeBean.class).run(context -> {
                RecipeBean recipe = context.getBean(RecipeBean.class);
                assertThat(recipe.election.awaitLeadership(Duration.ofSeconds(20)))
                        .isTrue();
            });
            assertThat(RecipeBean.COORDINATOR_AT_CLOSE)
                    .as("the recipe was closed while its coordinator was still open")
                    .containsExactly(LifecycleState.STARTED);
            assertThat(observer.curatorFramework().getChildren().forPath("/recipe-bean"))
                    .isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void healthIsUpWhenConnectedDegradedStaysUpAndClosedIsDown() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            HealthIndicator[] kept = new HealthIndicator[1];
            runner().withPropertyValues(
                            "statesync.connect-string=" + proxy.connectString(),
                            "statesync.session-timeout=4s",
                            "statesync.health-down-after=60s")
                    .run(context -> {
                        HealthIndicator indicator = context.getBean("statesyncHealthIndicator", HealthIndicator.class);
                        kept[0] = indicator;
                        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
                            Health h = Objects.requireNonNull(indicator.health());
                            assertThat(h.getStatus()).isEqualTo(Status.UP);
                            assertThat(h.getDetails()).containsEntry("statesync", "UP");
                        });
                        // A blip: the connection is gone, the session may live; DEGRADED, still UP.
                        proxy.refuse();
                        proxy.cut();
                        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
                            Health h = Objects.requireNonNull(indicator.health());
                            assertThat(h.getDetails()).containsEntry("statesync", "DEGRADED");
                            assertThat(h.getStatus()).isEqualTo(Status.UP);
                        });
                        proxy.pass();
                        await().atMost(20, TimeUnit.SECONDS)
                                .untilAsserted(() -> assertThat(Objects.requireNonNull(indicator.health())
                                                .getDetails())
                                        .containsEntry("statesync", "UP"));
                    });
            Health closed = Objects.requireNonNull(kept[0].health());
            assertThat(closed.getStatus()).isEqualTo(Status.DOWN);
            assertThat(closed.getDetails()).containsEntry("statesync", "DOWN");
        }
    }

    @Test
    @Timeout(90)
    void behindABlackHoledConnectionHealthIsDegradedAndUpThenDownAfterHealthDownAfter() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            runner().withPropertyValues(
                            "statesync.connect-string=" + proxy.connectString(),
                            "statesync.session-timeout=3s",
                            "statesync.health-down-after=8s")
                    .run(context -> {
                        HealthIndicator indicator = context.getBean("statesyncHealthIndicator", HealthIndicator.class);
                        await().atMost(20, TimeUnit.SECONDS)
                                .untilAsserted(() -> assertThat(Objects.requireNonNull(indicator.health())
                                                .getDetails())
                                        .containsEntry("statesync", "UP"));
                        // A silent partition: noticed at about 2T/3 (SUSPENDED), DEGRADED and still UP...
                        proxy.blackhole();
                        await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                            Health h = Objects.requireNonNull(indicator.health());
                            assertThat(h.getDetails()).containsEntry("statesync", "DEGRADED");
                            assertThat(h.getStatus()).isEqualTo(Status.UP);
                        });
                        // ... DOWN once without a connection for longer than health-down-after ...
                        await().atMost(40, TimeUnit.SECONDS).untilAsserted(() -> {
                            Health h = Objects.requireNonNull(indicator.health());
                            assertThat(h.getStatus()).isEqualTo(Status.DOWN);
                            assertThat(h.getDetails()).containsEntry("statesync", "DOWN");
                        });
                        // ... and UP again when the network heals (with a new session).
                        proxy.pass();
                        await().atMost(40, TimeUnit.SECONDS)
                                .untilAsserted(() -> assertThat(Objects.requireNonNull(indicator.health())
                                                .getStatus())
                                        .isEqualTo(Status.UP));
                    });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithRegistry {
        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    @Timeout(60)
    void theMetersAreBoundAndRemovedWhenTheContextCloses() {
        MeterRegistry[] kept = new MeterRegistry[1];
        runner().withUserConfiguration(WithRegistry.class).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            kept[0] = registry;
            await().atMost(20, TimeUnit.SECONDS)
                    .untilAsserted(() -> assertThat(registry.get("statesync.connection.connected")
                                    .tag("namespace", zk.namespace())
                                    .gauge()
                                    .value())
                            .isEqualTo(1.0));
        });
        assertThat(kept[0].find("statesync.connection.connected").gauge()).isNull();
        assertThat(kept[0].find("statesync.health").gauges()).isEmpty();
    }

    @Test
    @Timeout(60)
    void statesyncEnabledFalseConfiguresNothing() {
        runner().withPropertyValues("statesync.enabled=false", "statesync.connect-string=")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(Coordinator.class);
                });
    }
}
