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
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A history of operations on one register (a {@code SharedState<String>} whose every write writes a
 * value no other write writes), and a linearizability check of it: the Wing-Gong search with Lowe's
 * memo of (operations linearized, register value), as in Knossos and Porcupine.
 *
 * <p>Each operation has the times (one monotonic clock for every process of the machine) at which
 * it was invoked and at which its outcome was known, and one of three outcomes: {@code OK} (with
 * its result), {@code FAIL} (known not to have taken effect: left out of the check) or {@code
 * INFO} (unknown: it may have taken effect at any moment after its invocation, or never — it never
 * returns, so the search may place it anywhere later, including after everything observed).
 *
 * <p>The history is linearizable if some order of the operations that took effect respects real
 * time (an operation that completed before another was invoked comes first) and the register's
 * rules: a read returns the last value written; a write sets it; a compare-and-set succeeds exactly
 * when the value is the expected one.
 */
final class RegisterHistory {
    /** What an operation does. */
    enum Kind {
        READ,
        WRITE,
        CAS
    }

    /** How it ended. */
    enum Outcome {
        OK,
        FAIL,
        INFO
    }

    /**
     * One operation.
     *
     * @param process who ran it
     * @param kind what it does
     * @param value the value written (WRITE, CAS), or read (READ, when OK)
     * @param expected the expected value (CAS)
     * @param succeeded whether a CAS succeeded (when OK)
     * @param invoked when it was invoked (nanoseconds)
     * @param completed when its outcome was known (nanoseconds; ignored for INFO)
     * @param outcome how it ended
     * @param zxid the mzxid (hex) of the value read or written, when the node printed it
     * @param server the session and server the operation went to, when the node printed it
     */
    record Op(
            String process,
            Kind kind,
            @Nullable String value,
            @Nullable String expected,
            boolean succeeded,
            long invoked,
            long completed,
            Outcome outcome,
            @Nullable String zxid,
            @Nullable String server) {
        Op(
                String process,
                Kind kind,
                @Nullable String value,
                @Nullable String expected,
                boolean succeeded,
                long invoked,
                long completed,
                Outcome outcome) {
            this(process, kind, value, expected, succeeded, invoked, completed, outcome, null, null);
        }

        /** Whether it set the register (a write, or a compare-and-set that succeeded) as far as is known. */
        boolean wrote() {
            return outcome == Outcome.OK && (kind == Kind.WRITE || (kind == Kind.CAS && succeeded));
        }

        @Override
        public String toString() {
            String what = switch (kind) {
                case READ -> "read -> " + value;
                case WRITE -> "write " + value;
                case CAS -> "cas " + expected + " -> " + value + (outcome == Outcome.OK ? " = " + succeeded : "");
            };
            return process + " " + what + " [" + invoked + ", "
                    + (outcome == Outcome.INFO ? "unknown" : Long.toString(completed)) + "] " + outcome
                    + (zxid == null ? "" : " zxid 0x" + zxid)
                    + (server == null ? "" : " via " + server);
        }
    }

    /**
     * The verdict.
     *
     * @param linearizable whether an order exists
     * @param checked the operations that took part (OK and INFO)
     * @param stale when not linearizable: the operation whose completion first leaves no order (every
     *     operation invoked before it completed, with those still running then taken as unknown, has
     *     an order; with it, none); {@code null} otherwise
     * @param window when not linearizable: the fewest operations that show the violation on their own
     *     — for a stale read (or a compare-and-set that succeeded on a stale value), the operation
     *     that wrote the value it saw, the last write that completed after that one completed and
     *     before the stale operation was invoked, and the stale operation; otherwise the operations
     *     that overlap the stale operation and the write of the value it saw; empty if linearizable
     */
    record Verdict(
            boolean linearizable, int checked, @Nullable Op stale, List<Op> window) {}

    private RegisterHistory() {}

