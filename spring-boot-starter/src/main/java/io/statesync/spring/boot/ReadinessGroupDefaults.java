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

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Puts the {@code statesync} health indicator in the readiness group, and only there, unless the
 * application decides: it adds {@code
 * management.endpoint.health.group.readiness.include=readinessState,statesync} as the environment's
 * last (lowest-precedence) property source, so any value the application sets wins. Boot then keeps
 * this group as the readiness probe (with {@code /readyz} when additional paths are on) and leaves
 * the liveness group as it is. Nothing is added when statesync, its indicator, Boot's probes or
 * {@code statesync.health.readiness} are turned off, so group validation never meets a missing
 * member.
 */
final class ReadinessGroupDefaults implements EnvironmentPostProcessor {
    static final String INCLUDE = "management.endpoint.health.group.readiness.include";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!on(environment, "statesync.enabled")
                || !on(environment, "statesync.health.readiness")
                || !on(environment, "management.endpoint.health.probes.enabled")
                || !indicatorEnabled(environment)
                || environment.containsProperty(INCLUDE)) {
            return;
        }
        environment
                .getPropertySources()
                .addLast(new MapPropertySource("statesyncReadinessGroup", Map.of(INCLUDE, "readinessState,statesync")));
    }

    /** As Boot's {@code @ConditionalOnEnabledHealthIndicator("statesync")} decides. */
    private static boolean indicatorEnabled(ConfigurableEnvironment environment) {
        Boolean own = environment.getProperty("management.health.statesync.enabled", Boolean.class);
        return own != null ? own : on(environment, "management.health.defaults.enabled");
    }

    private static boolean on(ConfigurableEnvironment environment, String property) {
        return environment.getProperty(property, Boolean.class, true);
    }
}
