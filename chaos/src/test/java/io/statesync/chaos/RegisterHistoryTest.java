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

import io.statesync.chaos.RegisterHistory.Kind;
import io.statesync.chaos.RegisterHistory.Op;
import io.statesync.chaos.RegisterHistory.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The register checker on small histories whose verdict is known. */
@Timeout(30)
class RegisterHistoryTest {
    private static Op read(String p, String value, long from, long to) {
        return new Op(p, Kind.READ, value, null, false, from, to, Outcome.OK);
    }

    private static Op write(String p, String value, long from, long to, Outcome outcome) {
        return new Op(p, Kind.WRITE, value, null, false, from, to, outcome);
    }

    private static Op cas(String p, String expected, String value, boolean ok, long from, long to, Outcome outcome) {
        return new Op(p, Kind.CAS, value, expected, ok, from, to, outcome);
    }

    @Test
    void concurrentWritesMayBeSeenInEitherOrderButReadsMustAgreeAfterwards() {
        List<Op> ops = List.of(
                write("a", "a1", 0, 10, Outcome.OK),
                write("b", "b1", 1, 9, Outcome.OK),
                read("c", "a1", 11, 12),
                read("c", "a1", 13, 14));
        assertThat(RegisterHistory.check("init", ops).linearizable()).isTrue();

        List<Op> flipFlop = List.of(
                write("a", "a1", 0, 10, Outcome.OK),
                write("b", "b1", 1, 9, Outcome.OK),
                read("c", "a1", 11, 12),
                read("c", "b1", 13, 14));
        RegisterHistory.Verdict verdict = RegisterHistory.check("init", flipFlop);
        assertThat(verdict.linearizable()).isFalse();
        assertThat(verdict.window()).isNotEmpty();
    }

    @Test
    void aStaleReadAfterACompletedWriteIsAViolation() {
        List<Op> ops = List.of(write("a", "a1", 0, 5, Outcome.OK), read("b", "init", 6, 7));
        RegisterHistory.Verdict verdict = RegisterHistory.check("init", ops);
        assertThat(verdict.linearizable()).isFalse();
        assertThat(verdict.window()).extracting(Op::process).contains("b");
    }

    @Test
    void aReadOverlappingAWriteMaySeeEitherValue() {
        assertThat(RegisterHistory.check("init", List.of(write("a", "a1", 0, 10, Outcome.OK), read("b", "init", 2, 3)))
                        .linearizable())
                .isTrue();
        assertThat(RegisterHistory.check("init", List.of(write("a", "a1", 0, 10, Outcome.OK), read("b", "a1", 2, 3)))
                        .linearizable())
                .isTrue();
    }

    @Test
    void anUnknownWriteMayHaveLandedLateOrNeverButAFailedOneNever() {
        // unknown: seen long after its caller gave up, or never seen
        assertThat(RegisterHistory.check(
                                "init",
                                List.of(
                                        write("a", "a1", 0, 5, Outcome.INFO),
                                        read("b", "init", 10, 11),
                                        read("b", "a1", 20, 21)))
                        .linearizable())
                .isTrue();
        assertThat(RegisterHistory.check(
                                "init", List.of(write("a", "a1", 0, 5, Outcome.INFO), read("b", "init", 10, 11)))
                        .linearizable())
                .isTrue();
        // known not applied: its value must never be read
        assertThat(RegisterHistory.check("init", List.of(write("a", "a1", 0, 5, Outcome.FAIL), read("b", "a1", 10, 11)))
                        .linearizable())
                .isFalse();
    }

    @Test
    void aCompareAndSetSucceedsExactlyWhenTheValueIsTheExpectedOne() {
        assertThat(RegisterHistory.check(
                                "init",
                                List.of(
                                        cas("a", "init", "a1", true, 0, 5, Outcome.OK),
                                        cas("b", "init", "b1", false, 6, 7, Outcome.OK),
                                        read("c", "a1", 8, 9)))
                        .linearizable())
                .isTrue();
        // two compare-and-sets from the same expected value cannot both succeed
        assertThat(RegisterHistory.check(
                                "init",
                                List.of(
                                        cas("a", "init", "a1", true, 0, 5, Outcome.OK),
                                        cas("b", "init", "b1", true, 1, 6, Outcome.OK)))
                        .linearizable())
                .isFalse();
        // one that failed although the value was the expected one, with nothing concurrent
        assertThat(RegisterHistory.check("init", List.of(cas("a", "init", "a1", false, 0, 5, Outcome.OK)))
                        .linearizable())
                .isFalse();
    }

