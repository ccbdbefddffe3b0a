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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Singleton tasks with leader-guarded writes, in client processes of their own, on a real ensemble
 * of three ZooKeeper server processes: a leader frozen past its session (SIGSTOP, then SIGCONT), and
 * the ensemble's leader server killed. What ZooKeeper kept is read back and checked; the window in
 * which a frozen-then-resumed leader's task still ticks beside its successor is measured and
 * written to {@code target/chaos-report.md}.
 */
@Timeout(600)
class SingletonChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int TICK_MS = 20;
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    private JvmProcess node(Ensemble ensemble, String namespace, String name) throws Exception {
        return processes.node(
                SingletonNode.class,
                name,
                List.of(
                        ensemble.connectString(),
                        namespace,
                        name,
                        Integer.toString(SESSION_MS),
                        Integer.toString(TICK_MS)));
    }

    private static long ticksOf(JvmProcess p) {
        return p.out().stream().filter(l -> l.startsWith("TICK ")).count();
    }

    private static boolean leads(JvmProcess p, long afterTicks) {
        return ticksOf(p) > afterTicks;
    }

    @Test
    void aLeaderFrozenPastItsSessionNeverLandsAFencedWriteAfterItsSuccessorStarted() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-pause";
        JvmProcess a = node(ensemble, namespace, "a");
        JvmProcess b = node(ensemble, namespace, "b");
        SingletonHistory history = new SingletonHistory();
        List<Long> windows = new ArrayList<>();
        List<Resume> resumes = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            await().atMost(Duration.ofSeconds(60)).until(() -> leads(a, 0) || leads(b, 0));
            JvmProcess leader = lastTicker(a, b);
            JvmProcess other = leader == a ? b : a;
            long otherTicks = ticksOf(other);

            leader.pause();
            try {
                // frozen past its session: the successor leads once the server has expired it
                await().atMost(Duration.ofSeconds(60)).until(() -> leads(other, otherTicks + 10));
            } finally {
                // Taken before the signal is sent: the node cannot run before it, and may well run
                // before resume() returns.
                long resumedAt = System.nanoTime();
                leader.resume();
                resumes.add(new Resume(leader, resumedAt));
            }
            long successorTicks = ticksOf(other);
            // let the resumed node notice it lost, and the successor tick on
            await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(other) > successorTicks + 100);
        }
        stopAndRead(history, a, b);
        ChaosReport.keep("singleton-pause", List.of(a, b));

        List<SingletonHistory.Landed> landed = EnsembleReader.singletonWrites(ensemble, namespace);
        SingletonHistory.checkFencing(history, landed);
        for (SingletonHistory.Overlap o : history.overlaps()) {
            windows.add(o.nanos());
        }
        List<String> stops = new ArrayList<>();
        for (Resume r : resumes) {
            String[] stop = r.firstStop();
            assertThat(stop)
                    .as("the resumed leader's task stop after %d (target/singleton-pause-*.history)", r.nanos())
                    .isNotNull();
            long afterResume = Long.parseLong(stop[4]) - r.nanos();
            // The watchdog stops the task as soon as the process runs again: well before the client
            // could hear of the expiry from a server.
            assertThat(afterResume)
                    .as("the task's cancel after SIGCONT at %d, in ns (target/singleton-pause-*.history)", r.nanos())
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(SESSION_MS / 2));
            stops.add(String.format(
                    Locale.ROOT,
                    "%s's task cancelled %.1f ms after SIGCONT (%s), ticks started after SIGCONT: %d",
                    r.node().name(),
                    afterResume / 1e6,
                    stop[3],
                    r.ticksAfter(stop[2])));
        }
        report(
                "leader frozen past its session (SIGSTOP " + ROUNDS + "x), 3-server ensemble, session " + SESSION_MS
                        + " ms, tick " + TICK_MS + " ms",
                landed.size(),
                history,
                windows,
                stops);
    }

    @Test
    void theEnsemblesLeaderServerKilledAndRestartedKeepsOneSingletonAndFencedOrder() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-server";
        JvmProcess a = node(ensemble, namespace, "a");
        JvmProcess b = node(ensemble, namespace, "b");
        for (int round = 0; round < ROUNDS; round++) {
            await().atMost(Duration.ofSeconds(60)).until(() -> leads(a, 0) || leads(b, 0));
            int server = ensemble.leader();
            ensemble.kill(server);
            long before = ticksOf(a) + ticksOf(b);
            // the remaining two servers elect a leader; the singleton goes on on one node
            await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(a) + ticksOf(b) > before + 100);
            ensemble.restart(server);
        }
        long before = ticksOf(a) + ticksOf(b);
        await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(a) + ticksOf(b) > before + 50);
        SingletonHistory history = stopAndRead(new SingletonHistory(), a, b);

        List<SingletonHistory.Landed> landed = EnsembleReader.singletonWrites(ensemble, namespace);
        SingletonHistory.checkFencing(history, landed);
        assertThat(history.overlaps())
                .as("without a pause, no task ticks beside its successor")
                .isEmpty();
        report(
                "ZooKeeper leader server killed and restarted (" + ROUNDS + "x), 3-server ensemble",
                landed.size(),
                history,
                List.of(),
                List.of());
    }

    @Test
    @Tag("slow")
    void oneSingletonAndFencedOrderThroughAFrozenFollowerQuorumLossAndARollingRestart() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-singleton-servers";
        processes.keepHistoriesAs(namespace);
        JvmProcess a = node(ensemble, namespace, "a");
        JvmProcess b = node(ensemble, namespace, "b");
        // guarded writes acknowledged: the singleton ticks on one node and its writes land
        LongSupplier progress = () -> Stream.of(a, b)
                .flatMap(p -> p.out().stream())
                .filter(l -> l.startsWith("OK "))
                .count();
        List<String> measured =
                ServerFaults.eachRound(ensemble, ROUNDS, Duration.ofMillis(SESSION_MS * 3L / 2), progress);
        long before = progress.getAsLong();
        await().atMost(Duration.ofSeconds(60)).until(() -> progress.getAsLong() > before + 50);
        SingletonHistory history = stopAndRead(new SingletonHistory(), a, b);
        List<SingletonHistory.Landed> landed = EnsembleReader.singletonWrites(ensemble, namespace);
        List<SingletonHistory.Landed> outOfOrder = SingletonHistory.outOfOrder(landed);
        List<SingletonHistory.Tick> late = history.lateWritesThatLanded();
        List<SingletonHistory.Overlap> overlaps = history.overlaps();
        Map<String, Long> outcomes = history.ticks().stream()
                .collect(Collectors.groupingBy(history::outcome, TreeMap::new, Collectors.counting()));
        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Singleton, 2 nodes, a guarded write per tick: a follower server frozen (SIGSTOP), quorum lost"
                        + " (leader and a follower SIGKILLed, then restarted), a rolling restart (SIGTERM), %dx each,"
                        + " session %d ms, tick %d ms\n\n"
                        + "- ticks: %d in %d leaderships; their guarded writes: %s; landed: %d\n"
                        + "- landed out of epoch order: %d %s; landed after the successor's first tick: %d %s;"
                        + " a task ticking beside its successor: %d %s\n- %s\n",
                ROUNDS,
                SESSION_MS,
                TICK_MS,
                history.ticks().size(),
                history.ticks().stream()
                        .map(SingletonHistory.Tick::epoch)
                        .distinct()
                        .count(),
                outcomes,
                landed.size(),
                outOfOrder.size(),
                outOfOrder,
                late.size(),
                late,
                overlaps.size(),
                overlaps,
                String.join("\n- ", measured)));
        assertThat(landed).as("guarded writes landed").isNotEmpty();
        assertThat(outOfOrder)
                .as("fenced writes that landed after a write of a newer epoch (target/%s-*.history)", namespace)
                .isEmpty();
        assertThat(late)
                .as("an old leader's guarded writes that landed after its successor's first tick")
                .isEmpty();
        assertThat(overlaps)
                .as("without a pause, no task ticks beside its successor (target/%s-*.history)", namespace)
                .isEmpty();
    }

    /** A frozen leader let go again, and when (this machine's monotonic clock, as the nodes print it). */
    private record Resume(JvmProcess node, long nanos) {
        /** The node's first task stop reported after the resume: {@code STOP node epoch reason cancelledAt}. */
        String @Nullable [] firstStop() {
            for (String line : node.out()) {
                String[] f = line.split(" ");
                if (line.startsWith("STOP ") && Long.parseLong(f[4]) >= nanos) {
                    return f;
                }
            }
            return null;
        }

        /** The ticks of the frozen leadership ({@code epoch}) that the node started after the resume. */
        long ticksAfter(String epoch) {
            return node.out().stream()
                    .map(l -> l.split(" "))
                    .filter(f -> f[0].equals("TICK") && f[2].equals(epoch) && Long.parseLong(f[4]) > nanos)
                    .count();
        }
    }

    /** Stops both nodes and reads what they printed into {@code history}. */
    private static SingletonHistory stopAndRead(SingletonHistory history, JvmProcess a, JvmProcess b) {
        a.close();
        b.close();
        history.read(a.out());
        history.read(b.out());
        return history;
    }

    private static JvmProcess lastTicker(JvmProcess a, JvmProcess b) {
        await().atMost(Duration.ofSeconds(30)).until(() -> lastTick(a) > 0 || lastTick(b) > 0);
        return lastTick(a) >= lastTick(b) ? a : b;
    }

    private static long lastTick(JvmProcess p) {
        long last = 0;
        for (String line : p.out()) {
            if (line.startsWith("TICK ")) {
                last = Long.parseLong(line.split(" ")[4]);
            }
        }
        return last;
    }

    private static void report(
            String scenario, int landed, SingletonHistory history, List<Long> windows, List<String> stops)
            throws Exception {
        StringBuilder md = new StringBuilder()
                .append("\n## ")
                .append(scenario)
                .append("\n\n- guarded writes landed: ")
                .append(landed)
                .append(", out of epoch order: 0, landed after the successor's first tick: 0\n");
        for (SingletonHistory.Overlap o : history.overlaps()) {
            md.append(String.format(
                    Locale.ROOT,
                    "- epoch %d on %s ticked %d times, the last %.1f ms after epoch %d started on %s; outcomes"
                            + " of those ticks' guarded writes: %s\n",
                    o.oldEpoch(),
                    o.oldNode(),
                    o.ticks(),
                    o.nanos() / 1e6,
                    o.newEpoch(),
                    o.newNode(),
                    history.lateOutcomes(o)));
        }
        if (!windows.isEmpty()) {
            md.append(String.format(
                    Locale.ROOT,
                    "- pause window (longest): %.1f ms\n",
                    windows.stream().mapToLong(Long::longValue).max().orElseThrow() / 1e6));
        }
        for (String stop : stops) {
            md.append("- ").append(stop).append('\n');
        }
        Path file = Path.of("target", "chaos-report.md");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file, md.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
