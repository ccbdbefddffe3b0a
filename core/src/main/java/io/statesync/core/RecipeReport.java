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

import java.util.Objects;

/**
 * One recipe of a {@link Coordinator} as {@link Coordinator#recipes()} reports it: what it is, where
 * it lives, its lifecycle state and its {@link Health}, with the live state of the recipe in the
 * health's details (a leader's epoch, a lock's tokens, a log position...). A snapshot: it does not
 * change after it was made.
 *
 * <p>The status of a recipe is the worse of what the recipe reports about itself and the
 * coordinator's {@link Coordinator#health() health}: a recipe whose own state is fine is {@link
 * Health.Status#DEGRADED} while its coordinator is without a connection (it serves its local copy),
 * and {@link Health.Status#DOWN} while its coordinator is. A recipe built and not started is {@code
 * DOWN}. The rules of each recipe, and the details each reports, are in {@code
 * docs/observability.md}, "Health of each recipe".
 *
 * @param type the recipe's kind, the simple name of its public interface (for example {@code
 *     "LeaderElection"}, {@code "DistributedLock"}, {@code "SharedState"})
 * @param path the recipe's path, relative to the coordinator's namespace
 * @param state the recipe's lifecycle state: {@link LifecycleState#LATENT} or {@link
 *     LifecycleState#STARTED} (closed recipes are not reported)
 * @param health the recipe's health; its details hold the recipe's live state
 */
public record RecipeReport(String type, String path, LifecycleState state, Health health) {

    /**
     * A report.
     *
     * @param type the recipe's kind
     * @param path the recipe's path
     * @param state its lifecycle state
     * @param health its health
     * @throws NullPointerException if any argument is null
     */
    public RecipeReport {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(health, "health");
    }
}
