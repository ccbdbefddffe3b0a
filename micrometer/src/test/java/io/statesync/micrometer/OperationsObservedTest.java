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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each blocking call of a recipe is timed with its outcome, and is an Observation with its key values. */
@Timeout(90)
class OperationsObservedTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static long calls(MeterRegistry registry, String recipe, String operation, String outcome) {
        Timer t = Search.in(registry)
                .name(StateSyncMetrics.OPERATION)
                .tags("recipe", recipe, "operation", operation, "outcome", outcome)
                .timer();
        return t == null ? 0 : t.count();
    }

    /** Records every observation that stops. */
    private static final class Stopped implements ObservationHandler<Observation.Context> {
        final List<Observation.Context> contexts = new CopyOnWriteArrayList<>();

        @Override
        public void onStop(Observation.Context context) {
            contexts.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    @Test
    void everyBlockingCallIsTimedWithItsOutcomeAndObserved() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Stopped stopped = new Stopped();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(stopped);
        try (Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                Coordinator other = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                StateSyncMetrics metrics = new StateSyncMetrics(c);
                StateSyncObservations observed = new StateSyncObservations(c, observations)) {
            c.start();
            other.start();
            c.awaitConnected(Duration.ofSeconds(10));
            other.awaitConnected(Duration.ofSeconds(10));
            metrics.bindTo(registry);
            try (SharedState<String> state =
                            SharedState.builder(c, "/state", Codec.utf8(), "a").build();
                    DistributedLock lock = DistributedLock.builder(c, "/lock").build();
                    DistributedLock holder =
                            DistributedLock.builder(other, "/lock").build();
                    WorkQueue<String> queue =
                            WorkQueue.builder(c, "/queue", Codec.utf8()).build();
                    EventLog<String> log =
                            EventLog.builder(c, "/log", Codec.utf8()).build();
                    ReplicatedState<Long, Long> counter = ReplicatedState.builder(
                                    c, "/counter", Codec.longs(), Codec.longs(), 0L, Long::sum)
                            .build()) {
                for (var r : List.of(state, lock, holder, queue, log, counter)) {
                    r.start();
                }
                var first = state.set("b");
                state.update(v -> v + "c");
                assertThat(state.compareAndSet(first, "lost")).isEmpty();
                assertThat(state.read()).isPresent();
                try (LockHandle held = holder.acquire(Duration.ofSeconds(10))) {
                    assertThat(held.isValid()).isTrue();
                    assertThatThrownBy(() -> lock.acquire(Duration.ofMillis(200)))
                            .isInstanceOf(OperationTimeoutException.class);
                }
                lock.acquire(Duration.ofSeconds(10)).close();
                assertThat(queue.take(Duration.ofMillis(100))).isEmpty();
                queue.offer("job");
                queue.take(Duration.ofSeconds(10)).orElseThrow().ack();
                log.append("event");
                assertThat(counter.submit(1L).get(20, TimeUnit.SECONDS).version())
                        .isPositive();

                assertThat(calls(registry, "SharedState /state", "set", "ok")).isEqualTo(1);
                assertThat(calls(registry, "SharedState /state", "update", "ok"))
                        .isEqualTo(1);
                assertThat(calls(registry, "SharedState /state", "compareAndSet", "empty"))
                        .as("a compare-and-set that lost")
                        .isEqualTo(1);
                assertThat(calls(registry, "SharedState /state", "read", "ok")).isEqualTo(1);
                assertThat(calls(registry, "DistributedLock /lock", "acquire", "timeout"))
                        .isEqualTo(1);
                assertThat(calls(registry, "DistributedLock /lock", "acquire", "ok"))
                        .isEqualTo(1);
                assertThat(calls(registry, "WorkQueue /queue", "take", "empty")).isEqualTo(1);
                assertThat(calls(registry, "WorkQueue /queue", "take", "ok")).isEqualTo(1);
                assertThat(calls(registry, "WorkQueue /queue", "offer", "ok")).isEqualTo(1);
                assertThat(calls(registry, "EventLog /log", "append", "ok")).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> calls(registry, "ReplicatedState /counter", "submit", "ok") == 1);
                assertThat(registry.get(StateSyncMetrics.OPERATION)
                                .tag("recipe", "DistributedLock /lock")
                                .tag("outcome", "timeout")
                                .timer()
                                .totalTime(TimeUnit.MILLISECONDS))
                        .as("the timed-out acquire waited its 200 ms")
                        .isGreaterThanOrEqualTo(150);

                Observation.Context timedOut = stopped.contexts.stream()
                        .filter(ctx -> "acquire /lock".equals(ctx.getContextualName())
                                && ctx.getError() instanceof OperationTimeoutException)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no observation of the timed-out acquire"));
                assertThat(timedOut.getName()).isEqualTo(StateSyncObservations.NAME);
                assertThat(timedOut.getLowCardinalityKeyValues().stream())
                        .anyMatch(kv -> kv.getKey().equals("statesync.outcome")
                                && kv.getValue().equals("timeout"))
                        .anyMatch(kv -> kv.getKey().equals("statesync.recipe")
                                && kv.getValue().equals("DistributedLock /lock"));
                assertThat(timedOut.getHighCardinalityKeyValues().stream())
                        .anyMatch(kv -> kv.getKey().equals("statesync.path")
                                && kv.getValue().equals("/lock"));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> stopped.contexts.stream()
                                .anyMatch(ctx -> "submit /counter".equals(ctx.getContextualName())));
            }
            observed.close();
            int before = stopped.contexts.size();
            try (SharedState<String> after =
                    SharedState.builder(c, "/after", Codec.utf8(), "a").build()) {
                after.start();
                after.set("b");
            }
            assertThat(stopped.contexts).as("nothing observed once closed").hasSize(before);
        }
    }
}
