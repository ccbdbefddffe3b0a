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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker of the replicated-state workload ({@link ReplicatedNode}) over what its processes
 * printed. The state is the list of commands applied, in order; the longest final state is the
 * reference:
 *
 * <ul>
 *   <li>one order: every node's final state, and every state any node saw on the way (by its
 *       command count and CRC-32), is a prefix of the reference;
 *   <li>exactly once: no command twice in the reference; every acknowledged command ({@code OK} at
 *       position p) is the reference's command p, so it was applied once, where its future said;
 *   <li>nothing invented: every command applied was submitted, and none known not applied was;
 *   <li>a published state's version is its number of commands (none rejected here).
 * </ul>
 */
final class ReplicatedHistory {
    private final Map<String, String> submits = new LinkedHashMap<>(); // id -> OK / FAIL / INFO / NONE
    private final Map<String, Long> positions = new HashMap<>();
    private final List<String> states = new ArrayList<>(); // "node: STATE ..."
    private final Map<String, List<String>> finals = new LinkedHashMap<>();
    private final Map<String, Long> finalVersions = new HashMap<>();

    /**
     * Reads one process's lines (a killed one's too).
     *
     * @param node its name
     * @param lines what it printed
     */
    void read(String node, List<String> lines) {
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "INVOKE" -> submits.putIfAbsent(f[1], "NONE");
                case "OK" -> {
                    submits.put(f[1], "OK");
                    positions.put(f[1], Long.parseLong(f[2]));
                }
                case "FAIL", "INFO" -> submits.put(f[1], f[0]);
                case "STATE" -> states.add(node + ": " + line);
                case "FINAL" -> {
                    finalVersions.put(node, Long.parseLong(f[1]));
                    finals.put(node, f.length > 2 ? Arrays.asList(f[2].split(",")) : List.of());
                }
                default -> {
                    // STARTED, LEADER, SUBMITTED, DONE
                }
            }
        }
    }

    /** The longest final state. */
    List<String> reference() {
        List<String> longest = List.of();
        for (List<String> s : finals.values()) {
            if (s.size() > longest.size()) {
                longest = s;
            }
        }
        return longest;
    }

    /**
     * Runs every check.
     *
     * @return the violations; empty if none
     */
    List<String> check() {
        List<String> out = new ArrayList<>();
        List<String> ref = reference();
        Map<String, Integer> at = new HashMap<>();
        for (int p = 0; p < ref.size(); p++) {
            Integer before = at.put(ref.get(p), p);
            if (before != null) {
                out.add("applied twice, at " + before + " and " + p + ": " + ref.get(p));
            }
            String s = submits.get(ref.get(p));
            if (s == null) {
                out.add("applied at " + p + " but submitted by no node: " + ref.get(p));
            } else if (s.equals("FAIL")) {
                out.add("known not applied, applied at " + p + ": " + ref.get(p));
            }
        }
        for (Map.Entry<String, List<String>> e : finals.entrySet()) {
            if (!ref.subList(0, Math.min(ref.size(), e.getValue().size())).equals(e.getValue())) {
                out.add(e.getKey() + "'s final state is not a prefix of the longest: "
                        + firstDifference(e.getValue(), ref));
            }
            if (finalVersions.get(e.getKey()) != e.getValue().size()) {
                out.add(e.getKey() + "'s final version " + finalVersions.get(e.getKey()) + " for "
                        + e.getValue().size() + " commands");
            }
        }
        for (Map.Entry<String, Long> e : positions.entrySet()) {
            int p = e.getValue().intValue();
            if (p >= ref.size() || !ref.get(p).equals(e.getKey())) {
                out.add("acknowledged at position " + p + ", the state has "
                        + (p < ref.size() ? ref.get(p) : "nothing") + " there (and it at "
                        + at.getOrDefault(e.getKey(), -1) + "): " + e.getKey());
            }
        }
        for (String line : states) {
            String[] f = line.split(" ");
            long version = Long.parseLong(f[2]);
            int count = Integer.parseInt(f[3]);
            long crc = Long.parseLong(f[4]);
            if (version != count) {
                out.add("a state whose version is not its number of commands: " + line);
            }
            if (count > ref.size() || ReplicatedNode.crc(String.join(",", ref.subList(0, count))) != crc) {
                out.add("a state seen that is not a prefix of the final one: " + line);
            }
        }
        return out;
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "at " + i + ": " + a.get(i) + " / " + b.get(i);
            }
        }
        return "lengths " + a.size() + " / " + b.size();
    }

    /**
     * Submissions by outcome.
     *
     * @return OK, FAIL, INFO and NONE counts
     */
    Map<String, Long> outcomes() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String o : submits.values()) {
            out.merge(o, 1L, Long::sum);
        }
        return out;
    }

    /**
     * Unknown-outcome submissions (INFO or none) that were applied.
     *
     * @return how many
     */
    long unknownApplied() {
        java.util.Set<String> applied = new java.util.HashSet<>(reference());
        return submits.entrySet().stream()
                .filter(e -> e.getValue().equals("INFO") || e.getValue().equals("NONE"))
                .filter(e -> applied.contains(e.getKey()))
                .count();
    }

    /**
     * The states seen and checked.
     *
     * @return their count
     */
    int statesSeen() {
        return states.size();
    }

    /**
     * The finished nodes whose final state was checked.
     *
     * @return their count
     */
    int finals() {
        return finals.size();
    }
}
