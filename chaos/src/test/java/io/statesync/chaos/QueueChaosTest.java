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
import java.util.Optional;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A work queue fed by two producer processes and drained by three worker processes ({@link
 * QueueNode}) on a real ensemble of three ZooKeeper server processes. Nemeses, each round: a worker
 * killed (SIGKILL) while it holds a claim, a fresh worker started in its place; a worker frozen
 * (SIGSTOP) while it holds a claim until another worker has taken the item, then resumed; the
 * ensemble's leader server killed and restarted. Server nemeses alone, in a second test, each
 * round: a follower server frozen, quorum lost, a rolling restart ({@link ServerFaults}). Checked by
 * {@link QueueHistory} after the workers drained the queue: no acknowledged offer lost, no item
 * acknowledged twice, every poison item a dead letter, the queue empty. Histories are kept in
 * {@code target/}.
 */
@Timeout(600)
@Tag("slow")
class QueueChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    /** Two producers (p1, p2) and three workers (w1, w2, w3), in that order, their histories kept. */
    private List<JvmProcess> startNodes(Ensemble ensemble, String namespace) throws Exception {
        processes.keepHistoriesAs(namespace);
        Map<String, List<String>> args = new LinkedHashMap<>();
        for (String[] n :
                new String[][] {{"p1", "produce"}, {"p2", "produce"}, {"w1", "work"}, {"w2", "work"}, {"w3", "work"}}) {
            args.put(n[0], args(ensemble, namespace, n[0], n[1]));
        }
        return processes.nodes(QueueNode.class, args);
    }

    private static List<String> args(Ensemble ensemble, String namespace, String name, String role) {
        return List.of(ensemble.connectString(), namespace, name, Integer.toString(SESSION_MS), role);
    }

    /** The item {@code p} holds now (its last claim with no outcome after it), if any. */
    private static Optional<String> holding(JvmProcess p) {
        return p.lastLine(l -> l.startsWith("CLAIM ")
                        || l.startsWith("ACKED ")
                        || l.startsWith("LOST ")
                        || l.startsWith("NACKED ")
                        || l.startsWith("ACKINFO "))
                .filter(l -> l.startsWith("CLAIM "))
                .map(l -> l.split(" ")[1]);
    }

    private static long acked(List<JvmProcess> nodes) {
        long n = 0;
        for (JvmProcess p : nodes) {
            n += p.out().stream().filter(l -> l.startsWith("ACKED ")).count();
        }
        return n;
    }

    /** When another worker than {@code except} claimed {@code item} after {@code t}, or 0. */
    private static long claimedAgain(List<JvmProcess> workers, JvmProcess except, String item, long t) {
        for (JvmProcess p : workers) {
            if (p == except) {
                continue;
            }
            for (String l : p.out()) {
                String[] f = l.split(" ");
                if (f[0].equals("CLAIM") && f[1].equals(item) && Long.parseLong(f[4]) > t) {
                    return Long.parseLong(f[4]);
                }
            }
        }
        return 0;
    }

    /** A worker holding an item (polled until one does), and the item. */
    private static Map.Entry<JvmProcess, String> holder(List<JvmProcess> workers) {
        Object[] found = new Object[2];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(2))
                .until(() -> {
                    for (JvmProcess p : workers) {
                        Optional<String> item = holding(p);
                        if (item.isPresent() && !QueueNode.poison(item.get())) {
                            found[0] = p;
                            found[1] = item.get();
                            return true;
                        }
                    }
                    return false;
                });
        return Map.entry((JvmProcess) found[0], (String) found[1]);
    }

    @Test
    void noAcknowledgedOfferIsLostNorAnyItemAcknowledgedTwiceThroughKilledAndFrozenWorkersAndAKilledLeaderServer()
            throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-queue";
        List<JvmProcess> all = new ArrayList<>(startNodes(ensemble, namespace));
        List<JvmProcess> producers = new ArrayList<>(all.subList(0, 2));
        List<JvmProcess> workers = new ArrayList<>(all.subList(2, 5));
        List<JvmProcess> killed = new ArrayList<>();
        List<Long> afterKill = new ArrayList<>();
        List<String> notTakenAgain = new ArrayList<>();
        List<Long> afterFreeze = new ArrayList<>();
        List<String> frozenOutcomes = new ArrayList<>();
        List<Long> serverRecoveries = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            // a worker killed mid-claim; a fresh worker in its place
            Map.Entry<JvmProcess, String> victim = holder(workers);
            long killedAt = System.nanoTime();
            victim.getKey().kill();
            workers.remove(victim.getKey());
            killed.add(victim.getKey());
            JvmProcess fresh =
                    processes.node(QueueNode.class, "k" + round, args(ensemble, namespace, "k" + round, "work"));
            workers.add(fresh);
            all.add(fresh);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> claimedAgain(workers, victim.getKey(), victim.getValue(), killedAt) > 0);
                afterKill.add(claimedAgain(workers, victim.getKey(), victim.getValue(), killedAt) - killedAt);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // its ack may have landed just before the kill; the drain and the checker tell
                notTakenAgain.add(victim.getValue() + " (its worker killed in round " + round + ")");
            }

            // a worker frozen mid-claim until another has taken its item, then resumed
            Map.Entry<JvmProcess, String> frozen = holder(workers);
            long frozenAt = System.nanoTime();
            frozen.getKey().pause();
            // it may have finished the item in the moment before the signal took effect
            boolean stillHolding =
                    holding(frozen.getKey()).map(frozen.getValue()::equals).orElse(false);
            try {
                if (stillHolding) {
                    try {
                        await().atMost(Duration.ofSeconds(60))
                                .pollInterval(Duration.ofMillis(20))
                                .until(() -> claimedAgain(workers, frozen.getKey(), frozen.getValue(), frozenAt) > 0);
                        afterFreeze.add(claimedAgain(workers, frozen.getKey(), frozen.getValue(), frozenAt) - frozenAt);
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        // its ack may have been sent as it froze, before it printed it, and landed: the
                        // item is then gone; the drain and the checker tell
                        notTakenAgain.add(frozen.getValue() + " (its worker frozen in round " + round + ")");
                    }
                } else {
                    long until =
                            frozenAt + Duration.ofMillis(SESSION_MS * 3L / 2).toNanos();
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(50))
                            .until(() -> System.nanoTime() > until);
                }
            } finally {
                frozen.getKey().resume();
            }
            if (!stillHolding) {
                frozenOutcomes.add("none: it had finished its item as it froze");
            } else {
                String outcome = frozen.getKey()
                        .awaitLine(
                                l -> !l.startsWith("CLAIM ") && l.contains(" " + frozen.getValue() + " "),
                                "the resumed worker's outcome for " + frozen.getValue(),
                                Duration.ofSeconds(60));
                frozenOutcomes.add(outcome.split(" ")[0]
                        + (outcome.startsWith("LOST ") || outcome.startsWith("ACKINFO ")
                                ? " (" + outcome.split(" ")[4] + ")"
                                : ""));
            }

            // the ensemble's leader server killed, then restarted
            int server = ensemble.leader();
            long serverKilledAt = System.nanoTime();
            ensemble.kill(server);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> ChaosReport.firstSentAndAcknowledgedAfter(producers, serverKilledAt) > 0);
            serverRecoveries.add(ChaosReport.firstSentAndAcknowledgedAfter(producers, serverKilledAt));
            long before = acked(workers);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> acked(workers) > before);
            ensemble.restart(server);
        }
        QueueHistory history = stopAndDrain(namespace, producers, workers, all, killed);

        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Work queue, 2 producers, 3 workers (maxDeliveries 3, every 25th item poison): a worker killed"
                        + " mid-claim (SIGKILL %dx), a worker frozen mid-claim until its item was taken again"
                        + " (SIGSTOP %dx), the ensemble's leader server killed and restarted (%dx), session %d ms\n\n"
                        + "- offers: %s; acknowledged by a worker: %d; dead letters: %d (every poison item);"
                        + " delivered more than once: %d\n"
                        + "- violations: %s; unknown-outcome offers consumed: %d;"
                        + " acks refused (claim lost): %d; acks with an unknown outcome: %d\n"
                        + "- a killed worker's item taken again %s ms after the kill; a frozen worker's %s ms after the"
                        + " freeze, its own ack after SIGCONT: %s; the first offer sent after the server"
                        + " kill acknowledged %s ms after it\n",
                ROUNDS,
                ROUNDS,
                ROUNDS,
                SESSION_MS,
                history.offerOutcomes(),
                history.acknowledged(),
                history.deadLetters(),
                history.redelivered(),
                history.check(),
                history.unknownOffersConsumed(),
                history.lost().size(),
                history.unknownAcks().size(),
                EventLogChaosTest.millis(afterKill),
                EventLogChaosTest.millis(afterFreeze),
                frozenOutcomes,
                EventLogChaosTest.millis(serverRecoveries)));
        ChaosReport.append(
                "- killed workers' items not taken again within 60 s of the kill (acknowledged just before the kill, or"
                        + " not re-delivered; the checker tells which): " + notTakenAgain + "\n");
        assertThat(history.check())
                .as("queue checks (histories in target/%s-*.history)", namespace)
                .isEmpty();
        assertThat(history.acknowledged()).isGreaterThan(100);
    }

    @Test
    @Tag("slow")
    void noAcknowledgedOfferIsLostNorAnyItemAcknowledgedTwiceThroughAFrozenFollowerQuorumLossAndARollingRestart()
            throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-queue-servers";
        List<JvmProcess> all = startNodes(ensemble, namespace);
        List<JvmProcess> producers = all.subList(0, 2);
        List<JvmProcess> workers = all.subList(2, 5);
        // offers acknowledged and items acknowledged: both sides of the queue count as progress
        LongSupplier progress = () -> offered(producers) + acked(workers);
        List<String> measured =
                ServerFaults.eachRound(ensemble, ROUNDS, Duration.ofMillis(SESSION_MS * 3L / 2), progress);
        QueueHistory history = stopAndDrain(namespace, producers, workers, all, List.of());
        List<String> violations = history.check();
        ChaosReport.append(String.format(
                Locale.ROOT,
                "\n## Work queue, 2 producers, 3 workers (maxDeliveries 3, every 25th item poison): a follower server"
                        + " frozen (SIGSTOP), quorum lost (leader and a follower SIGKILLed, then restarted), a rolling"
                        + " restart (SIGTERM), %dx each, session %d ms\n\n"
                        + "- offers: %s; acknowledged by a worker: %d; dead letters: %d (every poison item);"
                        + " delivered more than once: %d\n"
                        + "- violations: %s; unknown-outcome offers consumed: %d;"
                        + " acks refused (claim lost): %d; acks with an unknown outcome: %d\n- %s\n",
                ROUNDS,
                SESSION_MS,
                history.offerOutcomes(),
                history.acknowledged(),
                history.deadLetters(),
                history.redelivered(),
                violations,
                history.unknownOffersConsumed(),
                history.lost().size(),
                history.unknownAcks().size(),
                String.join("\n- ", measured)));
        assertThat(violations)
                .as("queue checks (histories in target/%s-*.history)", namespace)
                .isEmpty();
        assertThat(history.acknowledged()).isGreaterThan(100);
    }

    private static long offered(List<JvmProcess> producers) {
        long n = 0;
        for (JvmProcess p : producers) {
            n += p.out().stream().filter(l -> l.startsWith("OK ")).count();
        }
        return n;
    }

    /**
     * Waits until the workers acknowledge more, stops the producers, then the workers (each drains
     * the queue and lists the dead letters), keeps the histories and reads them.
     *
     * @param killed the processes that were killed: an item they held without an outcome is an ack
     *     in doubt
     */
    private static QueueHistory stopAndDrain(
            String namespace,
            List<JvmProcess> producers,
            List<JvmProcess> workers,
            List<JvmProcess> all,
            List<JvmProcess> killed)
            throws Exception {
        long settled = acked(workers);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> acked(workers) > settled + 40);
        for (JvmProcess p : producers) {
            p.type("stop");
        }
        for (JvmProcess p : producers) {
            p.awaitLine("DONE " + p.name(), Duration.ofSeconds(60));
        }
        for (JvmProcess p : workers) {
            p.type("stop");
        }
        for (JvmProcess p : workers) {
            p.awaitLine("DONE " + p.name(), Duration.ofSeconds(300)); // the drain: as long as items come
        }
        ChaosReport.keep(namespace, all);
        QueueHistory history = new QueueHistory();
        for (JvmProcess p : all) {
            history.read(p.name(), p.out(), killed.contains(p));
        }
        return history;
    }
}
