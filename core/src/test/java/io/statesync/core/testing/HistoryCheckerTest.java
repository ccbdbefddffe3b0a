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
package io.statesync.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.ChangeKind;
import io.statesync.core.StateChange;
import io.statesync.core.Versioned;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself finds the violations it is meant to find (so the tests using it can fail). */
class HistoryCheckerTest {
    private static final String P = "/p";
    private static final Versioned<Long> A0 = Versioned.of(0L, 0, 10, 10);
    private static final Versioned<Long> A1 = Versioned.of(1L, 1, 10, 11);
    private static final Versioned<Long> A2 = Versioned.of(2L, 2, 10, 12);
    private static final Versioned<Long> B0 = Versioned.of(5L, 0, 20, 20);

    private static HistoryChecker.ServerHistory<Long> server() {
        HistoryChecker.ServerHistory<Long> h = new HistoryChecker.ServerHistory<>();
        for (Versioned<Long> v : List.of(A0, A1, A2, B0)) {
            h.stored(P, v);
        }
        h.deleted(P, 10);
        return h;
    }

    private static StateChange<Long> c(
            ChangeKind k,
            @org.jspecify.annotations.Nullable Versioned<Long> prev,
            @org.jspecify.annotations.Nullable Versioned<Long> cur) {
        return StateChange.of(P, k, prev, cur);
    }

    private static List<String> check(boolean gaps, List<StateChange<Long>> changes) {
        return HistoryChecker.check(changes, server(), gaps);
    }

    @Test
    void aValidHistoryPasses() {
        assertThat(check(
                        false,
                        List.of(
                                c(ChangeKind.INITIAL, null, A0),
                                c(ChangeKind.UPDATED, A0, A2),
                                c(ChangeKind.DELETED, A2, null),
                                c(ChangeKind.CREATED, null, B0))))
                .isEmpty();
    }

    @Test
    void violationsAreFound() {
        // going back
        assertThat(check(false, List.of(c(ChangeKind.INITIAL, null, A1), c(ChangeKind.UPDATED, A1, A0))))
                .anyMatch(v -> v.contains("went back"));
        // a version the server never stored
        assertThat(check(false, List.of(c(ChangeKind.INITIAL, null, Versioned.of(9L, 1, 10, 11)))))
                .anyMatch(v -> v.contains("the server stored"));
        // UPDATED across incarnations instead of DELETED then CREATED
        assertThat(check(false, List.of(c(ChangeKind.INITIAL, null, A2), c(ChangeKind.UPDATED, A2, B0))))
                .anyMatch(v -> v.contains("across incarnations"));
        // RESYNCED without a gap
        assertThat(check(false, List.of(c(ChangeKind.INITIAL, null, A0), c(ChangeKind.RESYNCED, A0, A2))))
                .anyMatch(v -> v.contains("RESYNCED without"));
        // previous that is not what was shown
        assertThat(check(false, List.of(c(ChangeKind.INITIAL, null, A0), c(ChangeKind.UPDATED, A1, A2))))
                .anyMatch(v -> v.contains("previous"));
        // a delete the server never did
        assertThat(check(false, List.of(c(ChangeKind.INITIAL, null, B0), c(ChangeKind.DELETED, B0, null))))
                .anyMatch(v -> v.contains("never deleted"));
        // not starting with INITIAL or CREATED
        assertThat(check(true, List.of(c(ChangeKind.UPDATED, null, A1)))).anyMatch(v -> v.contains("first change"));
    }
}
