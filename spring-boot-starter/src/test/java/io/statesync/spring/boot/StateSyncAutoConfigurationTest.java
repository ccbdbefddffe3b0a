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
import io.micrometer.observation.ObservationRegistry;
import io.statesync.core.AclMode;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.core.Recipe;
import io.statesync.micrometer.StateSyncObservations;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
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

    /** A readable file standing in for a key or trust store: core checks only that it can be read. */
    @TempDir
    static Path storeDir;

    private static Path readableStore(String name) throws IOException {
        Path file = storeDir.resolve(name);
        if (!Files.exists(file)) {
            Files.write(file, new byte[] {1, 2, 3});
        }
        return file;
    }

    @ParameterizedTest(name = "{0}={1} {3}")
    @Timeout(60)
    @CsvSource(
            delimiter = '|',
            value = {
                "statesync.session-timeout|500ms|statesync.session-timeout|",
                "statesync.connection-timeout|6s|statesync.connection-timeout|",
                "statesync.operation-timeout|2h|statesync.operation-timeout|",
                "statesync.health-down-after|10ms|statesync.health-down-after|",
                "statesync.namespace|/orders|statesync.namespace|",
                "statesync.retry.base-sleep|0ms|statesync.retry.base-sleep|",
                "statesync.retry.max-sleep|10ms|statesync.retry.max-sleep|",
                "statesync.retry.max-retries|30|statesync.retry.max-retries|",
                "statesync.acl-mode|creator-only|statesync.acl-mode|",
                "statesync.digest.user|bill:ing|statesync.digest.user|statesync.digest.password=p",
                "statesync.max-value-bytes|0|statesync.max-value-bytes|",
                "statesync.connect-string|localhost|statesync.connect-string|",
                "statesync.connect-string|''|statesync.connect-string|",
                "statesync.connection-loss-policy|on-blip|statesync.connection-loss-policy|",
                "statesync.tls.enabled|true|statesync.tls.trust-store|",
                "statesync.tls.trust-store|/no/such/truststore.p12|statesync.tls.trust-store|statesync.tls.enabled=true",
                "statesync.tls.store-type|PEM|statesync.tls.store-type|statesync.tls.enabled=true",
                "statesync.tls.key-store|/no/such/keystore.p12|statesync.tls.key-store|statesync.tls.enabled=true",
                "statesync.tls.key-store-password|secret|statesync.tls.key-store|statesync.tls.enabled=true",
                "statesync.leader-only.base-path|leader-only|statesync.leader-only.base-path|",
                "statesync.leader-only.stop-timeout|0s|statesync.leader-only.stop-timeout|",
                "statesync.leader-only.suspend-grace|-1s|statesync.leader-only.suspend-grace|",
                "statesync.leader-only.suspend-grace|2s|statesync.leader-only.suspend-grace|",
                "statesync.leader-only.takeover-delay|-1s|statesync.leader-only.takeover-delay|",
            })
    void aBadPropertyFailsStartupNamingIt(String property, String value, String named, @Nullable String alsoSet)
            throws IOException {
        Set<Long> before = Threads.clientThreads();
        List<String> properties = new ArrayList<>(List.of(property + "=" + value));
        if (alsoSet != null) {
            properties.add(alsoSet);
        }
        if (property.startsWith("statesync.tls.")
                && !property.equals("statesync.tls.trust-store")
                && !property.equals("statesync.tls.enabled")) {
            // Every other TLS property is looked at once the trust store is good.
            properties.add("statesync.tls.trust-store=" + readableStore("trust.p12"));
        }
        ApplicationContextRunner r = runner().withPropertyValues(properties.toArray(String[]::new));
        r.run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null
                    && !(failure instanceof InvalidConfigurationPropertyValueException)
                    && !(failure instanceof BindException)) {
                failure = failure.getCause();
            }
            assertThat(failure)
                    .as("the startup failure names the property: %s", context.getStartupFailure())
                    .isNotNull();
            if (failure instanceof BindException bind) {
                // A value Spring cannot convert at all (an unknown enum constant): Boot's binder names it.
                assertThat(Objects.requireNonNull(bind.getProperty()).getName().toString())
                        .isEqualTo(named);
            } else {
                InvalidConfigurationPropertyValueException invalid =
                        (InvalidConfigurationPropertyValueException) Objects.requireNonNull(failure);
                assertThat(invalid.getName()).isEqualTo(named);
                assertThat(invalid.getMessage()).contains(named);
                assertThat(invalid.getMessage()).doesNotContain("secret");
            }
        });
        assertThat(Threads.newClientThreads(before)).isEmpty();
    }

    @Test
    @Timeout(60)
    void theConnectionLossPolicyBindsToTheCoordinator() {
        runner().withPropertyValues("statesync.connection-loss-policy=on-lost").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Coordinator.class).connectionLossPolicy())
                    .isEqualTo(ConnectionLossPolicy.ON_LOST);
        });
        runner().run(context -> assertThat(context.getBean(Coordinator.class).connectionLossPolicy())
                .isEqualTo(ConnectionLossPolicy.ON_SUSPENDED));
    }

    @Test
    @Timeout(60)
    void tlsPropertiesReachTheCoordinatorsZooKeeperClient() throws Exception {
        Path trust = readableStore("trust.jks");
        Path key = readableStore("client.jks");
        runner().withPropertyValues(
                        "statesync.tls.enabled=true",
                        "statesync.tls.trust-store=" + trust,
                        "statesync.tls.trust-store-password=trust-secret",
                        "statesync.tls.key-store=" + key,
                        "statesync.tls.key-store-password=key-secret",
                        "statesync.tls.store-type=JKS",
                        "statesync.tls.hostname-verification=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    // The test server speaks plain TCP, so this client never connects; its ZooKeeper
                    // client is made at start with the TLS settings, which is what is checked here.
                    ZKClientConfig config = context.getBean(Coordinator.class)
                            .curatorFramework()
                            .getZookeeperClient()
                            .getZooKeeper()
                            .getClientConfig();
                    try (ClientX509Util x509 = new ClientX509Util()) {
                        assertThat(config.getProperty(ZKClientConfig.SECURE_CLIENT))
                                .isEqualTo("true");
                        assertThat(config.getProperty(x509.getSslTruststoreLocationProperty()))
                                .isEqualTo(trust.toString());
                        assertThat(config.getProperty(x509.getSslTruststorePasswdProperty()))
                                .isEqualTo("trust-secret");
                        assertThat(config.getProperty(x509.getSslKeystoreLocationProperty()))
                                .isEqualTo(key.toString());
                        assertThat(config.getProperty(x509.getSslKeystorePasswdProperty()))
                                .isEqualTo("key-secret");
                        assertThat(config.getProperty(x509.getSslTruststoreTypeProperty()))
                                .isEqualTo("JKS");
                        assertThat(config.getProperty(x509.getSslHostnameVerificationEnabledProperty()))
                                .isEqualTo("false");
                    }
                });
        // Without statesync.tls.enabled the stores are ignored: plain TCP, and it connects.
        runner().withPropertyValues("statesync.tls.trust-store=" + trust).run(context -> {
            Coordinator c = context.getBean(Coordinator.class);
            c.awaitConnected(Duration.ofSeconds(20));
            assertThat(c.curatorFramework()
                            .getZookeeperClient()
                            .getZooKeeper()
                            .getClientConfig()
                            .getProperty(ZKClientConfig.SECURE_CLIENT))
                    .isNotEqualTo("true");
        });
    }

    /** Counts the threads a factory made. */
    static final class CountingThreadFactory implements ThreadFactory {
        final AtomicInteger made = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            made.incrementAndGet();
            return new Thread(r);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithThreadFactories {
        @Bean
        @StateSyncThreadFactory
        CountingThreadFactory statesyncThreads() {
            return new CountingThreadFactory();
        }

        @Bean
        CountingThreadFactory otherThreads() {
            return new CountingThreadFactory();
        }
    }

    @Test
    @Timeout(60)
    void theStateSyncThreadFactoryBeanMakesTheCoordinatorsThreadsAndNoOtherDoes() {
        runner().withUserConfiguration(WithThreadFactories.class).run(context -> {
            assertThat(context).hasNotFailed();
            context.getBean(Coordinator.class).awaitConnected(Duration.ofSeconds(20));
            assertThat(context.getBean("statesyncThreads", CountingThreadFactory.class).made)
                    .as("the qualified factory made the coordinator's threads")
                    .hasPositiveValue();
            assertThat(context.getBean("otherThreads", CountingThreadFactory.class).made)
                    .as("an unqualified ThreadFactory bean is not used")
                    .hasValue(0);
        });
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

    @Configuration(proxyBeanMethods = false)
    static class WithPlainRecipeBeans {
        @Bean(destroyMethod = "close")
        LeaderElection notStarted(Coordinator coordinator) {
            return LeaderElection.builder(coordinator, "/not-started").build();
        }

        @Bean(destroyMethod = "close")
        SharedState<String> startedByTheApplication(Coordinator coordinator) {
            SharedState<String> state = SharedState.builder(coordinator, "/started-early", Codec.utf8(), "x")
                    .build();
            state.start();
            return state;
        }
    }

    @Test
    void startRecipesStartsEveryRecipeBeanNotYetStartedAndLeavesTheOthers() {
        runner().withPropertyValues("statesync.start-recipes=true")
                .withUserConfiguration(WithPlainRecipeBeans.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean("notStarted", Recipe.class).state())
                            .isEqualTo(LifecycleState.STARTED);
                    assertThat(context.getBean("startedByTheApplication", Recipe.class)
                                    .state())
                            .as("started once by the application, not started again")
                            .isEqualTo(LifecycleState.STARTED);
                });
    }

    /** An application's own recipe whose start fails. */
    static final class FailingRecipe implements Recipe {
        private volatile LifecycleState state = LifecycleState.LATENT;

        @Override
        public void start() {
            throw new IllegalStateException("this recipe cannot start");
        }

        @Override
        public LifecycleState state() {
            return state;
        }

        @Override
        public void close() {
            state = LifecycleState.CLOSED;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithFailingRecipe {
        @Bean
        FailingRecipe failing() {
            return new FailingRecipe();
        }

        @Bean(destroyMethod = "close")
        LeaderElection notStarted(Coordinator coordinator) {
            return LeaderElection.builder(coordinator, "/not-started-either").build();
        }
    }

    @Test
    void aRecipeBeanThatFailsToStartFailsTheStartupAndEverythingCloses() {
        Coordinator[] coordinator = new Coordinator[1];
        FailingRecipe[] failing = new FailingRecipe[1];
        runner().withPropertyValues("statesync.start-recipes=true")
                .withUserConfiguration(WithFailingRecipe.class)
                .withInitializer(context -> context.getBeanFactory()
                        .addBeanPostProcessor(new org.springframework.beans.factory.config.BeanPostProcessor() {
                            @Override
                            public Object postProcessAfterInitialization(Object bean, String name) {
                                if (bean instanceof Coordinator c) {
                                    coordinator[0] = c;
                                }
                                if (bean instanceof FailingRecipe f) {
                                    failing[0] = f;
                                }
                                return bean;
                            }
                        }))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("this recipe cannot start");
                });
        assertThat(failing[0].state())
                .as("the failed recipe's bean was destroyed")
                .isEqualTo(LifecycleState.CLOSED);
        assertThat(coordinator[0].state()).as("and the coordinator closed").isEqualTo(LifecycleState.CLOSED);
    }

    @Test
    void recipeBeansAreNotStartedUnlessAskedTo() {
        runner().withUserConfiguration(WithPlainRecipeBeans.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("notStarted", Recipe.class).state()).isEqualTo(LifecycleState.LATENT);
            assertThat(context.getBean(StateSyncProperties.class).isStartRecipes())
                    .isFalse();
        });
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

    @Configuration(proxyBeanMethods = false)
    static class WithObservationRegistry {
        @Bean
        ObservationRegistry observationRegistry() {
            return ObservationRegistry.create();
        }
    }

    @Test
    @Timeout(60)
    void theRecipesCallsAreObservedOnlyWithAnObservationRegistry() {
        runner().withUserConfiguration(WithObservationRegistry.class)
                .run(context -> assertThat(context).hasSingleBean(StateSyncObservations.class));
        runner().run(context -> assertThat(context).doesNotHaveBean(StateSyncObservations.class));
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
