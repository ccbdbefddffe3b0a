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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Kafka event log's promises, on a real KRaft broker and a real ZooKeeper server. */
@Timeout(120)
class KafkaEventLogTest extends KafkaTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger LOGS = new AtomicInteger();

    private static String freshPath() {
        return "/events-" + LOGS.incrementAndGet();
    }

    private KafkaEventLog<String> open(
            Coordinator node, String path, UnaryOperator<KafkaEventLog.Builder<String>> options) {
        return started(options.apply(kafkaLog(node, path, Codec.utf8())));
    }

    private KafkaEventLog<String> open(Coordinator node, String path) {
        return open(node, path, b -> b);
    }

    /** Every event a subscription delivers, in order. */
    private List<LogEvent<String>> follow(EventLog<String> log, long from) {
        List<LogEvent<String>> seen = new CopyOnWriteArrayList<>();
        nodes.closeLater(log.subscribe(
                from, change -> seen.add(change.current().orElseThrow().value())));
        return seen;
    }

    private static List<String> events(List<LogEvent<String>> delivered) {
        return delivered.stream().map(LogEvent::event).toList();
    }

    private static List<Long> positions(List<LogEvent<String>> delivered) {
        return delivered.stream().map(LogEvent::position).toList();
    }

    @Test
    void everyAcknowledgedAppendAppearsExactlyOnceInPositionOrderOnEveryReader() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        Coordinator b = node();
        KafkaEventLog<String> logA = open(a, path);
        KafkaEventLog<String> logB = open(b, path);
        List<LogEvent<String>> seenA = follow(logA.log(), 0);
        List<LogEvent<String>> seenB = follow(logB.log(), 0);

        // Three writers on two nodes, single appends and batches of three.
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                EventLog<String> log = (w % 2 == 0 ? logA : logB).log();
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        String e = "w" + writer + "-" + i;
                        if (i % 5 == 4) {
                            List<String> batch = List.of(e + "a", e + "b", e + "c");
                            long first = log.appendAll(batch);
                            for (int k = 0; k < batch.size(); k++) {
                                acknowledged.put(first + k, batch.get(k));
                            }
                        } else {
                            acknowledged.put(log.append(e), e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int total = 3 * (24 + 6 * 3);
        assertThat(acknowledged).hasSize(total);
        List<String> expected = new ArrayList<>(new TreeMap<>(acknowledged).values());
        List<Long> expectedPositions = new ArrayList<>(new TreeMap<>(acknowledged).keySet());

        await().atMost(WAIT).until(() -> seenA.size() >= total && seenB.size() >= total);
        for (List<LogEvent<String>> seen : List.of(seenA, seenB)) {
            assertThat(events(seen)).containsExactlyElementsOf(expected);
            assertThat(positions(seen)).containsExactlyElementsOf(expectedPositions);
        }
        assertThat(events(logB.log().read(0, 10_000))).containsExactlyElementsOf(expected);
        // Paging with read, each page from one past the last event of the one before.
        List<LogEvent<String>> paged = new ArrayList<>();
        long from = 0;
        while (paged.size() < total) {
            List<LogEvent<String>> page = logA.log().read(from, 7);
            assertThat(page).isNotEmpty();
            paged.addAll(page);
            from = page.get(page.size() - 1).position() + 1;
        }
        assertThat(events(paged)).containsExactlyElementsOf(expected);
        assertThat(logA.log().endPosition()).isEqualTo(expectedPositions.get(total - 1) + 1);
        assertThat(logA.log().earliestPosition()).isZero();
        // A reader from the middle sees exactly the rest.
        long middle = expectedPositions.get(total / 2);
        List<LogEvent<String>> late = follow(logB.log(), middle);
        await().atMost(WAIT).until(() -> late.size() >= total - total / 2);
        assertThat(events(late)).containsExactlyElementsOf(expected.subList(total / 2, total));
    }

    @Test
    void anAppendSentAgainByANewProducerUnderTheSameWriterAndSequenceIsAppliedOnce() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        KafkaEventLog<String> first = open(a, path);
        long p1 = first.appendOnce("outbox-7", 41, List.of("x", "y"), WAIT);
        // The process restarts: a new log instance, a new producer, the same writer id and sequence.
        first.close();
        Coordinator b = node();
        KafkaEventLog<String> restarted = open(b, path);
        long p2 = restarted.appendOnce("outbox-7", 41, List.of("x", "y"), WAIT);
        assertThat(p2).isEqualTo(p1 + 2); // the copy landed: readers must skip it
        long p3 = restarted.log().append("z");

        List<LogEvent<String>> fromStart = follow(restarted.log(), 0);
        await().atMost(WAIT).until(() -> fromStart.size() >= 3);
        assertThat(events(fromStart)).containsExactly("x", "y", "z");
        assertThat(positions(fromStart)).containsExactly(p1, p1 + 1, p3);
        assertThat(events(restarted.log().read(0, 100))).containsExactly("x", "y", "z");
        // A reader that starts at the copy itself still recognises it (it reads the window before).
        List<LogEvent<String>> fromCopy = follow(restarted.log(), p2);
        await().atMost(WAIT).until(() -> fromCopy.size() >= 1);
        assertThat(events(fromCopy)).containsExactly("z");
        assertThat(events(restarted.log().read(p2, 100))).containsExactly("z");

        // An event-sourced state counts each event once and reaches the end of the log.
        EventSourcedState<String, String> state =
                EventSourcedState.builder(restarted.log(), "", (s, e) -> s + e).build();
        nodes.closeLater(state);
        state.start();
        assertThat(state.awaitPosition(p3 + 1, WAIT)).isTrue();
        assertThat(state.current().value()).isEqualTo("xyz");
    }

    @Test
    void anAppendWhoseCopyIsLastStillLetsAStateReachTheEndOfTheLog() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        KafkaEventLog<String> log = open(a, path);
        EventSourcedState<String, String> state =
                EventSourcedState.builder(log.log(), "", (s, e) -> s + e).build();
        nodes.closeLater(state);
        state.start();
        long p1 = log.appendOnce("w", 1, List.of("a"), WAIT);
        long copy = log.appendOnce("w", 1, List.of("a"), WAIT);
        // The skipped copy is the last record: the state's position still passes it.
        assertThat(state.awaitPosition(copy + 1, WAIT)).isTrue();
        assertThat(state.current().value()).isEqualTo("a");
        assertThat(state.position()).isEqualTo(copy + 1);
        assertThat(p1).isLessThan(copy);
    }

    @Test
    void aDeposedLeadersLateAppendIsIgnoredByEveryReader() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        Coordinator b = node();
        LeaderElection electionA =
                LeaderElection.builder(a, path + "-leader").participantId("a").build();
        nodes.closeLater(electionA);
        electionA.start();
        assertThat(electionA.awaitLeadership(WAIT)).isTrue();
        Leadership leaderA = electionA.leadership().orElseThrow();
        LeaderElection electionB =
                LeaderElection.builder(b, path + "-leader").participantId("b").build();
        nodes.closeLater(electionB);
        electionB.start();

        KafkaEventLog<String> logA = open(a, path);
        KafkaEventLog<String> logB = open(b, path);
        logA.appendAsLeader(leaderA, List.of("a1"), WAIT);

        electionA.relinquish();
        assertThat(electionB.awaitLeadership(WAIT)).isTrue();
        Leadership leaderB = electionB.leadership().orElseThrow();
        assertThat(leaderB.epoch()).isGreaterThan(leaderA.epoch());
        logB.appendAsLeader(leaderB, List.of("b1"), WAIT);
        // A still holds its old leadership and sends: the append lands, and nobody applies it.
        long late = logA.appendAsLeader(leaderA, List.of("a-late"), WAIT);
        long b2 = logB.appendAsLeader(leaderB, List.of("b2"), WAIT);

        for (KafkaEventLog<String> log : List.of(logA, logB)) {
            List<LogEvent<String>> seen = follow(log.log(), 0);
            await().atMost(WAIT).until(() -> seen.size() >= 3);
            assertThat(events(seen)).containsExactly("a1", "b1", "b2");
            assertThat(events(log.log().read(0, 100))).containsExactly("a1", "b1", "b2");
        }
        List<LogEvent<String>> fromLate = follow(logB.log(), late);
        await().atMost(WAIT).until(() -> fromLate.size() >= 1);
        assertThat(events(fromLate)).containsExactly("b2");
        assertThat(positions(fromLate)).containsExactly(b2);
    }

    @Test
    void aLogFencedByAnElectionAppendsOnlyWhileItsNodeLeads() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        Coordinator b = node();
        LeaderElection electionA =
                LeaderElection.builder(a, path + "-leader").participantId("a").build();
        nodes.closeLater(electionA);
        electionA.start();
        assertThat(electionA.awaitLeadership(WAIT)).isTrue();
        LeaderElection electionB =
                LeaderElection.builder(b, path + "-leader").participantId("b").build();
        nodes.closeLater(electionB);
        electionB.start();
        KafkaEventLog<String> logA = open(a, path, o -> o.fencedBy(electionA));
        KafkaEventLog<String> logB = open(b, path, o -> o.fencedBy(electionB));

        logA.log().append("a1");
        assertThatThrownBy(() -> logB.log().append("refused"))
                .isInstanceOfSatisfying(
                        StateSyncException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateSyncException.Reason.NOT_LEADER));
        electionA.relinquish();
        assertThat(electionB.awaitLeadership(WAIT)).isTrue();
        assertThatThrownBy(() -> logA.log().append("refused"))
                .isInstanceOfSatisfying(
                        StateSyncException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateSyncException.Reason.NOT_LEADER));
        logB.log().append("b1");
        assertThat(events(logA.log().read(0, 100))).containsExactly("a1", "b1");
    }

    @Test
    void anEventSourcedStateWorksUnchangedWithSnapshotsInZooKeeper() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        KafkaEventLog<String> log = open(a, path);
        EventSourcedState<String, String> writer = EventSourcedState.builder(
                        log.log(), "0", (s, e) -> String.valueOf(Long.parseLong(s) + Long.parseLong(e)))
                .snapshots(Codec.utf8(), 10)
                .build();
        nodes.closeLater(writer);
        writer.start();
        long last = -1;
        for (int i = 1; i <= 35; i++) {
            last = i % 7 == 0
                    ? log.log().appendAll(List.of(String.valueOf(i), "0")) + 1
                    : log.log().append(String.valueOf(i));
        }
        assertThat(writer.awaitPosition(last + 1, WAIT)).isTrue();
        String full = writer.current().value();
        assertThat(full).isEqualTo(String.valueOf(35 * 36 / 2));

        // A late node starts from the newest snapshot in ZooKeeper and replays only the tail.
        Coordinator b = node();
        KafkaEventLog<String> late = open(b, path);
        EventSourcedState<String, String> joiner = EventSourcedState.builder(
                        late.log(), "0", (s, e) -> String.valueOf(Long.parseLong(s) + Long.parseLong(e)))
                .snapshots(Codec.utf8(), 10)
                .build();
        nodes.closeLater(joiner);
        joiner.start();
        assertThat(joiner.awaitPosition(last + 1, WAIT)).isTrue();
        assertThat(joiner.startSnapshotPosition()).isPresent();
        assertThat(joiner.startSnapshotPosition().getAsLong()).isGreaterThan(0);
        assertThat(joiner.current().value()).isEqualTo(full);
    }

    @Test
    void truncatedHistoryIsTheSameTypedErrorAsOnZooKeeper() throws Exception {
        String path = freshPath();
        Coordinator a = node();
        KafkaEventLog<String> log = open(a, path);
        long first = log.log().appendAll(List.of("a", "b", "c", "d", "e"));
        log.log().truncateBefore(first + 3);
        assertThat(log.log().earliestPosition()).isEqualTo(first + 3);
        assertThat(events(log.log().read(first + 3, 10))).containsExactly("d", "e");
        assertThatThrownBy(() -> log.log().read(first, 10))
                .isInstanceOfSatisfying(
                        HistoryTruncatedException.class,
                        e -> assertThat(e.earliest()).isEqualTo(first + 3));
        EventSubscription<String> sub = log.log().subscribe(first, change -> {});
        nodes.closeLater(sub);
        await().atMost(WAIT).until(() -> sub.failure().isPresent());
        assertThat(sub.failure().orElseThrow()).isInstanceOf(HistoryTruncatedException.class);
        assertThatThrownBy(() -> log.log().truncateBefore(first + 6)).isInstanceOf(IllegalArgumentException.class);
    }
}
