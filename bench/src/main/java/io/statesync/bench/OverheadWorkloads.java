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
package io.statesync.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateListener;
import io.statesync.micrometer.StateSyncMetrics;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import java.util.List;

/**
 * The cost of the Micrometer instrumentation on the hot paths (update, listener delivery, lock
 * acquire): each workload with a {@link StateSyncMetrics} bound to every coordinator it uses
 * (a {@code SimpleMeterRegistry}), beside the same workload with nothing bound. The primary figure
 * is the client process's CPU time per operation ({@link ClientCpu}: every client thread and the
 * GC, not the server), where the instrumentation's cost shows without the server's and the
 * network's variance; throughput and latency are reported beside it. The ratio is "on" over "off";
 * the target is a cost of at most 3%.
 */
final class OverheadWorkloads {
    static final int SUBSCRIBERS = 4;

    private OverheadWorkloads() {}

    static List<Comparison> all() {
        return List.of(
                new Comparison(
                        "overhead-update",
                        "metrics on vs off: shared state update, 1 writer",
                        "client CPU µs/update",
                        false,
                        "<= 1.03× metrics off",
                        List.of(
                                Comparison.variant("statesync, metrics on", ctx -> update(ctx, true)),
                                Comparison.variant("statesync, metrics off", ctx -> update(ctx, false)))),
                new Comparison(
                        "overhead-delivery",
                        "metrics on vs off: write-to-listener latency, " + SUBSCRIBERS + " subscribed clients",
                        "client CPU µs/write (all clients)",
                        false,
                        "<= 1.03× metrics off",
                        List.of(
                                Comparison.variant("statesync, metrics on", ctx -> delivery(ctx, true)),
                                Comparison.variant("statesync, metrics off", ctx -> delivery(ctx, false)))),
                new Comparison(
                        "overhead-lock",
                        "metrics on vs off: uncontended lock acquire+release",
                        "client CPU µs/acquire+release",
                        false,
                        "<= 1.03× metrics off",
                        List.of(
                                Comparison.variant("statesync, metrics on", ctx -> lock(ctx, true)),
                                Comparison.variant("statesync, metrics off", ctx -> lock(ctx, false)))));
    }

    /** A started coordinator, with the meters bound to a registry of its own if {@code metered}. */
    private static Coordinator coordinator(BenchContext ctx, boolean metered) throws InterruptedException {
        Coordinator c = ctx.coordinator();
        if (metered) {
            StateSyncMetrics metrics = ctx.closeAfter(new StateSyncMetrics(c));
            metrics.bindTo(new SimpleMeterRegistry());
        }
        return c;
    }

    private static SharedState<Long> counter(Coordinator c) throws InterruptedException {
        SharedState<Long> state =
                SharedState.builder(c, "/overhead", Codec.longs(), 0L).build();
        state.start();
        if (!state.awaitInitialized(Duration.ofSeconds(30))) {
            throw new IllegalStateException("shared state did not initialize");
        }
        return state;
    }

    static Sample update(BenchContext ctx, boolean metered) throws Exception {
        SharedState<Long> state = ctx.closeAfter(counter(coordinator(ctx, metered)));
        state.update(x -> x + 1);
        return Loops.timed(ctx, () -> {
                    state.update(x -> x + 1);
                    return true;
                })
                .sample("updates/s", "update");
    }

    static Sample delivery(BenchContext ctx, boolean metered) throws Exception {
        SharedState<Long> writer = ctx.closeAfter(counter(coordinator(ctx, metered)));
        return Propagation.measure(ctx, SUBSCRIBERS, writer::set, onValue -> {
            SharedState<Long> reader = ctx.closeAfter(counter(coordinator(ctx, metered)));
            StateListener<Long> listener = change -> {
                if (change.kind() == ChangeKind.UPDATED) {
                    onValue.accept(change.current().orElseThrow().value());
                }
            };
            reader.addListener(listener);
        });
    }

    static Sample lock(BenchContext ctx, boolean metered) throws Exception {
        DistributedLock lock = ctx.closeAfter(DistributedLock.builder(coordinator(ctx, metered), "/overhead-lock")
                .build());
        lock.start();
        lock.acquire(Duration.ofSeconds(30)).close(); // creates the lock's parent outside the measurement
        return Loops.timed(ctx, () -> {
                    try (LockHandle handle = lock.acquire(Duration.ofSeconds(30))) {
                        return handle.isValid();
                    }
                })
                .sample("acquire+release/s", "acquire+release");
    }
}
