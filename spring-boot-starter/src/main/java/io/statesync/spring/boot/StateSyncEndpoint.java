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
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.RecipeReport;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code statesync} actuator endpoint ({@code /actuator/statesync} once exposed): the
 * coordinator's {@link Coordinator#health() health} and every recipe of this node with its live state
 * ({@link Coordinator#recipes()}): a leader's epoch, the tokens of the locks held, a queue's claims, a
 * log position. Computed from memory: a read does no I/O and does not wait for ZooKeeper, so it
 * answers during an outage, which is when it is wanted.
 *
 * <p>Statuses are statesync's own ({@code UP}, {@code DEGRADED}, {@code DOWN}); the endpoint is for
 * people and dashboards, not for probes (the {@code statesync} health indicator is).
 */
@Endpoint(id = "statesync")
public final class StateSyncEndpoint {
    private final Coordinator coordinator;

    /**
     * An endpoint for a coordinator.
     *
     * @param coordinator the coordinator whose recipes it lists
     */
    public StateSyncEndpoint(Coordinator coordinator) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    }

    /**
     * Reads the coordinator's health and its recipes' reports.
     *
     * @return the description
     */
    @ReadOperation
    public StateSyncDescriptor statesync() {
        Health health = coordinator.health();
        List<RecipeDescriptor> recipes =
                coordinator.recipes().stream().map(RecipeDescriptor::of).toList();
        return new StateSyncDescriptor(
                new CoordinatorDescriptor(health.status().name(), health.reason(), health.details()), recipes);
    }

    /**
     * What the endpoint returns.
     *
     * @param coordinator the coordinator's health
     * @param recipes the recipes built on it and not closed, in the order they were built
     */
    public record StateSyncDescriptor(CoordinatorDescriptor coordinator, List<RecipeDescriptor> recipes)
            implements OperationResponseBody {}

    /**
     * The coordinator's {@link Coordinator#health() health}.
     *
     * @param status {@code UP}, {@code DEGRADED} or {@code DOWN}
     * @param reason why, in one sentence
     * @param details the connection's facts (connection state, session id, time disconnected...)
     */
    public record CoordinatorDescriptor(String status, String reason, Map<String, Object> details) {}

    /**
     * One recipe, from its {@link RecipeReport}.
     *
     * @param type the recipe's kind, e.g. {@code LeaderElection}
     * @param path its path under the namespace
     * @param state {@code LATENT} (built, not started) or {@code STARTED}
     * @param status {@code UP}, {@code DEGRADED} or {@code DOWN}
     * @param reason why, in one sentence
     * @param details the recipe's live state (see {@code docs/observability.md}, "Health of each
     *     recipe")
     */
    public record RecipeDescriptor(
            String type, String path, LifecycleState state, String status, String reason, Map<String, Object> details) {
        static RecipeDescriptor of(RecipeReport report) {
            Health h = report.health();
            return new RecipeDescriptor(
                    report.type(), report.path(), report.state(), h.status().name(), h.reason(), h.details());
        }
    }
}
