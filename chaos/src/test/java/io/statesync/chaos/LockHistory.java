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

import io.statesync.testkit.JvmProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the lock nodes recorded ({@link LockNode}), and the lock-guarded writes ZooKeeper kept,
 * checked: in commit order the writes' tokens never go down (no write of an older holder lands after
 * one of a newer holder, so no two holders' writes interleave); every write acknowledged landed; no
 * write refused landed. Measured, not assumed: how long two nodes each believed they held the lock.
 */
final class LockHistory {
    private static final FenceOrder<Landed> ORDER = new FenceOrder<>(Landed::token, Landed::czxid, Landed::name);

    /** A holding as one node saw it: from acquire's return to the start of its release. */
    record Hold(String node, long token, long acquired, long releasing) {}

    /** A landed write, with the zxid that created it. */
    record Landed(String name, long token, long czxid) {}

    /** Two holdings of different nodes that overlapped in time, and for how long. */
    record Overlap(Hold first, Hold second, long nanos) {}

    private final List<Hold> holds = new ArrayList<>();
    private final Map<String, String> outcomes = new HashMap<>(); // "token-node-seq" -> OK/REFUSED/FAILED
    private final Map<String, Integer> failures = new TreeMap<>(); // FAILED reasons -> count

    /** Reads one node's output; a holding the node never released (killed) ends at {@code end}. */
    void read(List<String> lines, long end) {
        Map<String, String[]> open = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "ACQUIRED" -> open.put(f[1] + " " + f[2], f);
                case "RELEASING" -> {
                    String[] a = open.remove(f[1] + " " + f[2]);
                    if (a != null) {
                        holds.add(new Hold(f[1], Long.parseLong(f[2]), Long.parseLong(a[3]), Long.parseLong(f[3])));
                    }
                }
                case "OK", "REFUSED", "FAILED" -> {
                    outcomes.put(f[2] + "-" + f[1] + "-" + f[3], f[0]);
                    if (f[0].equals("FAILED") && f.length > 4) {
                        failures.merge(f[4], 1, Integer::sum);
                    }
                }
                default -> {
                    // STARTED, WRITE, DONE
                }
            }
        }
        for (String[] a : open.values()) {
            holds.add(new Hold(a[1], Long.parseLong(a[2]), Long.parseLong(a[3]), end));
        }
    }

    List<Hold> holds() {
        return holds;
    }

    /** The errors of writes that failed other than by a refusal, by exception. */
    Map<String, Integer> failures() {
        return failures;
    }

    long count(String outcome) {
        return outcomes.values().stream().filter(outcome::equals).count();
    }

    /** The landed writes, in commit order, whose token is lower than one committed before them. */
    static List<Landed> outOfOrder(List<Landed> landed) {
        return ORDER.outOfOrder(landed);
    }

    /** For each write out of order, the last write of a higher token committed before it, and it. */
    static List<String> windows(List<Landed> landed) {
        return ORDER.windows(landed);
    }

    /** Writes acknowledged (OK) that are not among the landed ones. */
    List<String> acknowledgedButLost(List<Landed> landed) {
        Set<String> names = new HashSet<>();
        landed.forEach(l -> names.add(l.name()));
        List<String> out = new ArrayList<>();
        outcomes.forEach((name, outcome) -> {
            if (outcome.equals("OK") && !names.contains(name)) {
                out.add(name);
            }
        });
        return out;
    }

    /** Writes refused (LockLostException: nothing written) that landed all the same. */
    List<String> refusedButLanded(List<Landed> landed) {
        List<String> out = new ArrayList<>();
        for (Landed l : landed) {
            if ("REFUSED".equals(outcomes.get(l.name()))) {
                out.add(l.name());
            }
        }
        return out;
    }

    /** Every pair of holdings by different nodes that overlapped in time. */
    List<Overlap> overlaps() {
        List<Hold> sorted = new ArrayList<>(holds);
        sorted.sort(Comparator.comparingLong(Hold::acquired));
        List<Overlap> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                Hold x = sorted.get(i);
                Hold y = sorted.get(j);
                if (y.acquired() >= x.releasing()) {
                    continue;
                }
                if (!x.node().equals(y.node())) {
                    out.add(new Overlap(x, y, Math.min(x.releasing(), y.releasing()) - y.acquired()));
                }
            }
        }
        return out;
    }

    /** The token of a landed write's name {@code token-node-seq}. */
    static long tokenOf(String name) {
        return Long.parseLong(name.substring(0, name.indexOf('-')));
    }

    /** Tells the lock nodes to stop, waits for each to say it is done, and reads what they printed. */
    static LockHistory stopAndRead(List<JvmProcess> nodes) throws IOException, InterruptedException {
        for (JvmProcess p : nodes) {
            p.type("stop");
        }
        for (JvmProcess p : nodes) {
            p.awaitLine("DONE " + p.name(), Duration.ofSeconds(60));
        }
        LockHistory history = new LockHistory();
        long end = System.nanoTime();
        for (JvmProcess p : nodes) {
            history.read(p.out(), end);
        }
        return history;
    }

    /**
     * The fencing checks of a lock run: writes landed, none after a write of a higher token, every
     * acknowledged write landed, no refused write landed.
     */
    static void checkFencing(LockHistory history, List<Landed> landed) {
        assertThat(landed).as("lock-guarded writes landed").isNotEmpty();
        assertThat(outOfOrder(landed))
                .as("writes that landed after a write of a higher token: %s", windows(landed))
                .isEmpty();
        assertThat(history.acknowledgedButLost(landed))
                .as("acknowledged writes missing")
                .isEmpty();
        assertThat(history.refusedButLanded(landed))
                .as("refused writes that landed")
                .isEmpty();
    }

    /** How many times the lock nodes printed ACQUIRED so far. */
    static long acquisitions(List<JvmProcess> nodes) {
        long n = 0;
        for (JvmProcess p : nodes) {
            n += p.out().stream().filter(l -> l.startsWith("ACQUIRED ")).count();
        }
        return n;
    }

    /** Whether {@code p}'s last ACQUIRED or RELEASING line is an ACQUIRED: it holds the lock now. */
    static boolean holdsNow(JvmProcess p) {
        return p.lastLine(l -> l.startsWith("ACQUIRED ") || l.startsWith("RELEASING "))
                .map(l -> l.startsWith("ACQUIRED "))
                .orElse(false);
    }
}
