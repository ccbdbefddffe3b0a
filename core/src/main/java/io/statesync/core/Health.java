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

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a component of statesync reports about itself for a health check: a {@link Status}, one
 * sentence saying why, and details for an operator (session id, how long disconnected, ...).
 *
 * <p>The model is independent of any framework: a readiness or liveness endpoint maps it (see
 * {@code docs/operations.md}, "Health and probes"). The rule behind the three statuses is that a
 * short ZooKeeper blip, during which every recipe still serves its local copy, is {@link
 * Status#DEGRADED}, never {@link Status#DOWN}: a probe that restarts a process on a blip makes an
 * outage worse.
 *
 * @param status the status
 * @param reason why, in one sentence an operator can act on
 * @param details facts behind the status, in a stable order; values are strings, numbers, booleans
 *     or lists of them
 */
public record Health(Status status, String reason, Map<String, Object> details) {

    /** How a component is doing. */
    public enum Status {
        /** Working as configured. */
        UP,
        /**
         * Serving, with a limit the caller should know about: for example disconnected from
         * ZooKeeper, so reads are of the local copy and writes wait or time out, while the session
         * may still be alive.
         */
        DEGRADED,
        /** Not serving: not started, closed, or disconnected for longer than its limit. */
        DOWN
    }

    /**
     * A health report.
     *
     * @param status the status
     * @param reason why
     * @param details facts behind the status; copied
     * @throws NullPointerException if any argument is null
     */
    public Health {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        details = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(details, "details")));
    }

    /**
     * Whether the status is {@link Status#UP} or {@link Status#DEGRADED}: the component still serves.
     *
     * @return {@code true} unless {@link Status#DOWN}
     */
    public boolean isServing() {
        return status != Status.DOWN;
    }
}