    @Test
    void theLinesANodePrintsAreParsedAndAnUnansweredOperationIsUnknown() {
        List<Op> ops = RegisterHistory.parse(
                "a",
                List.of(
                        "STARTED a",
                        "INVOKE 0 READ - - 100",
                        "OK 0 init 110",
                        "INVOKE 1 WRITE a-1 - 120",
                        "INFO 1 130",
                        "INVOKE 2 CAS a-2 init 140",
                        "OK 2 false 150",
                        "INVOKE 3 WRITE a-3 - 160"));
        assertThat(ops).hasSize(4);
        assertThat(ops.get(0)).isEqualTo(read("a", "init", 100, 110));
        assertThat(ops.get(1).outcome()).isEqualTo(Outcome.INFO);
        assertThat(ops.get(2)).isEqualTo(cas("a", "init", "a-2", false, 140, 150, Outcome.OK));
        assertThat(ops.get(3).outcome()).isEqualTo(Outcome.INFO);
        assertThat(ops.get(3).value()).isEqualTo("a-3");
    }

    @Test
    void aLongConcurrentHistoryIsCheckedQuickly() {
        // three processes, 3,000 operations, each write read back by the next operation of its writer
        List<Op> ops = new ArrayList<>();
        long t = 0;
        String value = "init";
        for (int i = 0; i < 1000; i++) {
            for (String p : List.of("a", "b", "c")) {
                String next = p + "-" + i;
                if (i % 3 == 0) {
                    ops.add(read(p, value, t, t + 3));
                } else {
                    ops.add(write(p, next, t, t + 3, i % 50 == 0 ? Outcome.INFO : Outcome.OK));
                    value = next;
                }
                t += 5;
            }
        }
        assertThat(RegisterHistory.check("init", ops).linearizable()).isTrue();
    }