    /**
     * Checks a history.
     *
     * @param initial the register's value before any operation
     * @param ops the operations, in any order
     * @return the verdict
     */
    static Verdict check(String initial, List<Op> ops) {
        int n = 0;
        for (Op op : ops) {
            if (op.outcome() != Outcome.FAIL) {
                n++;
            }
        }
        if (linearizable(initial, ops)) {
            return new Verdict(true, n, null, List.of());
        }
        // The first completion that leaves no order (a prefix that has none stays so when it grows).
        List<Long> ends = new ArrayList<>();
        for (Op op : ops) {
            if (op.outcome() == Outcome.OK) {
                ends.add(op.completed());
            }
        }
        ends.sort(null);
        int lo = 0;
        int hi = ends.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (linearizable(initial, prefix(ops, ends.get(mid)))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        long end = ends.isEmpty() ? Long.MAX_VALUE : ends.get(lo);
        List<Op> prefix = prefix(ops, end);
        Op stale = null;
        for (Op op : prefix) {
            if (op.outcome() == Outcome.OK && op.completed() == end) {
                stale = op;
            }
        }
        if (stale == null) {
            return new Verdict(false, n, null, prefix);
        }
        return new Verdict(false, n, stale, window(initial, ops, prefix, stale));
    }

    /**
     * What was known at {@code t}: the operations invoked by then; one that completed later is taken
     * as unknown (a read then tells nothing and is left out).
     */
    private static List<Op> prefix(List<Op> ops, long t) {
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            if (op.invoked() > t || op.outcome() == Outcome.FAIL) {
                continue;
            }
            if (op.outcome() == Outcome.OK && op.completed() > t) {
                if (op.kind() != Kind.READ) {
                    out.add(new Op(
                            op.process(),
                            op.kind(),
                            op.value(),
                            op.expected(),
                            false,
                            op.invoked(),
                            Long.MAX_VALUE,
                            Outcome.INFO,
                            null,
                            op.server()));
                }
            } else {
                out.add(op);
            }
        }
        return out;
    }

    /** The fewest operations of {@code prefix} that show why {@code stale} has no place (see {@link Verdict}). */
    private static List<Op> window(String initial, List<Op> ops, List<Op> prefix, Op stale) {
        // The value the stale operation depended on, and the operation that wrote it.
        @Nullable
        String seen = switch (stale.kind()) {
            case READ -> stale.value();
            case CAS -> stale.succeeded() ? stale.expected() : null;
            case WRITE -> null;
        };
        Op writer = null;
        if (seen != null && !seen.equals(initial)) {
            for (Op op : prefix) {
                boolean mayHaveWritten = op.kind() == Kind.WRITE || op.outcome() == Outcome.INFO || op.succeeded();
                if (op.kind() != Kind.READ && mayHaveWritten && seen.equals(op.value())) {
                    writer = op;
                }
            }
        }
        if (seen != null && writer == null && !seen.equals(initial)) {
            // a value no write that may have landed wrote: the write that failed (or the compare-and-set
            // that did not succeed) with it, if any
            for (Op op : ops) {
                if (op.kind() != Kind.READ && seen.equals(op.value())) {
                    return List.of(op, stale);
                }
            }
            return List.of(stale);
        }
        if (seen != null && (writer == null || writer.outcome() == Outcome.OK)) {
            long after = writer == null ? Long.MIN_VALUE : writer.completed();
            Op latest = null;
            for (Op op : prefix) {
                if (op != writer
                        && op.wrote()
                        && op.invoked() > after
                        && op.completed() < stale.invoked()
                        && (latest == null || op.completed() > latest.completed())) {
                    latest = op;
                }
            }
            if (latest != null) {
                List<Op> out = new ArrayList<>();
                if (writer != null) {
                    out.add(writer);
                }
                out.add(latest);
                out.add(stale);
                return out;
            }
        }
        // No single overwrite explains it: the operations overlapping the stale one and its source.
        long from = writer == null ? stale.invoked() : Math.min(writer.invoked(), stale.invoked());
        List<Op> out = new ArrayList<>();
        for (Op op : prefix) {
            long opEnd = op.outcome() == Outcome.INFO ? Long.MAX_VALUE : op.completed();
            if (op.invoked() <= stale.completed() && opEnd >= from) {
                out.add(op);
            }
        }
        out.sort(Comparator.comparingLong(Op::invoked));
        return out;
    }

