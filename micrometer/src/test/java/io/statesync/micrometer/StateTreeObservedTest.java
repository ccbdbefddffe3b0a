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

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Versioned;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A state tree's blocking calls are timed with their outcome and observed, as a shared state's are. */
@Timeout(90)
class StateTreeObservedTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static long calls(MeterRegistry registry, String operation, String outcome) {
        Timer t = Search.in(registry)
                .name(StateSyncMetrics.OPERATION)
                .tags("recipe", "StateTree /tree", "operation", operation, "outcome", outcome)
                .timer();
        return t == null ? 0 : t.count();
    }

    /** Records the contextual name of every observation that stops. */
    private static final class Stopped implements ObservationHandler<Observation.Context> {
        final List<String> names = new CopyOnWriteArrayList<>();

        @Override
        public void onStop(Observation.Context context) {
            names.add(String.valueOf(context.getContextualName()));
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    @Test
    void everyBlockingCallOfATreeIsTimedWithItsOutcomeAndObserved() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Stopped stopped = new Stopped();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(stopped);
        try (Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                StateSyncMetrics metrics = new StateSyncMetrics(c);
                StateSyncObservations observed = new StateSyncObservations(c, observations)) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            metrics.bindTo(registry);
            try (StateTree<String> tree =
                    StateTree.builder(c, "/tree", Codec.utf8()).build()) {
                tree.start();
                Versioned<String> first = tree.put("a", "1");
                tree.put("a", "2");
                assertThat(tree.compareAndSet("a", first, "lost")).isEmpty();
                assertThat(tree.read("a")).isPresent();
                assertThat(tree.read("missing")).isEmpty();
                assertThat(tree.remove("a")).isTrue();

                assertThat(calls(registry, "put", "ok")).isEqualTo(2);
                assertThat(calls(registry, "compareAndSet", "empty")).isEqualTo(1);
                assertThat(calls(registry, "read", "ok")).isEqualTo(1);
                assertThat(calls(registry, "read", "empty")).isEqualTo(1);
                assertThat(calls(registry, "remove", "ok")).isEqualTo(1);
                Counter conflicts = Search.in(registry)
                        .name("statesync.state.conflicts")
                        .tag("recipe", "StateTree /tree")
                        .counter();
                assertThat(conflicts == null ? 0 : conflicts.count())
                        .as("the lost compare-and-set is a conflict")
                        .isEqualTo(1);
                assertThat(stopped.names).contains("put /tree", "compareAndSet /tree", "read /tree", "remove /tree");
            }
        }
    }
}
