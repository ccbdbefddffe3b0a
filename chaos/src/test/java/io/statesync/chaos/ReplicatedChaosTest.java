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
 * A replicated state (the list of commands applied) on three client processes that all submit
 * ({@link ReplicatedNode}), on a real ensemble of three ZooKeeper server processes. Nemeses, each
 * round: the leading node frozen past its session (SIGSTOP, then SIGCONT); the leading node killed
 * (SIGKILL), a fresh node started in its place; the ensemble's leader server killed and restarted.
 * Server nemeses alone, in a second test, each round: a follower server frozen, quorum lost, a
 * rolling restart ({@link ServerFaults}). Checked by {@link ReplicatedHistory}: every acknowledged
 * command applied exactly once, at the position its future named, in one order on every node.
 * Histories are kept in {@code target/}.
 */
@Timeout(600)
@Tag("slow")
class ReplicatedChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    /** Three nodes (n1, n2, n3), their histories kept. */
    private List<JvmProcess> startNodes(Ensemble ensemble, String namespace) throws Exception {
        processes.keepHistoriesAs(namespace);
        Map<String, List<String>> args = new LinkedHashMap<>();
        for (String n : List.of("n1", "n2", "n3")) {
            args.put(n, args(ensemble, namespace, n));
        }
        return processes.nodes(ReplicatedNode.class, args);
    }

    private static List<String> args(Ensemble ensemble, String namespace, String name) {
        return List.of(ensemble.connectString(), namespace, name, Integer.toString(SESSION_MS));
    }

    /** The node whose election last said it leads (polled until one says so). */
    private static JvmProcess leader(List<JvmProcess> nodes) {
        JvmProcess[] found = new JvmProcess[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    long best = 0;
                    for (JvmProcess p : nodes) {
                        String last = p.lastLine(l -> l.startsWith("LEADER ")).orElse("LEADER false 0 0");
                        String[] f = last.split(" ");
                        if (f[1].equals("true") && Long.parseLong(f[3]) > best) {
                            best = Long.parseLong(f[3]);
                            found[0] = p;
                        }
                    }
                    return best > 0;
                });
        return found[0];
    }

    private static long maxVersion(List<JvmProcess> nodes) {
        long max = 0;
        for (JvmProcess p : nodes) {
            for (String l : p.out()) {
                if (l.startsWith("STATE ")) {
                    max = Math.max(max, Long.parseLong(l.split(" ")[1]));
                }
            }
        }
        return max;
    }

    /** When a state newer than {@code version} was first seen after {@code t} on {@code nodes}, or 0. */
    private static long newerStateAfter(List<JvmProcess> nodes, long version, long t) {
        long first = 0;
        for (JvmProcess p : nodes) {
            for (String l : p.out()) {
                String[] f = l.split(" ");
                if (f[0].equals("STATE") && Long.parseLong(f[1]) > version) {
                    long at = Long.parseLong(f[4]);
                    if (at > t && (first == 0 || at < first)) {
                        first = at;
                    }
                }
            }
        }
        return first;
    }

    private static long acknowledged(List<JvmProcess> nodes) {
        long n = 0;
        for (JvmProcess p : nodes) {
            n += p.out().stream().filter(l -> l.startsWith("OK ")).count();
        }
        return n;
    }

    /** When a survivor's election first said it leads after {@code t}, or 0. */
    private static long newLeaderAfter(List<JvmProcess> survivors, long t) {
        long first = 0;
        for (JvmProcess p : survivors) {
            for (String l : p.out()) {
                String[] f = l.split(" ");
                if (f[0].equals("LEADER") && f[1].equals("true")) {
                    long at = Long.parseLong(f[3]);
                    if (at > t && (first == 0 || at < first)) {
                        first = at;
                    }
                }
            }
        }
        return first;
    }

    /**
     * Waits until a survivor leads after a fault at {@code t} and its first state is seen; how long
     * after the fault each came.
     */
    private static String takeover(List<JvmProcess> survivors, long t) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> newLeaderAfter(survivors, t) > 0);
        long leads = newLeaderAfter(survivors, t);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> newerStateAfter(survivors, 0, leads) > 0);
        return String.format(
                Locale.ROOT,
                "a new leader after %.0f ms, its first state seen after %.0f ms",
                (leads - t) / 1e6,
                (newerStateAfter(survivors, 0, leads) - t) / 1e6);
    }

    @Test
    void everyAcknowledgedCommandIsAppliedOnceInOneOrderThroughAFrozenAndAKilledLeaderNodeAndAKilledLeaderServer()
            throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-replicated";
        List<JvmProcess> nodes = new ArrayList<>(startNodes(ensemble, namespace));
        List<JvmProcess> all = new ArrayList<>(nodes);
        List<String> afterFreeze = new ArrayList<>();
        List<String> afterKill = new ArrayList<>();
        List<Long> afterServerKill = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long started = acknowledged(nodes);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> acknowledged(nodes) > started + 20);
            // the leading node frozen past its session
            JvmProcess frozen = leader(nodes);
            List<JvmProcess> others = new ArrayList<>(nodes);
            others.remove(frozen);
            long frozenAt = System.nanoTime();
            frozen.pause();
            try {
                afterFreeze.add(takeover(others, frozenAt));
                long more = acknowledged(others);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> acknowledged(others) > more + 10);
            } finally {
                frozen.resume();
            }
            // the leading node killed; a fresh node in its place
            JvmProcess victim = leader(nodes);
            nodes.remove(victim);
            long killedAt = System.nanoTime();
            victim.kill();
            afterKill.add(takeover(nodes, killedAt));
            JvmProcess fresh =
                    processes.node(ReplicatedNode.class, "k" + round, args(ensemble, namespace, "k" + round));
            nodes.add(fresh);
            all.add(fresh);
            // the ensemble's leader server killed, then restarted
            int server = ensemble.leader();
            long serverKilledAt = System.nanoTime();
            ensemble.kill(server);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> ChaosReport.firstSentAndAcknowledgedAfter(nodes, serverKilledAt) > 0);
            afterServerKill.add(ChaosReport.firstSentAndAcknowledgedAfter(nodes, serverKilledAt));
            ensemble.restart(server);
        }
        ReplicatedHistory history = stopAndCheck(namespace, nodes, all);
        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Replicated state, 3 submitting nodes: the leading node frozen past its session (SIGSTOP %dx),"
                        + " the leading node killed (SIGKILL %dx, a fresh node in its place), the ensemble's leader"
                        + " server killed and restarted (%dx), session %d ms\n\n"
                        + "- submissions: %s; commands applied: %d; states seen and checked: %d; nodes' final states"
                        + " compared: %d\n"
                        + "- acknowledged commands lost: 0; applied twice: 0; out of order on a node: 0;"
                        + " unknown-outcome commands applied: %d\n"
                        + "- after the freeze: %s; after the node kill: %s; the first command submitted after the"
                        + " server kill applied %s ms after it\n",
                ROUNDS,
                ROUNDS,
                ROUNDS,
                SESSION_MS,
                history.outcomes(),
                history.reference().size(),
                history.statesSeen(),
                history.finals(),
                history.unknownApplied(),
                afterFreeze,
                afterKill,
                EventLogChaosTest.millis(afterServerKill)));
    }

    @Test
    @Tag("slow")
    void everyAcknowledgedCommandIsAppliedOnceInOneOrderThroughAFrozenFollowerQuorumLossAndARollingRestart()
            throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-replicated-servers";
        List<JvmProcess> nodes = startNodes(ensemble, namespace);
        List<String> measured = ServerFaults.eachRound(
                ensemble, ROUNDS, Duration.ofMillis(SESSION_MS * 3L / 2), () -> acknowledged(nodes));
        ReplicatedHistory history = stopAndCheck(namespace, nodes, nodes);
        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Replicated state, 3 submitting nodes: a follower server frozen (SIGSTOP), quorum lost (leader and"
                        + " a follower SIGKILLed, then restarted), a rolling restart (SIGTERM), %dx each, session %d"
                        + " ms\n\n"
                        + "- submissions: %s; commands applied: %d; states seen and checked: %d; nodes' final states"
                        + " compared: %d\n"
                        + "- acknowledged commands lost: 0; applied twice: 0; out of order on a node: 0;"
                        + " unknown-outcome commands applied: %d\n- %s\n",
                ROUNDS,
                SESSION_MS,
                history.outcomes(),
                history.reference().size(),
                history.statesSeen(),
                history.finals(),
                history.unknownApplied(),
                String.join("\n- ", measured)));
    }

    /**
     * Waits until the nodes acknowledge more, stops their submissions, waits until each has the
     * newest version any process saw, keeps the histories and checks them.
     *
     * @param nodes the running nodes
     * @param all every node started, killed ones too
     */
    private static ReplicatedHistory stopAndCheck(String namespace, List<JvmProcess> nodes, List<JvmProcess> all)
            throws Exception {
        long settled = acknowledged(nodes);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> acknowledged(nodes) > settled + 20);
        for (JvmProcess p : nodes) {
            p.type("stop");
        }
        for (JvmProcess p : nodes) {
            p.awaitLine("SUBMITTED " + p.name(), Duration.ofSeconds(60));
        }
        long last = maxVersion(all);
        for (JvmProcess p : nodes) {
            p.type("final " + last);
        }
        for (JvmProcess p : nodes) {
            p.awaitLine("DONE " + p.name(), Duration.ofSeconds(90));
        }
        ChaosReport.keep(namespace, all);
        ReplicatedHistory history = new ReplicatedHistory();
        for (JvmProcess p : all) {
            history.read(p.name(), p.out());
        }
        assertThat(history.check())
                .as("replicated-state checks (histories in target/%s-*.history)", namespace)
                .isEmpty();
        assertThat(history.finals()).isEqualTo(3);
        assertThat(history.reference()).hasSizeGreaterThan(50);
        return history;
    }
}
