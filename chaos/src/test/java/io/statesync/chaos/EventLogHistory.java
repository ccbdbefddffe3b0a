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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checker of the event-log workload ({@link EventLogNode}) over what its processes printed:
 *
 * <ul>
 *   <li>every reader's subscription delivered positions 0, 1, 2, ... each once, with no gap, up to
 *       the log's end, and every reader (subscription and replay) saw the same event at each
 *       position: one order;
 *   <li>every acknowledged append is in the log exactly once, at the position its append returned;
 *       an append with an unknown outcome at most once; an append known not applied, and anything
 *       no client appended, never;
 *   <li>the epoch fence: a leader's event that came after an event of a newer epoch (a deposed
 *       leader's append) was applied by no reader, and every other leader's event by every reader.
 * </ul>
 *
 * Each violation is reported with the lines that show it.
 */
final class EventLogHistory {
    /** How an append ended, as its appender printed it. */
    enum Outcome {
        OK,
        FAIL,
        INFO,
        /** no outcome printed: the process stopped (or was killed) first */
        NONE
    }

    private final Map<String, Outcome> appends = new LinkedHashMap<>();
    private final Map<String, Long> acknowledgedAt = new HashMap<>();
    private final Map<String, List<String>> readers = new LinkedHashMap<>();
    private final Map<String, List<String>> replays = new LinkedHashMap<>();
    private final Map<String, Map<Long, String>> decisions = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();

