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
}