    /** Whether an order of {@code ops} exists (the search). */
    private static boolean linearizable(String initial, List<Op> ops) {
        List<Op> kept = new ArrayList<>();
        for (Op op : ops) {
            if (op.outcome() != Outcome.FAIL) {
                kept.add(op);
            }
        }
        int n = kept.size();
        // Entries: a call and a return per operation, by time; an unknown operation returns at
        // the end of time. On equal times calls come first (the more permissive reading).
        List<Entry> entries = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Op op = kept.get(i);
            Entry call = new Entry(i, true, op.invoked());
            Entry ret = new Entry(i, false, op.outcome() == Outcome.INFO ? Long.MAX_VALUE : op.completed());
            call.match = ret;
            entries.add(call);
            entries.add(ret);
        }
        entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
        Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry prev = head;
        for (Entry e : entries) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }

        BitSet linearized = new BitSet(n);
        Set<Memo> seen = new HashSet<>();
        List<Frame> stack = new ArrayList<>();
        String state = initial;
        Entry entry = head.next;
        while (head.next != null) {
            if (entry == null) {
                break; // only returns of unknown operations can be left: everything fitted
            }
            if (entry.call) {
                Op op = kept.get(entry.op);
                @Nullable String next = step(state, op);
                if (next != null) {
                    BitSet after = (BitSet) linearized.clone();
                    after.set(entry.op);
                    if (seen.add(new Memo(after, next))) {
                        stack.add(new Frame(entry, state));
                        state = next;
                        linearized = after;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (entry.time == Long.MAX_VALUE) {
                    // an unknown operation never has to take effect
                    entry = entry.next;
                    continue;
                }
                if (stack.isEmpty()) {
                    return false;
                }
                Frame top = stack.remove(stack.size() - 1);
                state = top.state;
                linearized = (BitSet) linearized.clone();
                linearized.clear(top.call.op);
                unlift(top.call);
                entry = top.call.next;
            }
        }
        return true;
    }

    /** The register after {@code op} from {@code state}, or {@code null} if {@code op} cannot happen there. */
    private static @Nullable String step(String state, Op op) {
        return switch (op.kind()) {
            case READ -> op.outcome() == Outcome.INFO || Objects.equals(op.value(), state) ? state : null;
            case WRITE -> op.value();
            case CAS -> {
                boolean matches = state.equals(op.expected());
                if (op.outcome() == Outcome.INFO) {
                    yield matches ? op.value() : state;
                }
                if (op.succeeded()) {
                    yield matches ? op.value() : null;
                }
                yield matches ? null : state;
            }
        };
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }

    /**
     * Parses the lines a {@link RegisterNode} printed: {@code INVOKE id kind value expected t},
     * then {@code OK id result [zxid] t}, {@code FAIL id t} or {@code INFO id t}; a line {@code SERVER
     * session server t} says where the operations invoked after it go. An operation invoked and
     * never answered (the process was killed or stopped meanwhile) is INFO.
     *
     * @param process the node's name
     * @param lines what it printed
     * @return its operations
     */
    static List<Op> parse(String process, List<String> lines) {
        Map<String, String[]> open = new HashMap<>();
        Map<String, String> openServer = new HashMap<>();
        List<Op> ops = new ArrayList<>();
        @Nullable String server = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "SERVER" -> server = f.length >= 4 ? f[1] + " " + f[2].substring(f[2].indexOf('/') + 1) : null;
                case "INVOKE" -> {
                    open.put(f[1], f);
                    if (server != null) {
                        openServer.put(f[1], server);
                    }
                }
                case "OK", "FAIL", "INFO" -> {
                    String[] inv = open.remove(f[1]);
                    if (inv == null) {
                        throw new IllegalStateException(process + ": answer without invocation: " + line);
                    }
                    Outcome outcome = Outcome.valueOf(f[0]);
                    Kind kind = Kind.valueOf(inv[2]);
                    long completed = Long.parseLong(f[f.length - 1]);
                    String value = kind == Kind.READ ? (outcome == Outcome.OK ? f[2] : null) : inv[3];
                    boolean succeeded = kind == Kind.CAS && outcome == Outcome.OK && f[2].equals("true");
                    String zxid = outcome == Outcome.OK && f.length >= 5 && !f[3].equals("-") ? f[3] : null;
                    ops.add(new Op(
                            process,
                            kind,
                            value,
                            kind == Kind.CAS ? inv[4] : null,
                            succeeded,
                            Long.parseLong(inv[5]),
                            completed,
                            outcome,
                            zxid,
                            openServer.remove(f[1])));
                }
                default -> {
                    // other output
                }
            }
        }
        for (Map.Entry<String, String[]> e : open.entrySet()) {
            String[] inv = e.getValue();
            Kind kind = Kind.valueOf(inv[2]);
            ops.add(new Op(
                    process,
                    kind,
                    kind == Kind.READ ? null : inv[3],
                    kind == Kind.CAS ? inv[4] : null,
                    false,
                    Long.parseLong(inv[5]),
                    Long.MAX_VALUE,
                    Outcome.INFO,
                    null,
                    openServer.get(e.getKey())));
        }
        return ops;
    }

    private static final class Entry {
        final int op;
        final boolean call;
        final long time;

        @Nullable
        Entry match;

        @Nullable
        Entry prev;

        @Nullable
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Entry call, String state) {}

    private record Memo(BitSet linearized, String state) {}
}