    /** Three processes taking turns, every write read back: linearizable, {@code 3 * rounds} operations. */
    private static List<Op> busyPrefix(int rounds) {
        List<Op> ops = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < rounds; i++) {
            for (String p : List.of("a", "b", "c")) {
                ops.add(write(p, p + "-w" + i, t, t + 3, Outcome.OK));
                ops.add(read(p, p + "-w" + i, t + 4, t + 5));
                t += 10;
            }
        }
        return ops;
    }

    @Test
    void aFailingCheckShowsTheStaleReadTheWriteItSawAndTheWriteItMissedNotThePrefix() {
        List<Op> ops = busyPrefix(200);
        long t = 100_000;
        Op source = cas("a", "c-w199", "a-491", true, t, t + 10, Outcome.OK);
        Op missed = write("b", "b-61", t + 12, t + 20, Outcome.OK); // after a-491 was acknowledged
        Op stale = read("a", "a-491", t + 30, t + 40); // invoked after b-61 returned
        ops.add(source);
        ops.add(missed);
        ops.add(read("c", "b-61", t + 25, t + 26));
        ops.add(stale);
        ops.add(write("c", "c-1000", t + 50, t + 60, Outcome.OK)); // after it: still in the history
        ops.add(read("b", "c-1000", t + 70, t + 80));

        RegisterHistory.Verdict verdict = RegisterHistory.check("init", ops);

        assertThat(verdict.linearizable()).isFalse();
        assertThat(verdict.stale()).isEqualTo(stale);
        assertThat(verdict.window()).containsExactly(source, missed, stale);
    }

    @Test
    void whenTheMissedWriteOverlapsTheOneSeenTheWindowIsTheOperationsAroundThem() {
        // b-61 overlaps the compare-and-set that wrote a-491, which needed c-w199: a-491 came first
        List<Op> ops = busyPrefix(200);
        long t = 100_000;
        Op source = cas("a", "c-w199", "a-491", true, t, t + 10, Outcome.OK);
        Op missed = write("b", "b-61", t + 5, t + 20, Outcome.OK);
        Op stale = read("a", "a-491", t + 30, t + 40);
        ops.add(source);
        ops.add(missed);
        ops.add(stale);

        RegisterHistory.Verdict verdict = RegisterHistory.check("init", ops);

        assertThat(verdict.linearizable()).isFalse();
        assertThat(verdict.window()).contains(source, missed, stale).hasSizeLessThan(6);
    }

    @Test
    void aReadOfAValueOnlyAFailedWriteWroteShowsThatWriteAndTheRead() {
        List<Op> ops = busyPrefix(50);
        Op failed = write("a", "a-9", 10_000, 10_010, Outcome.FAIL);
        Op read = read("b", "a-9", 10_020, 10_030);
        ops.add(failed);
        ops.add(read);

        assertThat(RegisterHistory.check("init", ops).window()).containsExactly(failed, read);

        List<Op> casFailed = busyPrefix(50);
        Op lost = cas("a", "x-0", "a-10", false, 10_000, 10_010, Outcome.OK); // x-0 was never there
        Op seen = read("b", "a-10", 10_020, 10_030);
        casFailed.add(lost);
        casFailed.add(seen);
        assertThat(RegisterHistory.check("init", casFailed).window()).containsExactly(lost, seen);
    }

    @Test
    void aViolationNoSingleOverwriteExplainsShowsOnlyTheOperationsAroundIt() {
        // a compare-and-set that failed although nothing but its expected value was there
        List<Op> ops = busyPrefix(50);
        Op source = write("a", "a-1", 10_000, 10_010, Outcome.OK);
        Op cas = cas("b", "a-1", "b-1", false, 10_020, 10_030, Outcome.OK);
        ops.add(source);
        ops.add(cas);
        ops.add(read("c", "a-1", 10_040, 10_050));

        RegisterHistory.Verdict verdict = RegisterHistory.check("init", ops);

        assertThat(verdict.linearizable()).isFalse();
        assertThat(verdict.stale()).isEqualTo(cas);
        assertThat(verdict.window()).contains(cas).hasSizeLessThan(5);
    }

    @Test
    void theSearchAgreesWithAnExhaustiveOneOnSmallRandomHistories() {
        Random random = new Random(20);
        int linearizable = 0;
        for (int round = 0; round < 20_000; round++) {
            List<Op> ops = new ArrayList<>();
            int n = 2 + random.nextInt(6);
            List<String> values = new ArrayList<>(List.of("init"));
            for (int i = 0; i < n; i++) {
                values.add("v" + i);
            }
            for (int i = 0; i < n; i++) {
                long from = random.nextInt(20);
                long to = from + random.nextInt(8);
                Outcome outcome =
                        random.nextInt(5) == 0 ? Outcome.INFO : random.nextInt(8) == 0 ? Outcome.FAIL : Outcome.OK;
                String p = "p" + random.nextInt(3);
                String any = values.get(random.nextInt(values.size()));
                ops.add(
                        switch (random.nextInt(3)) {
                            case 0 -> new Op(p, Kind.READ, any, null, false, from, to, outcome);
                            case 1 -> write(p, "v" + i, from, to, outcome);
                            default -> cas(p, any, "v" + i, random.nextBoolean(), from, to, outcome);
                        });
            }
            boolean expected = exhaustive("init", ops);
            if (expected) {
                linearizable++;
            }
            assertThat(RegisterHistory.check("init", ops).linearizable())
                    .as("%s", ops)
                    .isEqualTo(expected);
        }
        assertThat(linearizable).as("linearizable among the histories").isBetween(1_000, 19_000);
    }

    /** Every order of the operations that took effect, tried one by one. */
    private static boolean exhaustive(String initial, List<Op> all) {
        List<Op> ops = new ArrayList<>();
        for (Op op : all) {
            if (op.outcome() != Outcome.FAIL) {
                ops.add(op);
            }
        }
        return exhaustive(initial, ops, new boolean[ops.size()]);
    }

    private static boolean exhaustive(String state, List<Op> ops, boolean[] placed) {
        boolean done = true;
        for (int i = 0; i < ops.size(); i++) {
            if (!placed[i] && ops.get(i).outcome() == Outcome.OK) {
                done = false;
            }
        }
        if (done) {
            return true; // what is left are unknown operations, which need not have taken effect
        }
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            boolean first = !placed[i];
            for (int j = 0; first && j < ops.size(); j++) {
                Op other = ops.get(j);
                first = placed[j] || j == i || other.outcome() != Outcome.OK || other.completed() >= op.invoked();
            }
            @Nullable String next = first ? apply(state, op) : null;
            if (next != null) {
                placed[i] = true;
                boolean found = exhaustive(next, ops, placed);
                placed[i] = false;
                if (found) {
                    return true;
                }
            }
        }
        return false;
    }

    private static @Nullable String apply(String state, Op op) {
        boolean unknown = op.outcome() == Outcome.INFO;
        return switch (op.kind()) {
            case READ -> unknown || Objects.equals(op.value(), state) ? state : null;
            case WRITE -> op.value();
            case CAS -> {
                boolean matches = state.equals(op.expected());
                if (unknown) {
                    yield matches ? op.value() : state;
                }
                yield op.succeeded() == matches ? (matches ? op.value() : state) : null;
            }
        };
    }
}
