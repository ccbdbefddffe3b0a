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

/**
 * The checker of the queue workload ({@link QueueNode}) over what its processes printed: no
 * acknowledged offer lost (each is acknowledged by a worker or a dead letter, once), no item
 * acknowledged twice, no item both acknowledged and a dead letter, nothing consumed that was not
 * offered or that was known not offered, an offer with an unknown outcome consumed at most once,
 * and every poison item a dead letter. Each violation names the item and the lines that show it.
 */
final class QueueHistory {
    private final Map<String, String> offers = new LinkedHashMap<>(); // id -> OK / FAIL / INFO / NONE
    private final Map<String, List<String>> acks = new HashMap<>();
    private final Map<String, List<String>> claims = new HashMap<>();
    private final Map<String, String> dead = new HashMap<>();
    private final List<String> lost = new ArrayList<>();
    private final List<String> unknownAcks = new ArrayList<>();
    private long finalSize = -1;

    /**
     * Reads one process's lines (a killed one's too: what it printed happened).
     *
     * @param node its name
     * @param lines what it printed
     * @param killed whether it was killed: then an item it claimed without an outcome printed may
     *     have been acknowledged just before the kill, and counts as an ack in doubt
     */
    void read(String node, List<String> lines, boolean killed) {
        String open = null;
        for (String line : lines) {
            String[] g = line.split(" ");
            if (g[0].equals("CLAIM")) {
                open = line;
            } else if (g[0].equals("ACKED") || g[0].equals("LOST") || g[0].equals("ACKINFO") || g[0].equals("NACKED")) {
                open = null;
            }
        }
        if (killed && open != null) {
            unknownAcks.add(node + ": ACKINFO " + open.substring("CLAIM ".length()) + " killed");
        }
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "INVOKE" -> offers.putIfAbsent(f[1], "NONE");
                case "OK", "FAIL", "INFO" -> offers.put(f[1], f[0]);
                case "CLAIM" ->
                    claims.computeIfAbsent(f[1], k -> new ArrayList<>()).add(node + ": " + line);
                case "ACKED" ->
                    acks.computeIfAbsent(f[1], k -> new ArrayList<>()).add(node + ": " + line);
                case "LOST" -> lost.add(node + ": " + line);
                case "ACKINFO" -> unknownAcks.add(node + ": " + line);
                case "DEAD" -> dead.put(f[1], line);
                case "SIZE" -> finalSize = Long.parseLong(f[1]);
                default -> {
                    // STARTED, NACKED, DONE
                }
            }
        }
    }

    /**
     * Runs every check.
     *
     * @return the violations; empty if none
     */
    List<String> check() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : acks.entrySet()) {
            if (e.getValue().size() > 1) {
                out.add("acknowledged " + e.getValue().size() + " times: " + e.getValue());
            }
            if (dead.containsKey(e.getKey())) {
                out.add("acknowledged and a dead letter: " + e.getValue() + " / " + dead.get(e.getKey()));
            }
            String offered = offers.get(e.getKey());
            if (offered == null || offered.equals("FAIL")) {
                out.add("acknowledged but " + (offered == null ? "never offered" : "known not offered") + ": "
                        + e.getValue());
            }
        }
        for (Map.Entry<String, String> e : dead.entrySet()) {
            String offered = offers.get(e.getKey());
            if (offered == null || offered.equals("FAIL")) {
                out.add("a dead letter but " + (offered == null ? "never offered" : "known not offered") + ": "
                        + e.getValue());
            }
        }
        for (Map.Entry<String, String> e : offers.entrySet()) {
            String id = e.getKey();
            boolean consumed = acks.containsKey(id) || dead.containsKey(id);
            boolean ackInDoubt = unknownAcks.stream().anyMatch(l -> l.split(" ")[2].equals(id));
            if (e.getValue().equals("OK") && !consumed && !ackInDoubt && finalSize == 0) {
                out.add("offer acknowledged, then lost (never acknowledged by a worker nor a dead letter): " + id
                        + "; its claims: " + claims.getOrDefault(id, List.of()));
            }
            if (QueueNode.poison(id) && e.getValue().equals("OK") && !dead.containsKey(id)) {
                out.add("a poison item that is not a dead letter: " + id + "; its claims: "
                        + claims.getOrDefault(id, List.of()));
            }
        }
        if (finalSize != 0) {
            out.add("the queue was not empty after the drain (so an item not consumed may still be in it): size "
                    + finalSize);
        }
        return out;
    }

    /**
     * Offers by outcome.
     *
     * @return OK, FAIL, INFO and NONE (no outcome: the producer stopped first) counts
     */
    Map<String, Long> offerOutcomes() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String o : offers.values()) {
            out.merge(o, 1L, Long::sum);
        }
        return out;
    }

    /**
     * Acknowledgements that returned.
     *
     * @return their count
     */
    long acknowledged() {
        return acks.values().stream().mapToLong(List::size).sum();
    }

    /**
     * The dead letters listed at the end.
     *
     * @return their count
     */
    int deadLetters() {
        return dead.size();
    }

    /**
     * Items delivered more than once (given back by a killed, frozen or nacking worker).
     *
     * @return their count
     */
    long redelivered() {
        return claims.values().stream().filter(c -> c.size() > 1).count();
    }

    /**
     * Acks refused because the claim was lost (a resumed frozen worker's).
     *
     * @return the lines
     */
    List<String> lost() {
        return lost;
    }

    /**
     * Acks whose outcome was unknown.
     *
     * @return the lines
     */
    List<String> unknownAcks() {
        return unknownAcks;
    }

    /**
     * Unknown-outcome offers (INFO or none) that were consumed.
     *
     * @return how many
     */
    long unknownOffersConsumed() {
        return offers.entrySet().stream()
                .filter(e -> e.getValue().equals("INFO") || e.getValue().equals("NONE"))
                .filter(e -> acks.containsKey(e.getKey()) || dead.containsKey(e.getKey()))
                .count();
    }
}
