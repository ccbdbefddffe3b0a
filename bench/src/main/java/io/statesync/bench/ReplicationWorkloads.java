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

import io.statesync.core.Codec;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Replicated state vs shared state keeping the same counter under the same contention: three
 * nodes, each with some callers; a replicated command counts once its future completed (applied
 * by the leader and published), a shared-state update once its compare-and-set landed.
 */
final class ReplicationWorkloads {
    static final int NODES = 3;

    private ReplicationWorkloads() {}

    static List<Comparison> all() {
        List<Comparison> all = new ArrayList<>();
        for (int callers : new int[] {1, 16}) {
            all.add(new Comparison(
                    "replication-" + callers,
                    "replicated state: a counter on " + NODES + " nodes, " + callers + " caller"
                            + (callers == 1 ? "" : "s") + " per node",
                    "applied/s",
                    true,
                    callers > 1 ? ">= 1.5× SharedState.update (commands batched per append and per publish)" : "",
                    List.of(
                            Comparison.variant("statesync ReplicatedState", ctx -> replicated(ctx, callers)),
                            Comparison.variant("statesync SharedState.update", ctx -> sharedState(ctx, callers)))));
        }
        return all;
    }

    static Sample replicated(BenchContext ctx, int callersPerNode) throws Exception {
        List<Loops.Op> callers = new ArrayList<>();
        List<ReplicatedState<Long, Long>> nodes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            ReplicatedState<Long, Long> node = ctx.closeAfter(ReplicatedState.<Long, Long>builder(
                            ctx.coordinator(), "/counter", Codec.longs(), Codec.longs(), 0L, Long::sum)
                    .build());
            node.start();
            nodes.add(node);
            for (int c = 0; c < callersPerNode; c++) {
                callers.add(() -> node.submit(1L).get(60, TimeUnit.SECONDS).version() > 0);
            }
        }
        nodes.get(0).submit(0L).get(60, TimeUnit.SECONDS); // a leader is elected before measuring
        Loops.Measured m = Loops.parallel(ctx, callers);
        return m.sample("applied/s", "command");
    }

    static Sample sharedState(BenchContext ctx, int callersPerNode) throws Exception {
        List<Loops.Op> callers = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            SharedState<Long> node =
                    ctx.closeAfter(SharedState.builder(ctx.coordinator(), "/counter", Codec.longs(), 0L)
                            .build());
            node.start();
            if (!node.awaitInitialized(Duration.ofSeconds(30))) {
                throw new IllegalStateException("shared state did not initialize");
            }
            for (int c = 0; c < callersPerNode; c++) {
                callers.add(() -> node.update(x -> x + 1).version() >= 0);
            }
        }
        return Loops.parallel(ctx, callers).sample("applied/s", "command");
    }
}
