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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shared-state register read, written and compared-and-set by three client processes on a real
 * ensemble of three ZooKeeper server processes, while one client is frozen past its session
 * (SIGSTOP, then SIGCONT) and the ensemble's leader server is killed and restarted. Every
 * operation's invocation and outcome is recorded; the whole history must be linearizable
 * ({@link RegisterHistory}). A failing run prints the window of operations for which no order exists,
 * and keeps the histories in {@code target/}.
 */
@Timeout(600)
// Out of the default run (runs with -Pchaos or -Pfull): before read() ordered its read behind a quorum
// operation it found, in about one run in three, a read on the ensemble's leader older than a write a
// follower had acknowledged (explained in docs/reliability.md); three five-round runs since were
// linearizable, which is not yet enough runs to bring it back into every build.
@Tag("slow")
class RegisterChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    private JvmProcess node(Ensemble ensemble, String namespace, String name) throws Exception {
        return processes.node(
                RegisterNode.class,
                name,
                List.of(ensemble.connectString(), namespace, name, Integer.toString(SESSION_MS)));
    }

    /** The operations that succeeded: the progress the server nemeses wait for and count. */
    private static long succeeded(JvmProcess p) {
        return p.out().stream().filter(l -> l.startsWith("OK ")).count();
    }

    private static long answered(JvmProcess p) {
        return p.out().stream()
                .filter(l -> l.startsWith("OK ") || l.startsWith("FAIL ") || l.startsWith("INFO "))
                .count();
    }

    @Test
    void aRegisterStaysLinearizableThroughAFrozenClientAndAKilledLeaderServer() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-register";
        List<String> leaders = new ArrayList<>(); // which server led when, for a second look
        leaders.add("LEADER " + ensemble.connectString(ensemble.leader()) + " " + System.nanoTime());
        JvmProcess a = node(ensemble, namespace, "a");
        JvmProcess b = node(ensemble, namespace, "b");
        JvmProcess c = node(ensemble, namespace, "c");
        for (int round = 0; round < ROUNDS; round++) {
            // a client frozen past its session while the others go on
            long before = answered(b) + answered(c);
            a.pause();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> answered(b) + answered(c) > before + 40);
                // past the session timeout: the servers expire a's session meanwhile
                long frozenUntil = System.nanoTime()
                        + Duration.ofMillis(SESSION_MS * 3L / 2).toNanos();
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> System.nanoTime() > frozenUntil);
            } finally {
                a.resume();
            }
            // the ensemble's leader server killed, then restarted
            int server = ensemble.leader();
            ensemble.kill(server);
            long afterKill = answered(a) + answered(b) + answered(c);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> answered(a) + answered(b) + answered(c) > afterKill + 40);
            ensemble.restart(server);
            leaders.add("LEADER " + ensemble.connectString(ensemble.leader()) + " " + System.nanoTime());
        }
        stopAndCheck(
                namespace,
                List.of(a, b, c),
                leaders,
                String.format(
                        Locale.ROOT,
                        "Shared-state register, 3 clients: one frozen past its session (SIGSTOP %dx), the ensemble's"
                                + " leader server killed and restarted (%dx), session %d ms",
                        ROUNDS,
                        ROUNDS,
                        SESSION_MS));
    }

    @Test
    void aRegisterStaysLinearizableThroughAFrozenFollowerQuorumLossAndARollingRestart() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-register-servers";
        List<String> leaders = new ArrayList<>();
        leaders.add("LEADER " + ensemble.connectString(ensemble.leader()) + " " + System.nanoTime());
        JvmProcess a = node(ensemble, namespace, "a");
        JvmProcess b = node(ensemble, namespace, "b");
        JvmProcess c = node(ensemble, namespace, "c");
        // Only successes count: a failure or an unknown outcome answered during quorum loss is no
        // progress of the register.
        java.util.function.LongSupplier progress = () -> succeeded(a) + succeeded(b) + succeeded(c);
        List<String> measured = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            measured.add(ServerFaults.frozenFollower(ensemble, Duration.ofMillis(SESSION_MS * 3L / 2), progress));
            leaders.add("LEADER " + ensemble.connectString(ensemble.leader()) + " " + System.nanoTime());
            measured.add(ServerFaults.quorumLoss(ensemble, Duration.ofMillis(SESSION_MS * 3L / 2), progress));
            leaders.add("LEADER " + ensemble.connectString(ensemble.leader()) + " " + System.nanoTime());
            measured.add(ServerFaults.rollingRestart(ensemble, progress));
            leaders.add("LEADER " + ensemble.connectString(ensemble.leader()) + " " + System.nanoTime());
        }
        stopAndCheck(
                namespace,
                List.of(a, b, c),
                leaders,
                String.format(
                        Locale.ROOT,
                        "Shared-state register, 3 clients: a follower server frozen (SIGSTOP), quorum lost (leader and"
                                + " a follower SIGKILLed, then restarted), a rolling restart (SIGTERM), %dx each, session"
                                + " %d ms; %s",
                        ROUNDS,
                        SESSION_MS,
                        String.join("; ", measured)));
    }

    private static void stopAndCheck(String namespace, List<JvmProcess> nodes, List<String> leaders, String scenario)
            throws Exception {
        JvmProcess a = nodes.get(0);
        JvmProcess b = nodes.get(1);
        JvmProcess c = nodes.get(2);
        // every client recovered: each completes more operations, then stops
        long[] settled = {answered(a), answered(b), answered(c)};
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> answered(a) > settled[0] + 40
                        && answered(b) > settled[1] + 40
                        && answered(c) > settled[2] + 40);
        for (JvmProcess p : List.of(a, b, c)) {
            p.type("stop");
        }
        for (JvmProcess p : List.of(a, b, c)) {
            p.awaitLine("DONE " + p.name(), Duration.ofSeconds(60));
        }

        List<RegisterHistory.Op> ops = new ArrayList<>();
        for (JvmProcess p : List.of(a, b, c)) {
            ops.addAll(RegisterHistory.parse(p.name(), p.out()));
        }
        RegisterHistory.Verdict verdict = RegisterHistory.check("init", ops);
        Map<RegisterHistory.Outcome, Long> outcomes = new EnumMap<>(RegisterHistory.Outcome.class);
        for (RegisterHistory.Op op : ops) {
            outcomes.merge(op.outcome(), 1L, Long::sum);
        }
        keep(namespace, List.of(a, b, c), leaders);
        String window = "the stale operation: " + verdict.stale() + "\nthe fewest operations that show it:\n"
                + verdict.window().stream().map(Object::toString).collect(Collectors.joining("\n"));
        if (!verdict.linearizable()) {
            Files.writeString(Path.of("target", namespace + "-violation.txt"), window + "\n", StandardCharsets.UTF_8);
        }
        assertThat(verdict.linearizable())
                .as("the register's history is linearizable (histories kept in target/); %s", window)
                .isTrue();
        assertThat(outcomes.getOrDefault(RegisterHistory.Outcome.OK, 0L))
                .as("operations that completed")
                .isGreaterThan(200);
        report(scenario, ops, outcomes, verdict);
    }

    /** Keeps each client's raw history in {@code target/} for a second look. */
    private static void keep(String namespace, List<JvmProcess> nodes, List<String> leaders) throws Exception {
        for (JvmProcess p : nodes) {
            Path file = Path.of("target", namespace + "-" + p.name() + ".history");
            Files.createDirectories(file.getParent());
            Files.write(file, p.out(), StandardCharsets.UTF_8);
        }
        Files.write(Path.of("target", namespace + "-ensemble.history"), leaders, StandardCharsets.UTF_8);
    }

    private static void report(
            String scenario,
            List<RegisterHistory.Op> ops,
            Map<RegisterHistory.Outcome, Long> outcomes,
            RegisterHistory.Verdict verdict)
            throws Exception {
        Map<RegisterHistory.Kind, Long> kinds = new EnumMap<>(RegisterHistory.Kind.class);
        for (RegisterHistory.Op op : ops) {
            kinds.merge(op.kind(), 1L, Long::sum);
        }
        String md = String.format(
                Locale.ROOT,
                "\n## %s\n\n- operations: %s; outcomes: %s\n- linearizable: %s (%d operations checked)\n",
                scenario,
                kinds,
                outcomes,
                verdict.linearizable(),
                verdict.checked());
        Path file = Path.of("target", "chaos-report.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
