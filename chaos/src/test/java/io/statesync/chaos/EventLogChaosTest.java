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
package io.statesync.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.testkit.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An event log appended to and followed by four client processes ({@link EventLogNode}) on a real
 * ensemble of three ZooKeeper server processes: two leader-guarded appenders (only the elected one
 * appends, its events carrying its epoch, which readers use as a fence), one unguarded appender,
 * one reader; each subscribes from position 0 and replays the log at the end. Nemeses, each round:
 * the leading appender and the reader frozen past their sessions (SIGSTOP, then SIGCONT), then the
 * ensemble's leader server killed and restarted. Checked by {@link EventLogHistory}: one order on
 * every reader, every acknowledged append exactly once at its position, an unknown outcome at most
 * once, no deposed leader's append applied. Histories are kept in {@code target/}.
 */
@Timeout(600)
class EventLogChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    private static long acknowledged(List<JvmProcess> nodes) {
        long n = 0;
        for (JvmProcess p : nodes) {
            n += p.out().stream().filter(l -> l.startsWith("OK ")).count();
        }
        return n;
    }

    /** When {@code p} last sent a leader's append (0 if never). */
    private static long lastLeaderInvoke(JvmProcess p) {
        return p.lastLine(l -> l.startsWith("INVOKE L"))
                .map(l -> Long.parseLong(l.split(" ")[2]))
                .orElse(0L);
    }

    private static long epochOfLast(JvmProcess p) {
        return p.lastLine(l -> l.startsWith("INVOKE L"))
                .map(l -> EventLogNode.epochOf(l.split(" ")[1]))
                .orElse(-1L);
    }

    @Test
    void everyAcknowledgedAppendIsOnEveryReaderOnceInOneOrderThroughFrozenClientsAndAKilledLeaderServer()
            throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-eventlog";
        processes.keepHistoriesAs(namespace);
        Map<String, List<String>> args = new LinkedHashMap<>();
        for (String[] n : new String[][] {{"a", "leader"}, {"b", "leader"}, {"c", "append"}, {"r", "read"}}) {
            args.put(n[0], List.of(ensemble.connectString(), namespace, n[0], Integer.toString(SESSION_MS), n[1]));
        }
        List<JvmProcess> nodes = processes.nodes(EventLogNode.class, args);
        JvmProcess a = nodes.get(0);
        JvmProcess b = nodes.get(1);
        JvmProcess reader = nodes.get(3);
        List<Long> takeovers = new ArrayList<>();
        List<Long> serverRecoveries = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            // the leading appender and the reader frozen past their sessions
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> lastLeaderInvoke(a) > 0 || lastLeaderInvoke(b) > 0);
            JvmProcess leader = lastLeaderInvoke(a) >= lastLeaderInvoke(b) ? a : b;
            JvmProcess other = leader == a ? b : a;
            long epoch = epochOfLast(leader);
            long frozenAt = System.nanoTime();
            leader.pause();
            reader.pause();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> epochOfLast(other) > epoch);
                takeovers.add(System.nanoTime() - frozenAt);
                long more = acknowledged(List.of(other));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> acknowledged(List.of(other)) > more + 20);
            } finally {
                leader.resume();
                reader.resume();
            }
            // the ensemble's leader server killed, then restarted
            int server = ensemble.leader();
            long killedAt = System.nanoTime();
            ensemble.kill(server);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> ChaosReport.firstSentAndAcknowledgedAfter(nodes, killedAt) > 0);
            serverRecoveries.add(ChaosReport.firstSentAndAcknowledgedAfter(nodes, killedAt));
            ensemble.restart(server);
        }
        EventLogHistory history = stopAndCheck(namespace, nodes);
        List<String> deposed = history.deposedAppends();
        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Event log, 2 leader-guarded appenders, 1 appender, 1 reader: the leading appender and the"
                        + " reader frozen past their sessions (SIGSTOP %dx), the ensemble's leader server killed and"
                        + " restarted (%dx), session %d ms\n\n"
                        + "- appends: %s; events in the log: %d; readers checked: %d (subscription and replay each)\n"
                        + "- acknowledged appends lost: 0; in the log twice: 0; unknown-outcome appends that landed:"
                        + " %d\n- deposed leaders' appends that landed in the log: %d %s; applied by a reader: 0\n"
                        + "- leadership taken over %s ms after the freeze; the first append sent after the server kill"
                        + " acknowledged %s ms after it\n",
                ROUNDS,
                ROUNDS,
                SESSION_MS,
                history.outcomes(),
                history.log().size(),
                history.readers(),
                history.unknownLanded(),
                deposed.size(),
                deposed,
                millis(takeovers),
                millis(serverRecoveries)));
    }

    @Test
    @Tag("slow")
    void everyAcknowledgedAppendIsOnEveryReaderOnceInOneOrderThroughAFrozenFollowerQuorumLossAndARollingRestart()
            throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-eventlog-servers";
        processes.keepHistoriesAs(namespace);
        Map<String, List<String>> args = new LinkedHashMap<>();
        for (String[] n : new String[][] {{"a", "leader"}, {"b", "leader"}, {"c", "append"}, {"r", "read"}}) {
            args.put(n[0], List.of(ensemble.connectString(), namespace, n[0], Integer.toString(SESSION_MS), n[1]));
        }
        List<JvmProcess> nodes = processes.nodes(EventLogNode.class, args);
        java.util.function.LongSupplier progress = () -> acknowledged(nodes);
        List<String> measured = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            measured.add(ServerFaults.frozenFollower(ensemble, Duration.ofMillis(SESSION_MS * 3L / 2), progress));
            measured.add(ServerFaults.quorumLoss(ensemble, Duration.ofMillis(SESSION_MS * 3L / 2), progress));
            measured.add(ServerFaults.rollingRestart(ensemble, progress));
        }
        EventLogHistory history = stopAndCheck(namespace, nodes);
        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Event log, 2 leader-guarded appenders, 1 appender, 1 reader: a follower server frozen (SIGSTOP),"
                        + " quorum lost (leader and a follower SIGKILLed, then restarted), a rolling restart (SIGTERM),"
                        + " %dx each, session %d ms\n\n"
                        + "- appends: %s; events in the log: %d; readers checked: %d (subscription and replay each)\n"
                        + "- acknowledged appends lost: 0; in the log twice: 0; unknown-outcome appends that landed:"
                        + " %d; deposed leaders' appends that landed in the log: %d; applied by a reader: 0\n- %s\n",
                ROUNDS,
                SESSION_MS,
                history.outcomes(),
                history.log().size(),
                history.readers(),
                history.unknownLanded(),
                history.deposedAppends().size(),
                String.join("\n- ", measured)));
    }

    private static EventLogHistory stopAndCheck(String namespace, List<JvmProcess> nodes) throws Exception {
        long settled = acknowledged(nodes);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> acknowledged(nodes) > settled + 40);
        for (JvmProcess p : nodes) {
            p.type("stop");
        }
        // no node reads the log's end before every node stopped appending
        for (JvmProcess p : nodes) {
            p.awaitLine("STOPPED " + p.name(), Duration.ofSeconds(60));
        }
        for (JvmProcess p : nodes) {
            p.type("finish");
        }
        for (JvmProcess p : nodes) {
            p.awaitLine("DONE " + p.name(), Duration.ofSeconds(120));
        }
        ChaosReport.keep(namespace, nodes);
        EventLogHistory history = new EventLogHistory();
        for (JvmProcess p : nodes) {
            history.read(p.name(), p.out(), true);
        }
        List<String> violations = history.check();
        assertThat(violations)
                .as("event-log checks (histories in target/%s-*.history)", namespace)
                .isEmpty();
        assertThat(history.readers()).isEqualTo(4);
        assertThat(history.log()).as("events in the log").hasSizeGreaterThan(100);
        return history;
    }

    static List<String> millis(List<Long> nanos) {
        return nanos.stream()
                .map(n -> String.format(Locale.ROOT, "%.0f", n / 1e6))
                .toList();
    }
}
