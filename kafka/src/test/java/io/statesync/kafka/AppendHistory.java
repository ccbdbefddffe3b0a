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
package io.statesync.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.OperationTimeoutException;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.LogEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What writers appended under faults — each acknowledged event at the position its append returned,
 * and the events whose append ended with an unknown outcome — and the exactly-once check of what
 * readers saw against it. Thread-safe.
 */
final class AppendHistory {
    private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    private final Set<String> inDoubt = ConcurrentHashMap.newKeySet();

    /**
     * Appends a batch and records its outcome: acknowledged at its positions, or in doubt after an
     * {@link OperationTimeoutException}.
     */
    void append(EventLog<String> log, List<String> batch) throws InterruptedException {
        try {
            long first = log.appendAll(batch);
            for (int k = 0; k < batch.size(); k++) {
                acknowledged.put(first + k, batch.get(k));
            }
        } catch (OperationTimeoutException e) {
            inDoubt.addAll(batch);
        }
    }

    /**
     * Starts {@code writers} writers on the pool, writer {@code w} on {@code logs.get(w % size)}:
     * each waits at the barrier before each of {@code phases} phases, then appends {@code perPhase}
     * times (every fourth a batch of two), so that the caller injects a fault between two phases.
     *
     * @return the writers' runs
     */
    List<Future<?>> phasedWriters(
            ExecutorService pool,
            List<EventLog<String>> logs,
            int writers,
            int phases,
            int perPhase,
            CyclicBarrier barrier,
            Duration phaseWait) {
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            EventLog<String> log = logs.get(w % logs.size());
            running.add(pool.submit(() -> {
                for (int phase = 0; phase < phases; phase++) {
                    barrier.await(phaseWait.toMillis(), TimeUnit.MILLISECONDS);
                    for (int i = 0; i < perPhase; i++) {
                        String e = "w" + writer + "-p" + phase + "-" + i;
                        append(log, i % 4 == 3 ? List.of(e + "a", e + "b") : List.of(e));
                    }
                }
                return null;
            }));
        }
        return running;
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    int inDoubtCount() {
        return inDoubt.size();
    }

    /**
     * Waits until every reader saw every acknowledged event, then checks each reader's events:
     * no event twice, every acknowledged one at the position its append returned (a position may be
     * a copy that readers pass over: the first copy is the one applied), nothing that no writer sent
     * or whose append was not in doubt, positions in order, and one order on every reader.
     */
    void checkReaders(List<List<LogEvent<String>>> seen, Duration wait) {
        TreeMap<Long, String> ordered = new TreeMap<>(acknowledged);
        await().atMost(wait)
                .until(() -> seen.stream()
                        .allMatch(s -> s.stream().map(LogEvent::event).toList().containsAll(ordered.values())));
        List<String> first = null;
        for (List<LogEvent<String>> s : seen) {
            List<String> events = s.stream().map(LogEvent::event).toList();
            assertThat(new HashSet<>(events)).as("events seen twice").hasSameSizeAs(events);
            assertThat(events).containsAll(ordered.values());
            Set<String> extra = new HashSet<>(events);
            extra.removeAll(ordered.values());
            assertThat(inDoubt)
                    .as("events seen that no acknowledged append holds")
                    .containsAll(extra);
            assertThat(s.stream().map(LogEvent::position).toList()).isSorted();
            for (LogEvent<String> e : s) {
                String at = ordered.get(e.position());
                if (at != null) {
                    assertThat(e.event())
                            .as("the event at position %d", e.position())
                            .isEqualTo(at);
                }
            }
            if (first == null) {
                first = events;
            } else {
                assertThat(events).as("one order on every reader").isEqualTo(first);
            }
        }
    }
}
