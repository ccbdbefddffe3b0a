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

import io.statesync.core.Coordinator;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link StateSyncEndpoint statesync} actuator endpoint: with the
 * actuator on the class path, a {@link Coordinator} bean (the starter's or the application's), and
 * the endpoint available (its access not {@code none}, and exposed: {@code
 * management.endpoints.web.exposure.include=statesync}, or over JMX).
 */
@AutoConfiguration(after = StateSyncAutoConfiguration.class)
@ConditionalOnClass(
        name = {
            "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"
        })
@ConditionalOnBooleanProperty(name = "statesync.enabled", matchIfMissing = true)
@ConditionalOnAvailableEndpoint(StateSyncEndpoint.class)
public final class StateSyncEndpointAutoConfiguration {
    /** Created by Spring. */
    StateSyncEndpointAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Coordinator.class)
    StateSyncEndpoint statesyncEndpoint(Coordinator coordinator) {
        return new StateSyncEndpoint(coordinator);
    }
}
