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
     */
    record Op(
            String process,
            Kind kind,
            @Nullable String value,
            @Nullable String expected,
            boolean succeeded,
            long invoked,
            long completed,
            Outcome outcome) {
        @Override
        public String toString() {
            String what = switch (kind) {
                case READ -> "read -> " + value;
                case WRITE -> "write " + value;
                case CAS -> "cas " + expected + " -> " + value + (outcome == Outcome.OK ? " = " + succeeded : "");
            };
            return process + " " + what + " [" + invoked + ", "
                    + (outcome == Outcome.INFO ? "unknown" : Long.toString(completed)) + "] " + outcome;
        }
    }

    /**
     * The verdict.
     *
     * @param linearizable whether an order exists
     * @param checked the operations that took part (OK and INFO)
     * @param window when not linearizable: the operations between the first one no order could
     *     include and the latest completion the search could not get past (a part of the history
     *     that shows the violation on its own); empty otherwise
     */
    record Verdict(boolean linearizable, int checked, List<Op> window) {}

    private RegisterHistory() {}

    /**
     * Checks a history.
     *
     * @param initial the register's value before any operation
     * @param ops the operations, in any order
     * @return the verdict
     */
    static Verdict check(String initial, List<Op> ops) {
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
        long furthest = Long.MIN_VALUE; // the latest return the search had to back out of
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
                furthest = Math.max(furthest, entry.time);
                if (stack.isEmpty()) {
                    return new Verdict(false, n, window(kept, kept.get(entry.op).invoked(), furthest));
                }
                Frame top = stack.remove(stack.size() - 1);
                state = top.state;
                linearized = (BitSet) linearized.clone();
                linearized.clear(top.call.op);
                unlift(top.call);
                entry = top.call.next;
            }
        }
        return new Verdict(true, n, List.of());
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

    /**
     * The operations that overlap {@code [from, to]}: from the invocation of the operation that
     * could not be placed to the latest return the search backed out of. No order exists for them.
     */
    private static List<Op> window(List<Op> ops, long from, long to) {
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            long end = op.outcome() == Outcome.INFO ? Long.MAX_VALUE : op.completed();
            if (op.invoked() <= to && end >= from) {
                out.add(op);
            }
        }
        out.sort(Comparator.comparingLong(Op::invoked));
        return out;
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
     * then {@code OK id result t}, {@code FAIL id t} or {@code INFO id t}. An operation invoked and
     * never answered (the process was killed or stopped meanwhile) is INFO.
     *
     * @param process the node's name
     * @param lines what it printed
     * @return its operations
     */
    static List<Op> parse(String process, List<String> lines) {
        Map<String, String[]> open = new HashMap<>();
        List<Op> ops = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "INVOKE" -> open.put(f[1], f);
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
                    ops.add(new Op(
                            process,
                            kind,
                            value,
                            kind == Kind.CAS ? inv[4] : null,
                            succeeded,
                            Long.parseLong(inv[5]),
                            completed,
                            outcome));
                }
                default -> {
                    // other output
                }
            }
        }
        for (String[] inv : open.values()) {
            Kind kind = Kind.valueOf(inv[2]);
            ops.add(new Op(
                    process,
                    kind,
                    kind == Kind.READ ? null : inv[3],
                    kind == Kind.CAS ? inv[4] : null,
                    false,
                    Long.parseLong(inv[5]),
                    Long.MAX_VALUE,
                    Outcome.INFO));
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
