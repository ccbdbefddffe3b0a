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
package io.statesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What a {@link StateChange} carries: its kind's rules and its position. */
class StateChangeTest {
    private static final Versioned<String> V1 = Versioned.of("a", 3, 100, 140);

    @Test
    void aZnodeChangeStandsAtItsValuesMzxidAndADeletionAtZero() {
        assertThat(StateChange.of("/p", ChangeKind.UPDATED, null, V1).position())
                .isEqualTo(140);
        assertThat(StateChange.of("/p", ChangeKind.DELETED, V1, null).position())
                .isZero();
        assertThat(StateChange.<String>of("/p", ChangeKind.INITIAL, null, null).position())
                .isZero();
    }

    @Test
    void aLogChangeStandsAtTheExplicitPositionBeyondTheRangeOfAnInt() {
        long beyondInt = Integer.MAX_VALUE + 5L;
        StateChange<String> change =
                StateChange.of("/log", ChangeKind.CREATED, null, Versioned.of("e", 0, 7, 7), beyondInt);

        assertThat(change.position()).isEqualTo(beyondInt);
        assertThat(change.current())
                .hasValueSatisfying(v -> assertThat(v.version()).isZero());
        assertThat(change.toString()).contains("position=" + beyondInt);
    }

    @Test
    void twoChangesAtDifferentPositionsAreNotEqual() {
        StateChange<String> at4 = StateChange.of("/log", ChangeKind.UPDATED, null, V1, 4);
        StateChange<String> at5 = StateChange.of("/log", ChangeKind.UPDATED, null, V1, 5);

        assertThat(at4).isNotEqualTo(at5).isEqualTo(StateChange.of("/log", ChangeKind.UPDATED, null, V1, 4));
        assertThat(at4.hashCode())
                .isEqualTo(
                        StateChange.of("/log", ChangeKind.UPDATED, null, V1, 4).hashCode());
    }

    @Test
    void aNegativePositionOrAValueThatContradictsTheKindIsRefusedNamingThePath() {
        assertThatThrownBy(() -> StateChange.of("/log", ChangeKind.UPDATED, null, V1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/log")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> StateChange.of("/p", ChangeKind.DELETED, null, V1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/p");
        assertThatThrownBy(() -> StateChange.<String>of("/p", ChangeKind.CREATED, null, null, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/p");
    }
}
