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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the singleton nodes recorded, and what ZooKeeper kept, checked against the guarantees: no
 * guarded write of an older epoch lands after one of a newer epoch, and (measured, not assumed) how
 * long an old leader's task still ticked after its successor's first tick.
 */
final class SingletonHistory {
    private static final FenceOrder<Landed> ORDER = new FenceOrder<>(Landed::epoch, Landed::czxid, Landed::name);

    record Tick(String node, long epoch, long seq, long nanos) {}

    /** A landed write, in ZooKeeper's commit order. */
    record Landed(String name, long epoch, long czxid) {}

    /** One old leader's ticks after a newer epoch's first tick. */
    record Overlap(long oldEpoch, String oldNode, long newEpoch, String newNode, int ticks, long nanos) {}

    private final List<Tick> ticks = new ArrayList<>();
    private final Map<String, String> outcomes = new TreeMap<>(); // "node epoch seq" -> OK/REFUSED/FAILED

    void read(List<String> lines) {
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "TICK" ->
                    ticks.add(new Tick(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
                case "OK", "REFUSED", "FAILED" -> outcomes.put(f[1] + " " + f[2] + " " + f[3], f[0]);
                default -> {
                    // STARTED and anything else
                }
            }
        }
    }

    List<Tick> ticks() {
        return ticks;
    }

    String outcome(Tick t) {
        return outcomes.getOrDefault(t.node() + " " + t.epoch() + " " + t.seq(), "NONE");
    }

    /**
     * The fencing checks of a singleton run: guarded writes landed, none after a write of a newer
     * epoch, and none of an old leader's after its successor's first tick.
     */
    static void checkFencing(SingletonHistory history, List<Landed> landed) {
        assertThat(landed).as("guarded writes landed").isNotEmpty();
        assertThat(outOfOrder(landed))
                .as("fenced writes that landed after a write of a newer epoch: %s", windows(landed))
                .isEmpty();
        assertThat(history.lateWritesThatLanded())
                .as("an old leader's guarded writes that landed after its successor's first tick")
                .isEmpty();
    }

    /**
     * The landed writes whose epoch is lower than that of a write that landed before them: each one
     * a fenced write out of order. Empty when fencing held.
     */
    static List<Landed> outOfOrder(List<Landed> landed) {
        return ORDER.outOfOrder(landed);
    }

    /** For each write out of order, the last write of a higher epoch committed before it, and it. */
    static List<String> windows(List<Landed> landed) {
        return ORDER.windows(landed);
    }

    /**
     * For each epoch followed by a newer one: the ticks of the older epoch at or after the newer
     * epoch's first tick, and how long after it the last of them ran.
     */
    List<Overlap> overlaps() {
        Map<Long, List<Tick>> byEpoch = new TreeMap<>();
        for (Tick t : ticks) {
            byEpoch.computeIfAbsent(t.epoch(), e -> new ArrayList<>()).add(t);
        }
        List<Long> epochs = new ArrayList<>(byEpoch.keySet());
        List<Overlap> out = new ArrayList<>();
        for (int i = 0; i < epochs.size(); i++) {
            for (int j = i + 1; j < epochs.size(); j++) {
                List<Tick> older = byEpoch.get(epochs.get(i));
                Tick firstNewer = byEpoch.get(epochs.get(j)).stream()
                        .min(Comparator.comparingLong(Tick::nanos))
                        .orElseThrow();
                List<Tick> late = older.stream()
                        .filter(t -> t.nanos() >= firstNewer.nanos())
                        .toList();
                if (!late.isEmpty()) {
                    long last = late.stream().mapToLong(Tick::nanos).max().orElseThrow();
                    out.add(new Overlap(
                            epochs.get(i),
                            older.get(0).node(),
                            epochs.get(j),
                            firstNewer.node(),
                            late.size(),
                            last - firstNewer.nanos()));
                }
            }
        }
        return out;
    }

    /** How the guarded writes of one overlap's late ticks ended, e.g. {@code {REFUSED=1}}. */
    Map<String, Integer> lateOutcomes(Overlap o) {
        long firstNewer = ticks.stream()
                .filter(t -> t.epoch() == o.newEpoch())
                .mapToLong(Tick::nanos)
                .min()
                .orElseThrow();
        Map<String, Integer> counts = new TreeMap<>();
        for (Tick t : ticks) {
            if (t.epoch() == o.oldEpoch() && t.nanos() >= firstNewer) {
                counts.merge(outcome(t), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The late ticks (see {@link #overlaps}) whose guarded write landed: each one a broken fence. */
    List<Tick> lateWritesThatLanded() {
        List<Tick> landed = new ArrayList<>();
        for (Overlap o : overlaps()) {
            long firstNewer = ticks.stream()
                    .filter(t -> t.epoch() == o.newEpoch())
                    .mapToLong(Tick::nanos)
                    .min()
                    .orElseThrow();
            for (Tick t : ticks) {
                if (t.epoch() == o.oldEpoch()
                        && t.nanos() >= firstNewer
                        && outcome(t).equals("OK")) {
                    landed.add(t);
                }
            }
        }
        return landed;
    }
}