    /**
     * Reads one process's lines.
     *
     * @param node its name
     * @param lines what it printed
     * @param finished whether it ran to its end (printed {@code DONE}): only then are its
     *     subscription and replay complete
     */
    void read(String node, List<String> lines, boolean finished) {
        List<String> delivered = new ArrayList<>();
        List<String> replayed = new ArrayList<>();
        Map<Long, String> decided = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "INVOKE" -> appends.putIfAbsent(f[1], Outcome.NONE);
                case "OK" -> {
                    appends.put(f[1], Outcome.OK);
                    acknowledgedAt.put(f[1], Long.parseLong(f[2]));
                }
                case "FAIL" -> appends.put(f[1], Outcome.FAIL);
                case "INFO" -> appends.put(f[1], Outcome.INFO);
                case "READ" -> {
                    long position = Long.parseLong(f[1]);
                    if (position != delivered.size()) {
                        violations.add(node + "'s subscription delivered position " + position + " after "
                                + (delivered.size() - 1) + " (a gap or a repeat): " + line);
                    }
                    delivered.add(f[2]);
                }
                case "APPLY", "FENCED" -> decided.put(Long.parseLong(f[1]), f[0]);
                case "REPLAY" -> replayed.add(f[2]);
                default -> {
                    // STARTED, CAUGHT_UP, DONE
                }
            }
        }
        if (finished) {
            readers.put(node, delivered);
            replays.put(node, replayed);
            decisions.put(node, decided);
        }
    }

    /** The log as the longest finished reader saw it (every reader's view is checked against it). */
    List<String> log() {
        List<String> longest = List.of();
        for (List<String> r : replays.values()) {
            if (r.size() > longest.size()) {
                longest = r;
            }
        }
        return longest;
    }

    /**
     * Runs every check.
     *
     * @return the violations, each with the lines that show it; empty if none
     */
    List<String> check() {
        List<String> out = new ArrayList<>(violations);
        List<String> log = log();
        for (Map.Entry<String, List<String>> e : readers.entrySet()) {
            sameOrder(out, e.getKey() + "'s subscription", e.getValue(), log);
            if (e.getValue().size() != log.size()) {
                out.add(e.getKey() + "'s subscription delivered " + e.getValue().size() + " of " + log.size()
                        + " events before it was closed");
            }
        }
        for (Map.Entry<String, List<String>> e : replays.entrySet()) {
            sameOrder(out, e.getKey() + "'s replay", e.getValue(), log);
            if (e.getValue().size() != log.size()) {
                out.add(e.getKey() + "'s replay ended at " + e.getValue().size() + " of " + log.size());
            }
        }
        Map<String, List<Integer>> at = new HashMap<>();
        for (int p = 0; p < log.size(); p++) {
            at.computeIfAbsent(log.get(p), k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<String, List<Integer>> e : at.entrySet()) {
            Outcome o = appends.get(e.getKey());
            if (o == null) {
                out.add("in the log at " + e.getValue() + " but appended by no client: " + e.getKey());
            } else if (e.getValue().size() > 1) {
                out.add("appended once (" + o + "), in the log " + e.getValue().size() + " times, at " + e.getValue()
                        + ": " + e.getKey());
            } else if (o == Outcome.FAIL) {
                out.add("known not applied, in the log at " + e.getValue() + ": " + e.getKey());
            }
        }
        for (Map.Entry<String, Long> e : acknowledgedAt.entrySet()) {
            List<Integer> found = at.getOrDefault(e.getKey(), List.of());
            if (!found.equals(List.of(e.getValue().intValue()))) {
                out.add("acknowledged at position " + e.getValue() + ", in the log at " + found + ": " + e.getKey());
            }
        }
        Map<Long, String> fence = fence(log);
        for (Map.Entry<String, Map<Long, String>> e : decisions.entrySet()) {
            if (!e.getValue().equals(fence)) {
                for (Map.Entry<Long, String> d : fence.entrySet()) {
                    String got = e.getValue().get(d.getKey());
                    if (!d.getValue().equals(got)) {
                        out.add(e.getKey() + " decided " + got + " at position " + d.getKey() + " ("
                                + log.get(d.getKey().intValue()) + "), the fence says " + d.getValue());
                    }
                }
            }
        }
        return out;
    }

    private static void sameOrder(List<String> out, String who, List<String> seen, List<String> log) {
        for (int p = 0; p < seen.size(); p++) {
            if (p >= log.size() || !seen.get(p).equals(log.get(p))) {
                out.add(who + " has " + seen.get(p) + " at position " + p + ", another reader "
                        + (p < log.size() ? log.get(p) : "nothing"));
                return;
            }
        }
    }

    /** The epoch fence over the log: APPLY or FENCED for each leader's event, by position. */
    static Map<Long, String> fence(List<String> log) {
        Map<Long, String> out = new TreeMap<>();
        long max = -1;
        for (int p = 0; p < log.size(); p++) {
            long epoch = EventLogNode.epochOf(log.get(p));
            if (epoch >= 0) {
                if (epoch >= max) {
                    max = epoch;
                    out.put((long) p, "APPLY");
                } else {
                    out.put((long) p, "FENCED");
                }
            }
        }
        return out;
    }

    /** The deposed leaders' events in the log (those the fence refuses), each with its position. */
    List<String> deposedAppends() {
        List<String> log = log();
        List<String> out = new ArrayList<>();
        for (Map.Entry<Long, String> e : fence(log).entrySet()) {
            if (e.getValue().equals("FENCED")) {
                out.add(e.getKey() + " " + log.get(e.getKey().intValue()));
            }
        }
        return out;
    }

    /**
     * Appends by outcome.
     *
     * @return how many ended OK, FAIL, INFO or with none
     */
    Map<Outcome, Long> outcomes() {
        Map<Outcome, Long> out = new java.util.EnumMap<>(Outcome.class);
        for (Outcome o : appends.values()) {
            out.merge(o, 1L, Long::sum);
        }
        return out;
    }

    /**
     * The unknown-outcome appends (INFO or none) that landed.
     *
     * @return how many of them are in the log
     */
    long unknownLanded() {
        java.util.Set<String> inLog = new java.util.HashSet<>(log());
        return appends.entrySet().stream()
                .filter(e -> e.getValue() == Outcome.INFO || e.getValue() == Outcome.NONE)
                .filter(e -> inLog.contains(e.getKey()))
                .count();
    }

    /**
     * The number of readers whose full history was checked.
     *
     * @return the finished readers
     */
    int readers() {
        return readers.size();
    }
}
