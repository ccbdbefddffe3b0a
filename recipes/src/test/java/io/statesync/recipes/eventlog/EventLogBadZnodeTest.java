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
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A znode under the log that is not an event-log record, or a gap an outside writer left (a record
 * znode deleted), made through the coordinator's escape hatch: readers deliver every valid event
 * before it, then apply their {@link UndecodablePolicy} to the bad position; appends go on.
 */
@Timeout(60)
class EventLogBadZnodeTest {
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

    private EventLog<String> log() {
        EventLog<String> log = EventLog.builder(coordinator, "/log", Codec.utf8())
                .segmentSize(10)
                .groupSize(10)
                .build();
        log.start();
        return log;
    }

    /** Creates a znode that is not a record at a position of segment 0, as an outside writer would. */
    private void foreignZnode(long position) throws Exception {
        coordinator
                .curatorFramework()
                .create()
                .forPath("/log/log/0/0/" + position, "garbage".getBytes(StandardCharsets.UTF_8));
    }

    private static final class Recorder implements StateListener<LogEvent<String>> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Long> positions = new CopyOnWriteArrayList<>();
        final List<StateSyncException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<LogEvent<String>> change) {
            LogEvent<String> e = change.current().get().value();
            events.add(e.event());
            positions.add(e.position());
        }

        @Override
        public void onError(StateSyncException error) {
            errors.add(error);
        }
    }

    private static EventSubscription<String> subscribe(EventLog<String> log, UndecodablePolicy policy, Recorder r) {
        EventSubscription<String> s = log.subscription(0, policy);
        s.addListener(r);
        s.start();
        return s;
    }

    @Test
    void aZnodeThatIsNotARecordAtTheTailLetsAppendsGoOnAndReadersDeliverWhatIsValidThenApplyTheirPolicy()
            throws Exception {
        try (EventLog<String> log = log()) {
            log.appendAll(List.of("a", "b", "c"));
            foreignZnode(3);
            // The same instance (whose end-of-log hint is 3) and a fresh one both append after it.
            assertThat(log.append("d")).isEqualTo(4);
            try (EventLog<String> other = log()) {
                assertThat(other.append("e")).isEqualTo(5);
                assertThat(other.endPosition()).isEqualTo(6);
            }
            Recorder stopped = new Recorder();
            Recorder skipped = new Recorder();
            try (EventSubscription<String> stop = subscribe(log, UndecodablePolicy.STOP, stopped);
                    EventSubscription<String> skip = subscribe(log, UndecodablePolicy.SKIP, skipped)) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> stop.failure().isPresent()
                                && skipped.events.size() == 5
                                && stopped.errors.size() == 1
                                && skipped.errors.size() == 1);
                assertThat(stopped.events).containsExactly("a", "b", "c");
                assertThat(stop.position()).isEqualTo(3);
                assertThat(stop.failure().get()).isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.position()).isEqualTo(3);
                    assertThat(e.resumePosition()).isEqualTo(4);
                    assertThat(e.getMessage()).contains("/log/log/0/0/3", "not an event-log record");
                });
                assertThat(stopped.errors).hasSize(1);
                assertThat(skipped.events).containsExactly("a", "b", "c", "d", "e");
                assertThat(skipped.positions).containsExactly(0L, 1L, 2L, 4L, 5L);
                assertThat(skipped.errors)
                        .singleElement()
                        .isInstanceOfSatisfying(
                                EventDecodingException.class,
                                e -> assertThat(e.position()).isEqualTo(3));
                assertThat(skip.failure()).isEmpty();
                // The skipping reader follows new appends past the bad znode.
                log.append("f");
                await().atMost(Duration.ofSeconds(20)).until(() -> skipped.events.size() == 6);
            }
            assertThatThrownBy(() -> log.read(0, 10)).isInstanceOfSatisfying(EventDecodingException.class, e -> {
                assertThat(e.position()).isEqualTo(3);
                assertThat(e.resumePosition()).isEqualTo(4);
            });
            assertThat(log.read(0, 3)).extracting(LogEvent::event).containsExactly("a", "b", "c");
            assertThat(log.read(4, 10)).extracting(LogEvent::event).containsExactly("d", "e", "f");
        }
    }

    @Test
    void aGapLeftByADeletedRecordIsReportedAtItsFirstPositionAfterTheValidEventsBeforeIt() throws Exception {
        try (EventLog<String> log = log()) {
            for (String e : List.of("a", "b", "c", "d")) {
                log.append(e);
            }
            coordinator.curatorFramework().delete().forPath("/log/log/0/0/1");
            coordinator.curatorFramework().delete().forPath("/log/log/0/0/2");
            Recorder stopped = new Recorder();
            Recorder skipped = new Recorder();
            try (EventSubscription<String> stop = subscribe(log, UndecodablePolicy.STOP, stopped);
                    EventSubscription<String> skip = subscribe(log, UndecodablePolicy.SKIP, skipped)) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() ->
                                stop.failure().isPresent() && skipped.events.size() == 2 && skipped.errors.size() == 1);
                assertThat(stopped.events).containsExactly("a");
                assertThat(stop.position()).isEqualTo(1);
                assertThat(stop.failure().get()).isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.position()).isEqualTo(1);
                    assertThat(e.resumePosition()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("no record");
                });
                assertThat(skipped.positions).containsExactly(0L, 3L);
                assertThat(skipped.errors).hasSize(1);
                assertThat(log.append("e")).isEqualTo(4);
                await().atMost(Duration.ofSeconds(20)).until(() -> skipped.events.size() == 3);
                assertThat(skipped.events).containsExactly("a", "d", "e");
            }
        }
    }

    @Test
    void aMissingFirstRecordOfTheSegmentIsAGapToo() throws Exception {
        try (EventLog<String> log = log()) {
            log.append("a");
            log.append("b");
            coordinator.curatorFramework().delete().forPath("/log/log/0/0/0");
            Recorder skipped = new Recorder();
            try (EventSubscription<String> skip = subscribe(log, UndecodablePolicy.SKIP, skipped)) {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> skipped.events.size() == 1 && skipped.errors.size() == 1);
                assertThat(skipped.positions).containsExactly(1L);
                assertThat(skipped.errors).singleElement().isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.position()).isZero();
                    assertThat(e.resumePosition()).isEqualTo(1);
                });
            }
        }
    }

    @Test
    void aWholeSegmentDeletedBetweenOthersIsAGapFromItsFirstPosition() throws Exception {
        try (EventLog<String> log = log()) {
            for (int s = 0; s < 3; s++) {
                List<String> batch = new java.util.ArrayList<>();
                for (int i = 0; i < (s < 2 ? 10 : 5); i++) {
                    batch.add("s" + s + "e" + i);
                }
                log.appendAll(batch);
            }
            coordinator.curatorFramework().delete().deletingChildrenIfNeeded().forPath("/log/log/0/1");
            Recorder stopped = new Recorder();
            Recorder skipped = new Recorder();
            try (EventSubscription<String> stop = subscribe(log, UndecodablePolicy.STOP, stopped);
                    EventSubscription<String> skip = subscribe(log, UndecodablePolicy.SKIP, skipped)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> stop.failure().isPresent()
                                && skipped.events.size() == 15
                                && skipped.errors.size() == 1);
                assertThat(stopped.events).hasSize(10);
                assertThat(stop.position()).isEqualTo(10);
                assertThat(skipped.errors.get(0)).isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.position()).isEqualTo(10);
                    assertThat(e.resumePosition()).isEqualTo(20);
                });
                assertThat(skipped.positions.get(10)).isEqualTo(20L);
                assertThatThrownBy(() -> log.read(5, 10))
                        .isInstanceOfSatisfying(
                                EventDecodingException.class,
                                e -> assertThat(e.position()).isEqualTo(10));
                assertThat(log.append("after")).isEqualTo(25);
                await().atMost(Duration.ofSeconds(20)).until(() -> skipped.events.size() == 16);
            }
        }
    }

    @Test
    void anEventSourcedStateStopsAtTheBadZnodeWithTheValidEventsApplied() throws Exception {
        try (EventLog<String> log = log()) {
            log.appendAll(List.of("a", "b", "c"));
            foreignZnode(3);
            log.append("d");
            try (EventSourcedState<String, String> state =
                            EventSourcedState.builder(log, "", String::concat).build();
                    EventSourcedState<String, String> skipping = EventSourcedState.builder(log, "", String::concat)
                            .onUndecodable(UndecodablePolicy.SKIP)
                            .build()) {
                state.start();
                skipping.start();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> state.failure().isPresent());
                assertThat(state.current().value()).isEqualTo("abc");
                assertThat(state.position()).isEqualTo(3);
                assertThat(skipping.awaitPosition(5, Duration.ofSeconds(20))).isTrue();
                assertThat(skipping.current().value()).isEqualTo("abcd");
            }
        }
    }
}
