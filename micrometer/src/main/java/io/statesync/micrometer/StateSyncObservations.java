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
package io.statesync.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.statesync.core.Coordinator;
import io.statesync.core.internal.Telemetry;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes each blocking call of a coordinator's recipes a Micrometer {@link Observation}: a shared
 * state's {@code read}, {@code set}, {@code update}, {@code compareAndSet} and {@code delete}, a state
 * tree's {@code read}, {@code put}, {@code compareAndSet} and {@code remove}, a lock's {@code acquire}
 * and {@code tryAcquire}, a log's {@code append}, a queue's {@code offer} and {@code take}, a
 * replicated state's {@code submit}. With a
 * tracing bridge (for example OpenTelemetry through Micrometer Tracing) each call is a span, a child
 * of the observation current on the calling thread when the call starts.
 *
 * <p>Each observation is named {@value #NAME}, with the contextual name {@code "<operation>
 * <path>"}, and carries the key values:
 *
 * <ul>
 *   <li>{@code statesync.recipe} (low cardinality): the recipe's type and path, e.g. {@code
 *       "SharedState /config"};
 *   <li>{@code statesync.operation} (low cardinality): the call, e.g. {@code "update"};
 *   <li>{@code statesync.outcome} (low cardinality): how it ended, e.g. {@code "ok"}, {@code
 *       "conflict"}, {@code "timeout"}, {@code "error"} (with the exception as the observation's
 *       error);
 *   <li>{@code statesync.path} (high cardinality): the recipe's path.
 * </ul>
 *
 * <p>Costs nothing while the registry is a no-op registry. Close it to stop observing; closing the
 * coordinator does not close it.
 */
public final class StateSyncObservations implements AutoCloseable {
    /** The name of every observation. */
    public static final String NAME = "statesync.call";

    private final Coordinator coordinator;
    private final Telemetry.Sink sink;

    /**
     * Observes the blocking calls of every recipe of {@code coordinator}, from now until closed.
     *
     * @param coordinator the coordinator
     * @param registry where the observations go
     * @throws NullPointerException if an argument is {@code null}
     */
    public StateSyncObservations(Coordinator coordinator, ObservationRegistry registry) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(registry, "registry");
        // Follows calls only: neither deliveries nor inner events, so the engine reads no clock for it.
        this.sink = new Telemetry.Sink() {
            @Override
            public Telemetry.@Nullable Scope started(String owner, String operation, String path) {
                if (registry.isNoop()) {
                    return null;
                }
                Observation observation = Observation.createNotStarted(NAME, registry)
                        .contextualName(operation + " " + path)
                        .lowCardinalityKeyValue("statesync.recipe", owner)
                        .lowCardinalityKeyValue("statesync.operation", operation)
                        .highCardinalityKeyValue("statesync.path", path)
                        .start();
                // No scope is opened: a call may end on another thread (a replicated state's
                // submit completes its future there), and a scope is bound to the thread that opened it.
                return (outcome, error, nanos) -> {
                    observation.lowCardinalityKeyValue("statesync.outcome", outcome);
                    if (error != null) {
                        observation.error(error);
                    }
                    observation.stop();
                };
            }
        };
        coordinator.internalTelemetry().addSink(sink);
    }

    /** Stops observing. Idempotent. */
    @Override
    public void close() {
        coordinator.internalTelemetry().removeSink(sink);
    }
}
