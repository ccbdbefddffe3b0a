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
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code statesync} health indicator: the coordinator's {@link Coordinator#health()}, which is
 * computed from memory (no I/O, never blocks).
 *
 * <ul>
 *   <li>{@code UP} is {@code UP}.
 *   <li>{@code DEGRADED} (without a connection for at most {@code health-down-after}; recipes serve
 *       their local copies) is {@code UP}, with the detail {@code statesync: DEGRADED} and the
 *       reason: a ZooKeeper blip must not take a node out of service, and a custom status would be
 *       unknown to Boot's default status order and HTTP mapping.
 *   <li>{@code DOWN} (not started, closed, never connected, or without a connection for longer than
 *       {@code health-down-after}) is {@code DOWN}.
 * </ul>
 */
final class StateSyncHealthIndicator implements HealthIndicator {
    private final Coordinator coordinator;

    StateSyncHealthIndicator(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public Health health() {
        io.statesync.core.Health health = coordinator.health();
        Health.Builder builder = switch (health.status()) {
            case UP, DEGRADED -> Health.up();
            case DOWN -> Health.down();
        };
        return builder.withDetail("statesync", health.status().name())
                .withDetail("reason", health.reason())
                .withDetails(health.details())
                .build();
    }
}
