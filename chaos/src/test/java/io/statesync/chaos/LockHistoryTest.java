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

import io.statesync.chaos.LockHistory.Landed;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lock checker on small histories whose verdict is known. */
@Timeout(30)
class LockHistoryTest {
    private static Landed landed(String name, long czxid) {
        return new Landed(name, LockHistory.tokenOf(name), czxid);
    }

    @Test
    void aWriteOfALowerTokenCommittedAfterOneOfAHigherTokenIsOutOfOrder() {
        List<Landed> inOrder = List.of(landed("10-a-1", 11), landed("10-a-2", 12), landed("13-b-3", 14));
        assertThat(LockHistory.outOfOrder(inOrder)).isEmpty();

        List<Landed> late = List.of(landed("10-a-1", 11), landed("13-b-3", 14), landed("10-a-2", 15));
        assertThat(LockHistory.outOfOrder(late)).extracting(Landed::name).containsExactly("10-a-2");
        // The minimal window: the write of a higher token it landed after, and it.
        assertThat(LockHistory.windows(late))
                .containsExactly("10-a-2 (fence 10, czxid 0xf) committed after 13-b-3 (fence 13, czxid 0xe)");
    }

    @Test
    void anAcknowledgedWriteMissingAndARefusedWriteLandedAreFound() {
        LockHistory history = new LockHistory();
        history.read(
                List.of(
                        "ACQUIRED a 10 100",
                        "WRITE a 10 1 101",
                        "OK a 10 1",
                        "WRITE a 10 2 102",
                        "OK a 10 2",
                        "WRITE a 10 3 103",
                        "REFUSED a 10 3 LockLostException",
                        "WRITE a 10 4 104",
                        "FAILED a 10 4 ConnectionLossException",
                        "RELEASING a 10 105"),
                1000);
        List<Landed> landed = List.of(landed("10-a-1", 11), landed("10-a-3", 12), landed("10-a-4", 13));

        assertThat(history.acknowledgedButLost(landed)).containsExactly("10-a-2");
        assertThat(history.refusedButLanded(landed)).containsExactly("10-a-3");
        assertThat(history.failures()).containsEntry("ConnectionLossException", 1);
    }

    @Test
    void holdingsOfTwoNodesThatOverlapAreMeasuredAndAnUnreleasedOneEndsAtTheGivenEnd() {
        LockHistory history = new LockHistory();
        history.read(List.of("ACQUIRED a 10 100", "RELEASING a 10 200", "ACQUIRED a 12 300"), 1000);
        history.read(
                List.of("ACQUIRED b 11 200", "RELEASING b 11 290", "ACQUIRED b 13 900", "RELEASING b 13 950"), 1000);

        // a's second holding never released (killed at 1000): b's last one lies inside it
        assertThat(history.overlaps()).singleElement().satisfies(o -> {
            assertThat(o.first().token()).isEqualTo(12);
            assertThat(o.second().token()).isEqualTo(13);
            assertThat(o.nanos()).isEqualTo(50);
        });
    }
}
