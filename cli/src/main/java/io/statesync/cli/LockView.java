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
package io.statesync.cli;

import io.statesync.recipes.internal.LeaseRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.zookeeper.data.Stat;

/** Reads a lock, a read-write lock or a semaphore into its view: its line, who holds and who waits. */
final class LockView {
    private final Znodes zn;

    LockView(Inspector in) {
        this.zn = in.znodes();
    }

    /**
     * The lock znodes in line order and who holds: the first of a mutex; a writer with nothing
     * before it, a reader with no writer before it; the first {@code maxLeases} leases of a
     * semaphore, its {@code maxLeases} read from the leases themselves (each records its client's).
     * If the leases disagree, or none records it (an older release's), the line is shown with each
     * lease's place and no one is named a holder.
     */
    void read(Znodes.Node node, Kind kind, Map<String, Object> v) {
        List<String> line = LockLine.sorted(zn.children(node.path()));
        List<Map<String, Object>> holders = new ArrayList<>();
        List<Map<String, Object>> waiters = new ArrayList<>();
        boolean writerSeen = false;
        int place = 0;
        Map<Integer, Integer> maxLeases = new TreeMap<>(); // the semaphore's maxLeases -> leases recording it
        int unrecorded = 0;
        for (String name : line) {
            Optional<Stat> s;
            if (kind == Kind.SEMAPHORE) {
                Optional<Znodes.Node> lease = zn.read(Znodes.child(node.path(), name));
                s = lease.map(Znodes.Node::stat);
                if (lease.isPresent()) {
                    OptionalInt n = LeaseRecord.maxLeasesOf(lease.get().data());
                    if (n.isPresent()) {
                        maxLeases.merge(n.getAsInt(), 1, Integer::sum);
                    } else {
                        unrecorded++;
                    }
                }
            } else {
                s = zn.stat(Znodes.child(node.path(), name));
            }
            if (s.isEmpty()) {
                continue; // released meanwhile
            }
            String k = LockLine.kindOf(name);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("place", place);
            e.put("mode", k);
            e.put("token", s.get().getCzxid());
            e.put("session", Inspector.hex(s.get().getEphemeralOwner()));
            e.put("since", Instant.ofEpochMilli(s.get().getCtime()).toString());
            e.put("znode", name);
            boolean holds = switch (kind) {
                case LOCK -> place == 0;
                case READ_WRITE_LOCK -> "write".equals(k) ? place == 0 : !writerSeen;
                default -> false;
            };
            if ("write".equals(k)) {
                writerSeen = true;
            }
            if (kind == Kind.SEMAPHORE) {
                waiters.add(e);
            } else if (holds) {
                holders.add(e);
            } else {
                waiters.add(e);
            }
            place++;
        }
        if (kind == Kind.SEMAPHORE) {
            if (maxLeases.size() != 1 || unrecorded > 0) {
                v.put("leases", waiters);
                v.put("maxLeases", maxLeases);
                v.put(
                        "note",
                        maxLeases.size() > 1
                                ? "the leases disagree on maxLeases (value: leases): every client of a semaphore must"
                                        + " use the same number"
                                : "the first maxLeases in line hold a lease; "
                                        + (unrecorded == waiters.size()
                                                ? "no lease records maxLeases"
                                                : unrecorded + " leases do not record maxLeases"));
                v.put(
                        "summary",
                        waiters.size() + " in line, maxLeases " + (maxLeases.isEmpty() ? "unknown" : maxLeases));
                return;
            }
            int n = maxLeases.keySet().iterator().next();
            v.put("maxLeases", n);
            List<Map<String, Object>> inLine = waiters;
            holders = new ArrayList<>(inLine.subList(0, Math.min(n, inLine.size())));
            waiters = new ArrayList<>(inLine.subList(holders.size(), inLine.size()));
        }
        v.put("holders", holders);
        v.put("waiters", waiters);
        StringBuilder sum = new StringBuilder();
        if (holders.isEmpty()) {
            sum.append("free");
        } else {
            sum.append("held by ");
            for (int i = 0; i < holders.size(); i++) {
                Map<String, Object> h = holders.get(i);
                sum.append(i == 0 ? "" : ", ")
                        .append("session ")
                        .append(h.get("session"))
                        .append(" (token ")
                        .append(h.get("token"))
                        .append(kind == Kind.READ_WRITE_LOCK ? ", " + h.get("mode") : "")
                        .append(')');
            }
        }
        sum.append(", ").append(waiters.size()).append(" waiting");
        if (kind == Kind.SEMAPHORE) {
            sum.append(", maxLeases ").append(v.get("maxLeases"));
        }
        v.put("summary", sum.toString());
    }
}
