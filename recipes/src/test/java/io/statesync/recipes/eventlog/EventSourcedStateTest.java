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
package io.statesync.recipes.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replay, follow, snapshots (chunked too) and compaction of an event-sourced state. */
@Timeout(60)
class EventSourcedStateTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** An order-sensitive fold: the same events in another order give another value. */
    static final BiFunction<Long, Long, Long> HASH = (h, e) -> h * 31 + e;

    private Coordinator a;
    private Coordinator b;

    @BeforeEach
    void connect() throws Exception {
        a = EventLogFixtures.connect(zk, zk.connectString());
        b = EventLogFixtures.connect(zk, zk.connectString());
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static EventLog<Long> log(Coordinator c) {
        EventLog<Long> log = EventLog.builder(c, "/ledger", Codec.longs())
                .segmentSize(50)
                .groupSize(10)
                .build();
        log.start();
        return log;
    }

    private static long fold(List<Long> events) {
        long h = 0;
        for (long e : events) {
            h = HASH.apply(h, e);
        }
        return h;
    }

    @Test
    void replaysThenFollowsAndDeliversInitialThenUpdatesWithThePositionAsVersion() throws Exception {
        try (EventLog<Long> log = log(a)) {
            List<Long> appended = new ArrayList<>();
            for (long i = 1; i <= 120; i++) {
                appended.add(i);
            }
            log.appendAll(appended.subList(0, 100));
            List<StateChange<Long>> changes = new CopyOnWriteArrayList<>();
            try (EventSourcedState<Long, Long> state =
                    EventSourcedState.builder(log, 0L, HASH).build()) {
                state.addListener(changes::add);
                state.start();
                assertThat(state.awaitPosition(100, Duration.ofSeconds(20))).isTrue();
                await().atMost(Duration.ofSeconds(20)).until(() -> !changes.isEmpty());
                assertThat(changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
                assertThat(changes.get(0).current().get().value()).isEqualTo(fold(appended.subList(0, 100)));
                assertThat(changes.get(0).position()).isEqualTo(100);
                for (int i = 100; i < 120; i++) {
                    log.append(appended.get(i));
                }
                assertThat(state.awaitPosition(120, Duration.ofSeconds(20))).isTrue();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> changes.get(changes.size() - 1).position() == 120);
                assertThat(state.current().value()).isEqualTo(fold(appended));
                for (int i = 1; i < changes.size(); i++) {
                    StateChange<Long> c = changes.get(i);
                    assertThat(c.kind()).isEqualTo(ChangeKind.UPDATED);
                    assertThat(c.previous())
                            .contains(changes.get(i - 1).current().get());
                    assertThat(c.current().get().mzxid())
                            .isGreaterThan(changes.get(i - 1).current().get().mzxid());
                }
                // A listener added late gets the current state as its INITIAL.
                List<StateChange<Long>> late = new CopyOnWriteArrayList<>();
                state.addListener(late::add);
                await().atMost(Duration.ofSeconds(20)).until(() -> late.size() == 1);
                assertThat(late.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
                assertThat(late.get(0).current().get().value()).isEqualTo(fold(appended));
            }
        }
    }

    @Test
    void aStartingNodeLoadsTheSnapshotAndReplaysOnlyTheTailEqualToAFullReplay() throws Exception {
        try (EventLog<Long> logA = log(a);
                EventLog<Long> logB = log(b)) {
            List<Long> appended = new ArrayList<>();
            for (long i = 0; i < 1030; i++) {
                appended.add(i * 7 + 3);
            }
            try (EventSourcedState<Long, Long> writer = EventSourcedState.builder(logA, 0L, HASH)
                    .snapshots(Codec.longs(), 100)
                    .keepSnapshots(2)
                    .compactLog(true)
                    .build()) {
                writer.start();
                for (int i = 0; i < appended.size(); i += 37) {
                    logA.appendAll(appended.subList(i, Math.min(appended.size(), i + 37)));
                }
                assertThat(writer.awaitPosition(1030, Duration.ofSeconds(30))).isTrue();
                assertThat(writer.current().value()).isEqualTo(fold(appended));
                // Snapshots at 900 and 1000 are kept; the log was compacted before the older one.
                await().atMost(Duration.ofSeconds(20)).until(() -> logA.earliestPosition() == 900);
            }

            AtomicLong applied = new AtomicLong();
            BiFunction<Long, Long, Long> counting = (h, e) -> {
                applied.incrementAndGet();
                return HASH.apply(h, e);
            };
            try (EventSourcedState<Long, Long> starting = EventSourcedState.builder(logB, 0L, counting)
                    .snapshots(Codec.longs(), 0)
                    .build()) {
                starting.start();
                assertThat(starting.awaitPosition(1030, Duration.ofSeconds(30))).isTrue();
                assertThat(starting.current().value()).isEqualTo(fold(appended));
                assertThat(applied.get()).isEqualTo(30);
            }

            // Without snapshots, a full replay is impossible now: the history is compacted.
            List<StateSyncException> errors = new CopyOnWriteArrayList<>();
            try (EventSourcedState<Long, Long> full =
                    EventSourcedState.builder(logB, 0L, HASH).build()) {
                full.addListener(new StateListener<>() {
                    @Override
                    public void onChange(StateChange<Long> change) {}

                    @Override
                    public void onError(StateSyncException error) {
                        errors.add(error);
                    }
                });
                full.start();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> full.failure().isPresent());
                assertThat(full.failure().get())
                        .isInstanceOfSatisfying(
                                HistoryTruncatedException.class,
                                e -> assertThat(e.earliest()).isEqualTo(900));
                assertThat(errors).hasSize(1);
            }
        }
    }

    @Test
    void aSnapshotOverTheZnodeLimitIsChunkedBehindTheManifestAndLoads() throws Exception {
        String blockA = "a".repeat(999) + "\n";
        int events = 1500; // 1.5 MB of state
        BiFunction<String, String, String> concat = String::concat;
        try (EventLog<String> logA = EventLog.builder(a, "/big", Codec.utf8()).build();
                EventLog<String> logB =
                        EventLog.builder(b, "/big", Codec.utf8()).build()) {
            logA.start();
            logB.start();
            try (EventSourcedState<String, String> writer = EventSourcedState.builder(logA, "", concat)
                    .snapshots(Codec.utf8(), events)
                    .build()) {
                writer.start();
                List<String> batch = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    batch.add(blockA);
                }
                for (int i = 0; i < events / 500; i++) {
                    logA.appendAll(batch);
                }
                assertThat(writer.awaitPosition(events, Duration.ofSeconds(30))).isTrue();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> a.curatorFramework().checkExists().forPath("/big/snapshots/manifest") != null);
            }
            List<String> dirs = a.curatorFramework().getChildren().forPath("/big/snapshots");
            String dir =
                    dirs.stream().filter(d -> !d.equals("manifest")).findFirst().orElseThrow();
            assertThat(a.curatorFramework().getChildren().forPath("/big/snapshots/" + dir))
                    .hasSizeGreaterThanOrEqualTo(2);

            AtomicLong applied = new AtomicLong();
            try (EventSourcedState<String, String> starting = EventSourcedState.builder(
                            logB, "", (String s, String e) -> {
                                applied.incrementAndGet();
                                return s + e;
                            })
                    .snapshots(Codec.utf8(), 0)
                    .build()) {
                starting.start();
                assertThat(starting.awaitPosition(events, Duration.ofSeconds(30)))
                        .isTrue();
                assertThat(starting.current().value()).hasSize(events * 1000).isEqualTo(blockA.repeat(events));
                assertThat(applied.get()).isZero();
            }
        }
    }

    @Test
    void aThrowingReducerStopsTheStateAtTheEventBeforeAndReportsIt() throws Exception {
        try (EventLog<Long> log = log(a)) {
            log.appendAll(List.of(1L, 2L, -1L, 4L));
            List<StateSyncException> errors = new CopyOnWriteArrayList<>();
            try (EventSourcedState<Long, Long> state = EventSourcedState.builder(log, 0L, (Long s, Long e) -> {
                        if (e < 0) {
                            throw new IllegalArgumentException("negative amount " + e);
                        }
                        return s + e;
                    })
                    .build()) {
                state.addListener(new StateListener<>() {
                    @Override
                    public void onChange(StateChange<Long> change) {}

                    @Override
                    public void onError(StateSyncException error) {
                        errors.add(error);
                    }
                });
                state.start();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> state.failure().isPresent());
                assertThat(state.position()).isEqualTo(2);
                assertThat(state.current().value()).isEqualTo(3L);
                assertThat(errors)
                        .singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("position 2"));
            }
        }
    }
}
