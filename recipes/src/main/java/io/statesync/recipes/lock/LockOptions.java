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
package io.statesync.recipes.lock;

import io.statesync.core.Coordinator;
import io.statesync.core.internal.ZPaths;
import java.util.Objects;

/**
 * What the builders of the lock, the read-write lock and the semaphore share: the coordinator and
 * path each is given (checked for null when the builder is made), and the checks and the {@link
 * LockEngine} behind each {@code build()}. Each public builder delegates here.
 */
final class LockOptions {
    private final Coordinator coordinator;
    private final String path;

    LockOptions(Coordinator coordinator, String path) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * Validates the path and the lease count and makes the engine of one lock object; nothing
     * touches the network.
     *
     * @param maxLeases how many may hold at once: 1 for a lock or read-write lock, 1 to {@link
     *     DistributedSemaphore#MAX_LEASES} for a semaphore
     * @param recipe the recipe's name, for messages, telemetry and the recipe registry
     * @throws IllegalArgumentException if the path is invalid or {@code /}, or the lease count is out
     *     of range
     */
    LockEngine engine(int maxLeases, String recipe) {
        validatePath(path);
        if (maxLeases < 1 || maxLeases > DistributedSemaphore.MAX_LEASES) {
            throw new IllegalArgumentException(
                    "maxLeases must be between 1 and " + DistributedSemaphore.MAX_LEASES + ", was " + maxLeases);
        }
        return new LockEngine(coordinator, path, maxLeases, recipe);
    }

    /** The path rule shared by the lock recipes. */
    private static void validatePath(String path) {
        ZPaths.validate(path);
        if (path.equals("/")) {
            throw new IllegalArgumentException("invalid lock path \"/\": a lock needs a path of its own");
        }
    }
}
