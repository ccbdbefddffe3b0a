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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Appends, reads, subscriptions, segments, truncation and bad input against a real server. */
@Timeout(60)
class EventLogTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private Coordinator coordinator;

    @BeforeEach
    void connect() throws Exception {
        coordinator = EventLogFixtures.connect(zk, zk.connectString());
    }

    @AfterEach
    void close() {
        coordinator.close();
    }

    private EventLog<String> log(int segmentSize, int groupSize) {
        EventLog<String> log = EventLog.builder(coordinator, "/log", Codec.utf8())
                .segmentSize(segmentSize)
                .groupSize(groupSize)
                .build();
        log.start();
        return log;
    }

    @Test
    void appendsGetDenseConsecutivePositionsAndReadBackInOrder() throws Exception {
        try (EventLog<String> log = log(10, 10)) {
            assertThat(log.endPosition()).isZero();
            assertThat(log.append("a")).isZero();
            assertThat(log.append("b")).isEqualTo(1);
            assertThat(log.appendAll(List.of("c", "d", "e"))).isEqualTo(2);
            assertThat(log.endPosition()).isEqualTo(5);
            List<LogEvent<String>> all = log.read(0, 100);
            assertThat(all).extracting(LogEvent::event).containsExactly("a", "b", "c", "d", "e");
            assertThat(all).extracting(LogEvent::position).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(log.read(3, 1)).extracting(LogEvent::event).containsExactly("d");
            assertThat(log.read(5, 10)).isEmpty();
        }
    }

    @Test
    void appendAllIsAtomicAcrossSegmentBoundariesAndPacksEventsPerZnode() throws Exception {
        try (EventLog<String> log = log(10, 3)) {
            log.append("first");
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 45; i++) {
                batch.add("e" + i);
            }
            assertThat(log.appendAll(batch)).isEqualTo(1);
            assertThat(log.endPosition()).isEqualTo(46);
            // 46 events in 5 segments over 2 groups; every segment holds at most 10 znodes.
            var curator = coordinator.curatorFramework();
            assertThat(curator.getChildren().forPath("/log/log")).containsExactlyInAnyOrder("0", "1");
            assertThat(curator.getChildren().forPath("/log/log/0/0")).containsExactlyInAnyOrder("0", "1");
            assertThat(curator.getChildren().forPath("/log/log/0/1")).containsExactly("10");
            assertThat(curator.getChildren().forPath("/log/log/1/4")).containsExactly("40");
            List<LogEvent<String>> all = log.read(0, 1000);
            assertThat(all).hasSize(46);
            assertThat(all.subList(1, 46)).extracting(LogEvent::event).containsExactlyElementsOf(batch);
            assertThat(log.read(37, 5)).extracting(LogEvent::position).containsExactly(37L, 38L, 39L, 40L, 41L);
        }
    }

    @Test
    void anOversizedEventOrBatchIsRefusedBeforeAnythingIsSent() throws Exception {
        try (EventLog<String> log = log(10, 10)) {
            log.append("before");
            String big = "x".repeat(coordinator.maxValueBytes());
            assertThatThrownBy(() -> log.append(big)).isInstanceOf(ValueTooLargeException.class);
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                batch.add("y".repeat(coordinator.maxValueBytes() / 20));
            }
            assertThatThrownBy(() -> log.appendAll(batch)).isInstanceOf(ValueTooLargeException.class);
            assertThat(log.endPosition()).isEqualTo(1);
            assertThat(log.append("after")).isEqualTo(1);
        }
    }

    @Test
    void aSubscriberSeesHistoryThenFollowsNewAppendsAcrossSegments() throws Exception {
        try (EventLog<String> log = log(5, 2)) {
            for (int i = 0; i < 7; i++) {
                log.append("h" + i);
            }
            Recorder recorder = new Recorder();
            try (EventSubscription<String> sub = log.subscribe(3, recorder)) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> recorder.positions().size() == 4);
                for (int i = 7; i < 30; i++) {
                    log.append("n" + i);
                }
                log.appendAll(List.of("x", "y", "z"));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> recorder.positions().size() == 30);
                assertThat(recorder.positions()).containsExactlyElementsOf(range(3, 33));
                assertThat(sub.position()).isEqualTo(33);
                assertThat(recorder.events.get(0).current().get().value().event())
                        .isEqualTo("h3");
                assertThat(recorder.events.get(0).path()).isEqualTo("/log");
            }
        }
    }

    @Test
    void readingOrSubscribingBeforeTheRetainedHistoryIsATypedErrorWithTheEarliestPosition() throws Exception {
        try (EventLog<String> log = log(10, 2)) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 95; i++) {
                batch.add("e" + i);
            }
            log.appendAll(batch.subList(0, 50));
            log.appendAll(batch.subList(50, 95));
            log.truncateBefore(42);
            assertThat(log.earliestPosition()).isEqualTo(42);
            assertThatThrownBy(() -> log.read(41, 10)).isInstanceOfSatisfying(HistoryTruncatedException.class, e -> {
                assertThat(e.earliest()).isEqualTo(42);
                assertThat(e.requested()).isEqualTo(41);
            });
            assertThat(log.read(42, 1)).extracting(LogEvent::event).containsExactly("e42");
            // Whole segments below 42 are gone, and their groups with them.
            assertThat(coordinator.curatorFramework().getChildren().forPath("/log/log"))
                    .containsExactlyInAnyOrder("2", "3", "4");
            Recorder recorder = new Recorder();
            try (EventSubscription<String> sub = log.subscribe(10, recorder)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> sub.failure().isPresent());
                assertThat(sub.failure().get())
                        .isInstanceOfSatisfying(
                                HistoryTruncatedException.class,
                                e -> assertThat(e.earliest()).isEqualTo(42));
                assertThat(recorder.errors).hasSize(1);
                assertThat(recorder.events).isEmpty();
            }
            assertThatThrownBy(() -> log.truncateBefore(96)).isInstanceOf(IllegalArgumentException.class);
            log.truncateBefore(95);
            assertThat(log.read(95, 10)).isEmpty();
            assertThat(log.append("after")).isEqualTo(95);
            assertThat(log.read(95, 10)).extracting(LogEvent::event).containsExactly("after");
        }
    }

    @Test
    void anUndecodableEventStopsTheSubscriberByDefaultOrIsSkippedAndAlwaysReported() throws Exception {
        try (EventLog<String> text = log(10, 10);
                EventLog<Long> numbers = EventLog.builder(coordinator, "/log", Codec.longs())
                        .segmentSize(10)
                        .groupSize(10)
                        .build()) {
            numbers.start();
            numbers.append(1L);
            text.append("not a number");
            numbers.append(3L);

            assertThatThrownBy(() -> numbers.read(0, 10))
                    .isInstanceOfSatisfying(
                            EventDecodingException.class,
                            e -> assertThat(e.position()).isEqualTo(1));

            List<Long> stopped = new CopyOnWriteArrayList<>();
            List<StateSyncException> stopErrors = new CopyOnWriteArrayList<>();
            EventSubscription<Long> stop = numbers.subscription(0, UndecodablePolicy.STOP);
            stop.addListener(listener(stopped, stopErrors));
            stop.start();
            List<Long> skipped = new CopyOnWriteArrayList<>();
            List<StateSyncException> skipErrors = new CopyOnWriteArrayList<>();
            EventSubscription<Long> skip = numbers.subscription(0, UndecodablePolicy.SKIP);
            skip.addListener(listener(skipped, skipErrors));
            skip.start();

            await().atMost(Duration.ofSeconds(20)).until(() -> stop.failure().isPresent() && skipped.size() == 2);
            assertThat(stopped).containsExactly(1L);
            assertThat(stop.position()).isEqualTo(1);
            assertThat(stopErrors)
                    .singleElement()
                    .isInstanceOfSatisfying(
                            EventDecodingException.class,
                            e -> assertThat(e.position()).isEqualTo(1));
            assertThat(skipped).containsExactly(1L, 3L);
            assertThat(skipErrors).singleElement().isInstanceOf(EventDecodingException.class);
            assertThat(skip.failure()).isEmpty();
        }
    }

    @Test
    void buildRejectsBadPathsAndOptionsByName() {
        assertThatThrownBy(() ->
                        EventLog.builder(coordinator, "relative", Codec.utf8()).build())
                .hasMessageContaining("relative");
        assertThatThrownBy(() -> EventLog.builder(coordinator, "/x", Codec.utf8())
                        .segmentSize(1)
                        .build())
                .hasMessageContaining("segmentSize");
        assertThatThrownBy(() -> EventLog.builder(coordinator, "/x", Codec.utf8())
                        .groupSize(100_000)
                        .build())
                .hasMessageContaining("groupSize");
        assertThatThrownBy(() -> EventLog.builder(coordinator, "/x", Codec.utf8())
                        .appendTimeout(Duration.ZERO)
                        .build())
                .hasMessageContaining("appendTimeout");
        EventLog<String> latent =
                EventLog.builder(coordinator, "/x", Codec.utf8()).build();
        assertThatThrownBy(() -> latent.append("a")).isInstanceOf(IllegalStateException.class);
    }

    private static StateListener<LogEvent<Long>> listener(List<Long> values, List<StateSyncException> errors) {
        return new StateListener<>() {
            @Override
            public void onChange(StateChange<LogEvent<Long>> change) {
                values.add(change.current().get().value().event());
            }

            @Override
            public void onError(StateSyncException error) {
                errors.add(error);
            }
        };
    }

    static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().collect(Collectors.toList());
    }

    /** Records changes and errors. */
    static final class Recorder implements StateListener<LogEvent<String>> {
        final List<StateChange<LogEvent<String>>> events = new CopyOnWriteArrayList<>();
        final List<StateSyncException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<LogEvent<String>> change) {
            events.add(change);
        }

        @Override
        public void onError(StateSyncException error) {
            errors.add(error);
        }

        List<Long> positions() {
            return events.stream()
                    .map(c -> c.current().get().value().position())
                    .collect(Collectors.toList());
        }
    }
}
