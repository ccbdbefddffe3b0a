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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client process cut off from every server while it keeps running: each node reaches the ensemble
 * through a {@link Partition} of its own, and the leader ({@link SingletonNode}) or the lock holder
 * ({@link LockNode}) is isolated (its proxies black-holed: a silent partition) for about twice its
 * session timeout, then healed. Unlike a frozen process, an isolated one runs on, so its client gives
 * the connection up after two thirds of the session timeout, or the library's watchdog of the
 * server's silence acts, before the servers expire the session: its task stops, its lock handle
 * turns invalid, before a successor can start. Checked on what ZooKeeper kept and what the nodes
 * printed: fencing and no overlap at all. Measured per round, from the moment taken before the
 * proxies were switched: when the isolated node stopped, when its successor started, and the margin
 * between them, written to {@code target/chaos-report.md}.
 */
@Timeout(600)
class PartitionChaosTest {
    private static final int SESSION_MS = 4000;
    private static final int TICK_MS = 20;
    private static final long ISOLATED_NANOS = TimeUnit.MILLISECONDS.toNanos(2L * SESSION_MS);
    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 1);

    private final ChaosProcesses processes = new ChaosProcesses();

    @AfterEach
    void closeAll() throws Exception {
        processes.close();
    }

    /** One isolation: which node, its successor's candidates, and when (before the proxies switched). */
    private record Isolation(JvmProcess node, List<JvmProcess> others, long nanos, long healed) {}

    /** A leader's isolation and when the servers deleted its election znode (its session expired). */
    private record Expiry(Isolation isolation, CompletableFuture<Long> deleted) {}

    @Test
    @Tag("slow") // about 45 s; in-process, NoTwoLeadersTest covers the silent partition in every build
    void aLeaderCutOffFromEveryServerStopsItsTaskBeforeItsSuccessorStarts() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-partition-singleton";
        processes.keepHistoriesAs(namespace);
        Map<JvmProcess, Partition> partitions = new LinkedHashMap<>();
        for (String name : List.of("a", "b")) {
            Partition partition = processes.later(Partition.of(ensemble));
            JvmProcess p = processes.node(
                    SingletonNode.class,
                    name,
                    List.of(
                            partition.connectString(),
                            namespace,
                            name,
                            Integer.toString(SESSION_MS),
                            Integer.toString(TICK_MS)));
            partitions.put(p, partition);
        }
        List<JvmProcess> nodes = new ArrayList<>(partitions.keySet());
        JvmProcess a = nodes.get(0);
        JvmProcess b = nodes.get(1);
        List<Expiry> isolations = new ArrayList<>();
        try (EnsembleReader reader = new EnsembleReader(ensemble)) {
            for (int round = 0; round < ROUNDS; round++) {
                // both nodes in the election (a healed one joins again with a new session)
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> reader.children("/" + namespace + "/election") == 2);
                await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(a) > 0 || ticksOf(b) > 0);
                JvmProcess leader = lastTicker(a, b);
                JvmProcess other = leader == a ? b : a;
                long otherTicks = ticksOf(other);
                Partition partition = partitions.get(leader);
                // the leader's znode is first in line; the servers delete it when its session expires
                CompletableFuture<Long> deleted = reader.deletion(
                        "/" + namespace + "/election/" + reader.firstInLine("/" + namespace + "/election"));
                // Taken before the proxies switch: the node may notice before isolate() returns.
                long isolatedAt = System.nanoTime();
                partition.isolate();
                long healedAt;
                try {
                    // past its session (the successor may still wait its takeover delay when it is healed)
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> System.nanoTime() - isolatedAt >= ISOLATED_NANOS);
                } finally {
                    healedAt = System.nanoTime();
                    partition.heal();
                }
                isolations.add(new Expiry(new Isolation(leader, List.of(other), isolatedAt, healedAt), deleted));
                // the successor leads once the servers expired the isolated leader's session
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> ticksOf(other) > otherTicks + 10);
                long successorTicks = ticksOf(other);
                await().atMost(Duration.ofSeconds(60)).until(() -> ticksOf(other) > successorTicks + 50);
            }
        }
        a.close();
        b.close();
        SingletonHistory history = new SingletonHistory();
        history.read(a.out());
        history.read(b.out());
        List<SingletonHistory.Landed> landed = EnsembleReader.singletonWrites(ensemble, namespace);
        SingletonHistory.checkFencing(history, landed);
        assertThat(history.overlaps())
                .as(
                        "an isolated leader's ticks at or after its successor's first tick (target/%s-*.history)",
                        namespace)
                .isEmpty();

        StringBuilder md = new StringBuilder()
                .append(String.format(
                        Locale.ROOT,
                        "\n## leader isolated from every server for %d ms while it runs, then healed"
                                + " (silent partition through proxies, %dx), 2 nodes, 3-server ensemble,"
                                + " session %d ms, tick %d ms\n\n- guarded writes landed: %d, out of epoch"
                                + " order: 0, landed after the successor's first tick: 0, ticks beside a"
                                + " successor: 0\n",
                        2 * SESSION_MS,
                        ROUNDS,
                        SESSION_MS,
                        TICK_MS,
                        landed.size()));
        List<Long> margins = new ArrayList<>();
        List<Long> expiryMargins = new ArrayList<>();
        for (int i = 0; i < isolations.size(); i++) {
            Isolation iso = isolations.get(i).isolation();
            assertThat(isolations.get(i).deleted())
                    .as("the isolated leader's election znode deleted")
                    .isDone();
            long expired = isolations.get(i).deleted().getNow(0L) - iso.nanos();
            String[] stop = first(iso.node(), l -> l.startsWith("STOP "), 4, iso.nanos());
            assertThat(stop)
                    .as("the isolated leader's task stop after %d (target/%s-*.history)", iso.nanos(), namespace)
                    .isNotNull();
            String[] firstTick = first(iso.others().get(0), l -> l.startsWith("TICK "), 4, iso.nanos());
            assertThat(firstTick)
                    .as("the successor's first tick after %d", iso.nanos())
                    .isNotNull();
            long stopped = Long.parseLong(stop[4]) - iso.nanos();
            long started = Long.parseLong(firstTick[4]) - iso.nanos();
            long lastTick = lastTickOf(iso.node(), stop[2]) - iso.nanos();
            assertThat(started - stopped)
                    .as("the successor's first tick after the isolated leader's task stopped, in ns")
                    .isPositive();
            assertThat(expired - stopped)
                    .as("the isolated leader's task stopped before the servers expired its session, in ns")
                    .isPositive();
            margins.add(started - stopped);
            expiryMargins.add(expired - stopped);
            md.append(String.format(
                    Locale.ROOT,
                    "- round %d: %s isolated for %.0f ms; its task (epoch %s) stopped %.1f ms after (%s), its"
                            + " last tick at %+.1f ms; its session expired (election znode deleted, seen by a watch)"
                            + " %.1f ms after; %s's first tick (epoch %s) %.1f ms after; margin %.1f ms (to the"
                            + " expiry %.1f ms)\n",
                    i + 1,
                    iso.node().name(),
                    (iso.healed() - iso.nanos()) / 1e6,
                    stop[2],
                    stopped / 1e6,
                    stop[3],
                    lastTick / 1e6,
                    expired / 1e6,
                    iso.others().get(0).name(),
                    firstTick[2],
                    started / 1e6,
                    (started - stopped) / 1e6,
                    (expired - stopped) / 1e6));
        }
        md.append(String.format(
                Locale.ROOT,
                "- smallest margin from the isolated task's stop: to the successor's first tick %.1f ms (it waits the"
                        + " takeover delay after an unclean handover: by default the stop timeout, 10 s, plus a third"
                        + " of the session), to the session's expiry on the servers %.1f ms\n",
                margins.stream().mapToLong(Long::longValue).min().orElse(0) / 1e6,
                expiryMargins.stream().mapToLong(Long::longValue).min().orElse(0) / 1e6));
        ChaosReport.append(md.toString());
    }

    @Test
    @Tag("slow")
    void aLockHolderCutOffFromEveryServerGivesItUpBeforeItsSuccessorIsGranted() throws Exception {
        Ensemble ensemble = processes.later(Ensemble.start(3));
        String namespace = "chaos-partition-lock";
        processes.keepHistoriesAs(namespace);
        Map<JvmProcess, Partition> partitions = new LinkedHashMap<>();
        List<JvmProcess> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            Partition partition = processes.later(Partition.of(ensemble));
            JvmProcess p = processes.node(
                    LockNode.class,
                    name,
                    List.of(partition.connectString(), namespace, name, Integer.toString(SESSION_MS)));
            partitions.put(p, partition);
            nodes.add(p);
        }
        List<Isolation> isolations = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            JvmProcess isolated = nextHolder(nodes);
            List<JvmProcess> others = new ArrayList<>(nodes);
            others.remove(isolated);
            long before = LockHistory.acquisitions(others);
            Partition partition = partitions.get(isolated);
            // Taken before the proxies switch: the node may notice before isolate() returns.
            long isolatedAt = System.nanoTime();
            partition.isolate();
            long healedAt;
            try {
                // the others take the lock once the servers expired the isolated holder's session
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> LockHistory.acquisitions(others) > before + 2
                                && System.nanoTime() - isolatedAt >= ISOLATED_NANOS);
            } finally {
                healedAt = System.nanoTime();
                partition.heal();
            }
            isolations.add(new Isolation(isolated, others, isolatedAt, healedAt));
            // the healed node takes part again: it acquires once more
            long again = LockHistory.acquisitions(List.of(isolated));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> LockHistory.acquisitions(List.of(isolated)) > again);
        }
        LockHistory history = LockHistory.stopAndRead(nodes);
        List<LockHistory.Landed> landed = EnsembleReader.lockWrites(ensemble, namespace);
        LockHistory.checkFencing(history, landed);
        assertThat(history.overlaps())
                .as("holdings that overlapped (target/%s-*.history)", namespace)
                .isEmpty();

        StringBuilder md = new StringBuilder()
                .append(String.format(
                        Locale.ROOT,
                        "\n## lock holder isolated from every server for %d ms while it runs, then healed"
                                + " (silent partition through proxies, %dx), 3 clients, 3-server ensemble,"
                                + " session %d ms\n\n- holdings: %d; lock-guarded writes landed: %d"
                                + " (acknowledged %d, refused %d, other errors %s); landed out of token order: 0;"
                                + " acknowledged but lost: 0; refused but landed: 0; holdings that"
                                + " overlapped: 0\n",
                        2 * SESSION_MS,
                        ROUNDS,
                        SESSION_MS,
                        history.holds().size(),
                        landed.size(),
                        history.count("OK"),
                        history.count("REFUSED"),
                        history.failures()));
        for (int i = 0; i < isolations.size(); i++) {
            Isolation iso = isolations.get(i);
            long at = iso.nanos();
            String[] successor = null;
            for (JvmProcess p : iso.others()) {
                String[] s = first(p, l -> l.startsWith("ACQUIRED "), 3, at);
                if (s != null && (successor == null || Long.parseLong(s[3]) < Long.parseLong(successor[3]))) {
                    successor = s;
                }
            }
            assertThat(successor).as("a successor's ACQUIRED after %d", at).isNotNull();
            long granted = Long.parseLong(successor[3]) - at;
            LockHistory.Hold held = heldAt(history, iso.node().name(), at);
            if (held == null) {
                md.append(String.format(
                        Locale.ROOT,
                        "- round %d: %s isolated for %.0f ms just after it released; %s's ACQUIRED %.1f ms after\n",
                        i + 1,
                        iso.node().name(),
                        (iso.healed() - iso.nanos()) / 1e6,
                        successor[1],
                        granted / 1e6));
                continue;
            }
            String token = Long.toString(held.token());
            String[] invalid = first(iso.node(), l -> l.startsWith("INVALID ") && l.split(" ")[2].equals(token), 3, at);
            long released = held.releasing() - at;
            String ended = iso.node()
                    .lastLine(
                            l -> (l.startsWith("FAILED ") || l.startsWith("REFUSED ")) && l.split(" ")[2].equals(token))
                    .map(l -> "its write in flight ended " + l.split(" ")[0] + " " + l.split(" ")[4])
                    .orElse("no write of it failed");
            md.append(String.format(
                    Locale.ROOT,
                    "- round %d: %s isolated for %.0f ms holding token %s; %s; %s; RELEASING %.1f ms after; %s's"
                            + " ACQUIRED (token %s) %.1f ms after; margin %.1f ms\n",
                    i + 1,
                    iso.node().name(),
                    (iso.healed() - iso.nanos()) / 1e6,
                    token,
                    invalid == null
                            ? "no INVALID line"
                            : String.format(
                                    Locale.ROOT, "INVALID %.1f ms after", (Long.parseLong(invalid[3]) - at) / 1e6),
                    ended,
                    released / 1e6,
                    successor[1],
                    successor[2],
                    granted / 1e6,
                    (granted - released) / 1e6));
        }
        ChaosReport.append(md.toString());
    }

    /** The holding of {@code node} that was open at {@code t}, or null. */
    private static LockHistory.@Nullable Hold heldAt(LockHistory history, String node, long t) {
        for (LockHistory.Hold h : history.holds()) {
            if (h.node().equals(node) && h.acquired() < t && h.releasing() > t) {
                return h;
            }
        }
        return null;
    }

    /** The first line of {@code p} matching {@code which} whose field {@code field} (nanos) is {@code t} or later. */
    private static String @Nullable [] first(JvmProcess p, Predicate<String> which, int field, long t) {
        for (String line : p.out()) {
            if (which.test(line)) {
                String[] f = line.split(" ");
                if (Long.parseLong(f[field]) >= t) {
                    return f;
                }
            }
        }
        return null;
    }

    private static long ticksOf(JvmProcess p) {
        return p.out().stream().filter(l -> l.startsWith("TICK ")).count();
    }

    private static JvmProcess lastTicker(JvmProcess a, JvmProcess b) {
        return lastTickOf(a, null) >= lastTickOf(b, null) ? a : b;
    }

    /** The nanos of {@code p}'s last tick (of {@code epoch}, if given), 0 if none. */
    private static long lastTickOf(JvmProcess p, @Nullable String epoch) {
        long last = 0;
        for (String line : p.out()) {
            if (line.startsWith("TICK ")) {
                String[] f = line.split(" ");
                if (epoch == null || f[2].equals(epoch)) {
                    last = Long.parseLong(f[4]);
                }
            }
        }
        return last;
    }

    /**
     * The node that acquires the lock next, as soon as it printed ACQUIRED: isolated then, it is cut
     * off early in its holding, with its writes still to make.
     */
    private static JvmProcess nextHolder(List<JvmProcess> nodes) {
        long before = LockHistory.acquisitions(nodes);
        JvmProcess[] found = new JvmProcess[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(2))
                .until(() -> {
                    if (LockHistory.acquisitions(nodes) <= before) {
                        return false;
                    }
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
}
