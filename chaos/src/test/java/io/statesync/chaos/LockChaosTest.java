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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three client processes take turns on one mutex ({@link LockNode}); while a node holds it, it makes
 * lock-guarded writes. The holder is frozen past its session (SIGSTOP, then SIGCONT), or killed
 * (SIGKILL, and a fresh node started in its place). Checked on what ZooKeeper kept: in commit order
 * the writes' tokens never go down, every acknowledged write landed, no refused write landed; without
 * a pause no two nodes ever believed they held the lock at once. Measured: how long a frozen holder
 * still believed it held the lock beside its successor, and how long the lock was unheld after a
 * holder was killed.
 */
@Timeout(600)
@Tag("slow")
class LockChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    private JvmProcess node(Ensemble ensemble, String namespace, String name) throws Exception {
        return processes.node(
                LockNode.class, name, List.of(ensemble.connectString(), namespace, name, Integer.toString(SESSION_MS)));
    }

    private static JvmProcess holder(List<JvmProcess> nodes) {
        JvmProcess[] found = new JvmProcess[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    for (JvmProcess p : nodes) {
                        if (LockHistory.holdsNow(p)) {
                            found[0] = p;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    @Test
    void aHolderFrozenPastItsSessionNeverLandsAWriteAfterItsSuccessors() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-lock-pause";
        processes.keepHistoriesAs(namespace);
        List<JvmProcess> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(node(ensemble, namespace, name));
        }
        int frozenHolders = 0;
        int lateWrites = 0;
        List<Long> afterResume = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            JvmProcess frozen = holder(nodes);
            List<JvmProcess> others = new ArrayList<>(nodes);
            others.remove(frozen);
            long before = LockHistory.acquisitions(others);
            long resumed;
            frozen.pause();
            boolean held = LockHistory.holdsNow(frozen); // still holding as it froze (it may have released just before)
            try {
                // past its session: the others take the lock once the servers expired it
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> LockHistory.acquisitions(others) > before + 2);
            } finally {
                // Taken before the signal is sent: the node cannot run before it, and may well run
                // before resume() returns.
                resumed = System.nanoTime();
                frozen.resume();
            }
            if (held) {
                frozenHolders++;
                // how long the resumed holder went on before it released, and the writes it sent meanwhile
                String released = frozen.awaitLine(
                        l -> l.startsWith("RELEASING ") && Long.parseLong(l.split(" ")[3]) > resumed,
                        "its release after it resumed",
                        Duration.ofSeconds(60));
                afterResume.add(Long.parseLong(released.split(" ")[3]) - resumed);
                for (String l : frozen.out()) {
                    if (l.startsWith("WRITE ") && Long.parseLong(l.split(" ")[4]) > resumed) {
                        lateWrites++;
                    }
                }
            }
            long after = LockHistory.acquisitions(nodes);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> LockHistory.acquisitions(nodes) > after + 5);
        }
        LockHistory history = LockHistory.stopAndRead(nodes);
        List<LockHistory.Landed> landed = EnsembleReader.lockWrites(ensemble, namespace);
        LockHistory.checkFencing(history, landed);
        long longest = history.overlaps().stream()
                .mapToLong(LockHistory.Overlap::nanos)
                .max()
                .orElse(0);
        report(
                String.format(
                        Locale.ROOT,
                        "lock holder frozen past its session (SIGSTOP %dx, %d while holding), 3 clients, 3-server"
                                + " ensemble, session %d ms",
                        ROUNDS,
                        frozenHolders,
                        SESSION_MS),
                history,
                landed,
                String.format(
                        Locale.ROOT,
                        "- holdings that overlapped (a frozen holder's with those of its successors): %d, the longest"
                                + " %.1f ms; a resumed holder released %s ms after SIGCONT and sent %d guarded writes"
                                + " meanwhile\n",
                        history.overlaps().size(),
                        longest / 1e6,
                        afterResume.stream()
                                .map(n -> String.format(Locale.ROOT, "%.1f", n / 1e6))
                                .toList(),
                        lateWrites));
    }

    @Test
    void aHolderKilledIsSucceededAndItsSuccessorsWritesStayInTokenOrder() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-lock-kill";
        processes.keepHistoriesAs(namespace);
        List<JvmProcess> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(node(ensemble, namespace, name));
        }
        List<JvmProcess> killed = new ArrayList<>();
        List<Long> killedAt = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            JvmProcess victim = holder(nodes);
            nodes.remove(victim);
            long at = System.nanoTime();
            victim.kill();
            killed.add(victim);
            killedAt.add(at);
            // another node holds the lock once the servers expired the killed holder's session
            long[] next = {0};
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        for (JvmProcess p : nodes) {
                            for (String l : p.out()) {
                                if (l.startsWith("ACQUIRED ")) {
                                    long t = Long.parseLong(l.split(" ")[3]);
                                    if (t > at && (next[0] == 0 || t < next[0])) {
                                        next[0] = t;
                                    }
                                }
                            }
                        }
                        return next[0] != 0;
                    });
            recoveries.add(next[0] - at);
            nodes.add(node(ensemble, namespace, "k" + round)); // a fresh client in its place
        }
        long after = LockHistory.acquisitions(nodes);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> LockHistory.acquisitions(nodes) > after + 5);
        LockHistory history = LockHistory.stopAndRead(nodes);
        for (int i = 0; i < killed.size(); i++) {
            history.read(killed.get(i).out(), killedAt.get(i)); // a killed holder's holding ends at the kill
        }
        List<LockHistory.Landed> landed = EnsembleReader.lockWrites(ensemble, namespace);
        LockHistory.checkFencing(history, landed);
        assertThat(history.overlaps())
                .as("holdings that overlapped, without a pause")
                .isEmpty();
        report(
                String.format(
                        Locale.ROOT,
                        "lock holder killed (SIGKILL %dx, a fresh client started in its place), 3 clients, 3-server"
                                + " ensemble, session %d ms",
                        ROUNDS,
                        SESSION_MS),
                history,
                landed,
                String.format(
                        Locale.ROOT,
                        "- holdings that overlapped: 0; the lock unheld after a kill for %s ms\n",
                        recoveries.stream()
                                .map(n -> String.format(Locale.ROOT, "%.0f", n / 1e6))
                                .toList()));
    }

    private static long writesAcknowledged(List<JvmProcess> nodes) {
        long n = 0;
        for (JvmProcess p : nodes) {
            n += p.out().stream().filter(l -> l.startsWith("OK ")).count();
        }
        return n;
    }

    /**
     * Fails today (3 of 4 runs; `slow`, so not in the default build): when every client is
     * connected to the follower server that is frozen, the lock stops for good. The holder's release
     * and the waiters' removals of their timed-out znodes are sent to the frozen server; the clients
     * move to the other servers within their sessions (same session ids), but those znodes stay
     * (read back into {@code target/chaos-lock-servers-znodes.txt}), the oldest one — the released
     * holding's — heads the queue, and no acquire succeeds for the 2 minutes the test waits; they
     * were still there after the server was resumed. See docs/reliability.md, "Finding: a lock left held".
     */
    @Test
    void lockGuardedWritesStayInTokenOrderThroughAFrozenFollowerQuorumLossAndARollingRestart() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-lock-servers";
        processes.keepHistoriesAs(namespace);
        List<JvmProcess> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(node(ensemble, namespace, name));
        }
        java.util.function.LongSupplier progress = () -> writesAcknowledged(nodes);
        List<String> measured = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                measured.add(ServerFaults.frozenFollower(ensemble, Duration.ofMillis(SESSION_MS * 3L / 2), progress));
                measured.add(ServerFaults.quorumLoss(ensemble, Duration.ofMillis(SESSION_MS * 3L / 2), progress));
                measured.add(ServerFaults.rollingRestart(ensemble, progress));
            }
        } catch (org.awaitility.core.ConditionTimeoutException stuck) {
            // what holds the lock up, read from the ensemble (the frozen server resumed by now)
            Files.write(
                    Path.of("target", namespace + "-znodes.txt"),
                    znodes(ensemble, "/" + namespace + "/lock"),
                    StandardCharsets.UTF_8);
            throw stuck;
        }
        long after = LockHistory.acquisitions(nodes);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> LockHistory.acquisitions(nodes) > after + 5);
        LockHistory history = LockHistory.stopAndRead(nodes);
        ChaosReport.keep(namespace, nodes);
        List<LockHistory.Landed> landed = EnsembleReader.lockWrites(ensemble, namespace);
        LockHistory.checkFencing(history, landed);
        long longest = history.overlaps().stream()
                .mapToLong(LockHistory.Overlap::nanos)
                .max()
                .orElse(0);
        report(
                String.format(
                        Locale.ROOT,
                        "lock, 3 clients: a follower server frozen (SIGSTOP), quorum lost (leader and a follower"
                                + " SIGKILLed, then restarted), a rolling restart (SIGTERM), %dx each, session %d ms",
                        ROUNDS,
                        SESSION_MS),
                history,
                landed,
                String.format(
                        Locale.ROOT,
                        "- holdings that overlapped (as the clients saw them): %d, the longest %.1f ms\n- %s\n",
                        history.overlaps().size(),
                        longest / 1e6,
                        String.join("\n- ", measured)));
    }

    /** The znodes under {@code path}, each with its ephemeral owner and creation zxid, in hex. */
    private static List<String> znodes(Ensemble ensemble, String path) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(ensemble.connectString(), 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
            List<String> out = new ArrayList<>();
            List<String> todo = new ArrayList<>(List.of(path));
            while (!todo.isEmpty()) {
                String p = todo.remove(0);
                Stat stat = zk.exists(p, false);
                if (stat == null) {
                    continue;
                }
                out.add(p + " owner 0x" + Long.toHexString(stat.getEphemeralOwner()) + " czxid 0x"
                        + Long.toHexString(stat.getCzxid()));
                for (String child : zk.getChildren(p, false)) {
                    todo.add(p + "/" + child);
                }
            }
            return out;
        } finally {
            zk.close();
        }
    }

    private static void report(String scenario, LockHistory history, List<LockHistory.Landed> landed, String more)
            throws Exception {
        String md = String.format(
                        Locale.ROOT,
                        "\n## %s\n\n- holdings: %d; lock-guarded writes landed: %d (acknowledged %d, refused %d, other"
                                + " errors %s); landed out of token order: 0; acknowledged but lost: 0; refused but"
                                + " landed: 0\n",
                        scenario,
                        history.holds().size(),
                        landed.size(),
                        history.count("OK"),
                        history.count("REFUSED"),
                        history.failures())
                + more;
        System.out.print(md);
        Path file = Path.of("target", "chaos-report.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
