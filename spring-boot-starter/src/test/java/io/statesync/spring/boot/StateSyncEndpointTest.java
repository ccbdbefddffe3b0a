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

import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.spring.boot.StateSyncEndpoint.RecipeDescriptor;
import io.statesync.spring.boot.StateSyncEndpoint.StateSyncDescriptor;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code statesync} actuator endpoint in application contexts against a real ZooKeeper. */
class StateSyncEndpointTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private ApplicationContextRunner runner(String connectString) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        StateSyncAutoConfiguration.class, StateSyncEndpointAutoConfiguration.class))
                .withPropertyValues(
                        "statesync.connect-string=" + connectString,
                        "statesync.namespace=" + zk.namespace(),
                        "statesync.session-timeout=6s",
                        "statesync.health-down-after=60s",
                        "management.endpoints.web.exposure.include=health,statesync");
    }

    private static RecipeDescriptor recipe(StateSyncDescriptor d, String type, String path) {
        List<RecipeDescriptor> matching = d.recipes().stream()
                .filter(r -> r.type().equals(type) && r.path().equals(path))
                .toList();
        assertThat(matching).as("%s %s in %s", type, path, d.recipes()).hasSize(1);
        return matching.get(0);
    }

    @Test
    @Timeout(60)
    void theEndpointShowsTheLiveStateOfALeaderElectionAndALockDeclaredAsBeans() {
        runner(zk.connectString()).withUserConfiguration(WithRecipes.class).run(context -> {
            StateSyncEndpoint endpoint = context.getBean(StateSyncEndpoint.class);
            Recipes recipes = context.getBean(Recipes.class);
            assertThat(recipes.election.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            Leadership leadership = recipes.election.leadership().orElseThrow();
            try (LockHandle handle = recipes.lock.acquire(Duration.ofSeconds(20))) {
                StateSyncDescriptor d = endpoint.statesync();
                assertThat(d.coordinator().status()).isEqualTo("UP");
                assertThat(d.coordinator().details()).containsEntry("namespace", zk.namespace());

                RecipeDescriptor election = recipe(d, "LeaderElection", "/billing");
                assertThat(election.state()).isEqualTo(LifecycleState.STARTED);
                assertThat(election.status()).isEqualTo("UP");
                assertThat(election.reason()).isEqualTo("leading with epoch " + leadership.epoch());
                assertThat(election.details())
                        .containsEntry("leader", true)
                        .containsEntry("epoch", leadership.epoch())
                        .containsEntry("leaderId", "node-1");

                RecipeDescriptor lock = recipe(d, "DistributedLock", "/invoices-lock");
                assertThat(lock.status()).isEqualTo("UP");
                assertThat(lock.details()).containsEntry("held", true).containsEntry("tokens", List.of(handle.token()));

                // As the actuator writes it (Jackson 3).
                JsonNode json = JsonMapper.builder().build().valueToTree(d);
                assertThat(json.at("/coordinator/status").asString()).isEqualTo("UP");
                JsonNode first = json.at("/recipes/0");
                assertThat(first.at("/type").asString()).isEqualTo("LeaderElection");
                assertThat(first.at("/state").asString()).isEqualTo("STARTED");
                assertThat(first.at("/details/epoch").asLong()).isEqualTo(leadership.epoch());
                assertThat(json.at("/recipes/1/details/tokens/0").asLong()).isEqualTo(handle.token());
            }
            RecipeDescriptor released = recipe(endpoint.statesync(), "DistributedLock", "/invoices-lock");
            assertThat(released.details()).containsEntry("held", false).containsEntry("tokens", List.of());
        });
    }

    @Test
    @Timeout(60)
    void duringAnOutageTheEndpointAnswersAtOnceWithTheRecipesDegraded() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(zk.connectString())) {
            runner(proxy.connectString())
                    .withUserConfiguration(WithRecipes.class)
                    .run(context -> {
                        StateSyncEndpoint endpoint = context.getBean(StateSyncEndpoint.class);
                        Recipes recipes = context.getBean(Recipes.class);
                        assertThat(recipes.election.awaitLeadership(Duration.ofSeconds(20)))
                                .isTrue();
                        await().atMost(20, TimeUnit.SECONDS)
                                .until(() -> endpoint.statesync().recipes().stream()
                                        .allMatch(r -> r.status().equals("UP")));

                        proxy.blackhole();
                        await().atMost(30, TimeUnit.SECONDS)
                                .until(() -> endpoint.statesync()
                                        .coordinator()
                                        .status()
                                        .equals("DEGRADED"));
                        long start = System.nanoTime();
                        StateSyncDescriptor d = endpoint.statesync();
                        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
                        assertThat(d.recipes()).hasSize(2).allSatisfy(r -> {
                            assertThat(r.status()).isEqualTo("DEGRADED");
                            assertThat(r.reason()).startsWith("serving its local copy; the coordinator is DEGRADED");
                        });
                        proxy.pass();
                        await().atMost(40, TimeUnit.SECONDS)
                                .until(() -> endpoint.statesync().recipes().stream()
                                        .allMatch(r -> r.status().equals("UP")));
                    });
        }
    }

    @Test
    @Timeout(60)
    void theEndpointIsOnlyThereWhenExposedAndStatesyncIsEnabled() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        StateSyncAutoConfiguration.class, StateSyncEndpointAutoConfiguration.class))
                .withPropertyValues(
                        "statesync.connect-string=" + zk.connectString(), "statesync.namespace=" + zk.namespace())
                .run(context -> {
                    assertThat(context).hasSingleBean(Coordinator.class);
                    assertThat(context).doesNotHaveBean(StateSyncEndpoint.class);
                });
        runner(zk.connectString())
                .withPropertyValues("management.endpoint.statesync.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(StateSyncEndpoint.class));
        runner(zk.connectString())
                .withPropertyValues("statesync.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(StateSyncEndpoint.class));
        runner(zk.connectString()).run(context -> assertThat(context).hasSingleBean(StateSyncEndpoint.class));
    }

    /** A leader election and a lock declared as beans, started in the recipes' phase, as an application would. */
    static final class Recipes implements SmartLifecycle, AutoCloseable {
        final LeaderElection election;
        final DistributedLock lock;
        private volatile boolean running;

        Recipes(Coordinator coordinator) {
            this.election = LeaderElection.builder(coordinator, "/billing")
                    .participantId("node-1")
                    .build();
            this.lock = DistributedLock.builder(coordinator, "/invoices-lock").build();
        }

        @Override
        public void start() {
            election.start();
            lock.start();
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
            lock.close();
            election.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WithRecipes {
        @Bean
        Recipes recipes(Coordinator coordinator) {
            return new Recipes(coordinator);
        }
    }
}
