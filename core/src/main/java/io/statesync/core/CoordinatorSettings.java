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

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The settings a {@link Coordinator.Builder} collects, with their defaults ({@code null} for a
 * default resolved when the coordinator is built: by {@link BuilderChecks} where it depends on
 * another setting). Validated by {@link BuilderChecks#validate}, then read once, when the
 * coordinator is built; the coordinator keeps none of it by reference. Not thread-safe, like the
 * builder that owns it.
 */
final class CoordinatorSettings {
    /** The largest value limit that may be configured. */
    static final int MAX_VALUE_LIMIT = 100 * 1024 * 1024;

    final String connectString;
    String namespace = "statesync";
    Duration sessionTimeout = Duration.ofSeconds(30);

    @Nullable
    Duration connectionTimeout;

    @Nullable
    Duration operationTimeout;

    @Nullable
    Duration healthDownAfter;

    @Nullable
    ThreadFactory threadFactory;

    Retry retry = Retry.defaults();
    ConnectionLossPolicy lossPolicy = ConnectionLossPolicy.ON_SUSPENDED;
    AclMode aclMode = AclMode.OPEN;

    @Nullable
    String digestUser;

    @Nullable
    String digestPassword;

    @Nullable
    TlsSettings tls;

    int maxValueBytes = 1_000_000;

    @Nullable
    Executor listenerExecutor;

    @Nullable
    Ticker ticker;

    CoordinatorSettings(String connectString) {
        this.connectString = Objects.requireNonNull(connectString, "connectString");
    }
}
