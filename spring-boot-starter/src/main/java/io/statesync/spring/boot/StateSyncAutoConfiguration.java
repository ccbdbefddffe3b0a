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

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.statesync.core.Coordinator;
import io.statesync.core.Recipe;
import io.statesync.micrometer.StateSyncMetrics;
import io.statesync.micrometer.StateSyncObservations;
import java.util.concurrent.ThreadFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;

/**
 * Auto-configuration of statesync (on unless {@code statesync.enabled=false}):
 *
 * <ul>
 *   <li>a {@link Coordinator} bean built from {@link StateSyncProperties} and the application's
 *       {@link StateSyncThreadFactory @StateSyncThreadFactory} {@code ThreadFactory} if it has one
 *       (unless the application declares its own coordinator), started in phase {@link #COORDINATOR_PHASE} and closed when it is
 *       destroyed, after every bean that depends on it;
 *   <li>the {@code statesync} health indicator ({@code management.health.statesync.enabled}), in
 *       the readiness group by default and never in the liveness group;
 *   <li>the coordinator's Micrometer meters ({@code statesync-micrometer}) on the application's
 *       {@code MeterRegistry}, when both are there, and the recipes' blocking calls as Observations
 *       on its {@code ObservationRegistry} (traces, with a tracing bridge);
 *   <li>{@link LeaderOnly @LeaderOnly} {@code @Scheduled} methods, with {@code @EnableScheduling};
 *   <li>{@link JsonCodecs} on the application's Jackson 3 {@code JsonMapper}, else on its Jackson 2
 *       {@code ObjectMapper}, when it has one (unless it declares its own {@code JsonCodecs}).
 * </ul>
 *
 * <p>A recipe declared as a bean should take the {@code Coordinator} bean as a dependency (so it is
 * closed first). With {@code statesync.start-recipes=true} the starter starts every recipe bean not
 * yet started in phase {@link #RECIPE_PHASE}; otherwise the application starts its recipes itself,
 * from a {@code SmartLifecycle} in phase {@link #RECIPE_PHASE} or later, or on first use.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
            "org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration"
        })
@ConditionalOnBooleanProperty(name = "statesync.enabled", matchIfMissing = true)
@EnableConfigurationProperties(StateSyncProperties.class)
public final class StateSyncAutoConfiguration {
    /**
     * The phase the coordinator starts in: early, before the web server and anything recipe-related,
     * so that the connection is being made while the rest starts. It is closed on destruction, last.
     */
    public static final int COORDINATOR_PHASE = Integer.MIN_VALUE + 1_000_000;

    /**
     * The earliest phase for recipes declared as beans: later than the coordinator's, so they start
     * after it and stop before it.
     */
    public static final int RECIPE_PHASE = COORDINATOR_PHASE + 1_000;

    /**
     * The phase of the {@code @LeaderOnly} elections' lifecycle: above Spring's executors and
     * schedulers ({@code ExecutorConfigurationSupport.DEFAULT_PHASE}), so that on shutdown leadership
     * ends, and running leader-only methods are interrupted and handed over, before the scheduler
     * waits for its running tasks. (The elections are joined on {@code ApplicationReadyEvent}, not
     * when this phase starts.)
     */
    public static final int LEADER_ONLY_PHASE = ExecutorConfigurationSupport.DEFAULT_PHASE + 1_024;

    /** Created by Spring. */
    StateSyncAutoConfiguration() {}

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Coordinator statesyncCoordinator(
            StateSyncProperties properties, @StateSyncThreadFactory ObjectProvider<ThreadFactory> threadFactory) {
        return CoordinatorFactory.build(properties, threadFactory.getIfAvailable());
    }

    @Bean
    StartingLifecycle statesyncCoordinatorLifecycle(Coordinator coordinator) {
        return StartingLifecycle.coordinator(coordinator);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "statesync.start-recipes")
    StartingLifecycle statesyncRecipeBeansLifecycle(ObjectProvider<Recipe> recipes) {
        return StartingLifecycle.recipeBeans(recipes);
    }

    @Bean
    LeaderOnlyElections statesyncLeaderOnlyElections(
            Coordinator coordinator, StateSyncProperties properties, ApplicationContext context) {
        return new LeaderOnlyElections(coordinator, properties.getLeaderOnly(), context);
    }

    @Bean
    static LeaderOnlySchedulingRegistrar statesyncLeaderOnlySchedulingRegistrar() {
        return new LeaderOnlySchedulingRegistrar();
    }

    /** The health indicator, with Boot's health support on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("statesync")
    static final class HealthConfiguration {
        @Bean
        StateSyncHealthIndicator statesyncHealthIndicator(Coordinator coordinator) {
            return new StateSyncHealthIndicator(coordinator);
        }
    }

    /** {@link JsonCodecs} on the application's Jackson 3 {@code JsonMapper}; tried first. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    @Order(1)
    static final class Jackson3CodecsConfiguration {
        @Bean
        @ConditionalOnMissingBean(JsonCodecs.class)
        @ConditionalOnSingleCandidate(tools.jackson.databind.json.JsonMapper.class)
        JsonCodecs statesyncJsonCodecs(tools.jackson.databind.json.JsonMapper mapper) {
            return new Jackson3JsonCodecs(mapper);
        }
    }

    /** {@link JsonCodecs} on the application's Jackson 2 {@code ObjectMapper}, without a Jackson 3 one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.fasterxml.jackson.databind.ObjectMapper")
    @Order(2)
    static final class Jackson2CodecsConfiguration {
        @Bean
        @ConditionalOnMissingBean(JsonCodecs.class)
        @ConditionalOnSingleCandidate(com.fasterxml.jackson.databind.ObjectMapper.class)
        JsonCodecs statesyncJackson2JsonCodecs(com.fasterxml.jackson.databind.ObjectMapper mapper) {
            return new Jackson2JsonCodecs(mapper);
        }
    }

    /** The meters, with Micrometer and statesync-micrometer on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, StateSyncMetrics.class})
    static final class MetricsConfiguration {
        @Bean
        StateSyncMetricsBinding statesyncMetricsBinding(
                Coordinator coordinator, ObjectProvider<MeterRegistry> registries) {
            return new StateSyncMetricsBinding(coordinator, registries);
        }
    }

    /** The recipes' blocking calls as Observations, with an ObservationRegistry bean. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ObservationRegistry.class, StateSyncObservations.class})
    static final class ObservationConfiguration {
        @Bean(destroyMethod = "close")
        @ConditionalOnSingleCandidate(ObservationRegistry.class)
        StateSyncObservations statesyncObservations(Coordinator coordinator, ObservationRegistry registry) {
            return new StateSyncObservations(coordinator, registry);
        }
    }
}
