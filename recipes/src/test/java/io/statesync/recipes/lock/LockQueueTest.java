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
package io.statesync.recipes.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.recipes.lock.LockQueue.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue's ordering rules, on plain lists of names: no server. */
@Timeout(10)
class LockQueueTest {
    private static final String UUID = "123e4567-e89b-12d3-a456-426614174000";

    private static String node(Kind kind, long sequence) {
        return kind.prefix + "-" + UUID + "-" + String.format("%010d", sequence);
    }

    @Test
    void theQueueIsTheLockZnodesInSequenceOrderWhateverTheirKind() {
        String w5 = node(Kind.WRITE, 5);
        String r2 = node(Kind.READ, 2);
        String l10 = node(Kind.LOCK, 10);
        List<String> queue =
                LockQueue.sorted(List.of(l10, "marker", w5, "_c_leftover-0000000001", r2, "lease-nouuid-0000000003"));
        assertThat(queue).containsExactly(r2, w5, l10);
        assertThat(LockQueue.sorted(List.of())).isEmpty();
    }

    @Test
    void aMutexHolderOrWriterWaitsForTheZnodeJustAheadOfIt() {
        List<String> queue = List.of(node(Kind.LOCK, 1), node(Kind.LOCK, 2), node(Kind.LOCK, 3));
        assertThat(LockQueue.blocker(queue, 0, Kind.LOCK, 1)).isNull();
        assertThat(LockQueue.blocker(queue, 2, Kind.LOCK, 1)).isEqualTo(queue.get(1));
        assertThat(LockQueue.onlyBlocker(queue, 1, Kind.LOCK)).isTrue();
        assertThat(LockQueue.onlyBlocker(queue, 2, Kind.LOCK)).isFalse();

        List<String> rw = List.of(node(Kind.READ, 1), node(Kind.READ, 2), node(Kind.WRITE, 3));
        assertThat(LockQueue.blocker(rw, 2, Kind.WRITE, 1)).isEqualTo(rw.get(1)); // readers block a writer
    }

    @Test
    void readersShareUntilAWriterIsAheadAndThenWaitForTheLastWriterAhead() {
        String r1 = node(Kind.READ, 1);
        String w2 = node(Kind.WRITE, 2);
        String r3 = node(Kind.READ, 3);
        String w4 = node(Kind.WRITE, 4);
        String r5 = node(Kind.READ, 5);
        List<String> queue = List.of(r1, w2, r3, w4, r5);
        assertThat(LockQueue.blocker(queue, 0, Kind.READ, 1)).isNull();
        assertThat(LockQueue.blocker(List.of(r1, r3), 1, Kind.READ, 1)).isNull(); // readers share
        assertThat(LockQueue.blocker(queue, 2, Kind.READ, 1)).isEqualTo(w2);
        assertThat(LockQueue.blocker(queue, 4, Kind.READ, 1)).isEqualTo(w4);
        assertThat(LockQueue.onlyBlocker(queue, 2, Kind.READ)).isTrue(); // w2 alone
        assertThat(LockQueue.onlyBlocker(queue, 4, Kind.READ)).isFalse(); // w2 and w4
    }

    @Test
    void theFirstMaxLeasesHoldALeaseAndTheRestWatchTheChildren() {
        List<String> queue = List.of(node(Kind.LEASE, 1), node(Kind.LEASE, 2), node(Kind.LEASE, 3));
        assertThat(LockQueue.blocker(queue, 0, Kind.LEASE, 2)).isNull();
        assertThat(LockQueue.blocker(queue, 1, Kind.LEASE, 2)).isNull();
        assertThat(LockQueue.blocker(queue, 2, Kind.LEASE, 2)).isEmpty();
        assertThat(LockQueue.onlyBlocker(queue, 2, Kind.LEASE)).isFalse();
    }

    @Test
    void theKindIsReadFromTheNamesPrefix() {
        for (Kind k : Kind.values()) {
            assertThat(LockQueue.kindOf(node(k, 7))).isEqualTo(k);
            assertThat(LockQueue.isLockNode(node(k, 7))).isTrue();
        }
        assertThat(Kind.LOCK.exclusive).isTrue();
        assertThat(Kind.WRITE.exclusive).isTrue();
        assertThat(Kind.READ.exclusive).isFalse();
        assertThat(Kind.LEASE.exclusive).isFalse();
        assertThat(LockQueue.kindOf("reader-" + UUID + "-0000000001")).isNull();
        assertThat(LockQueue.isLockNode(node(Kind.LOCK, 7) + "0")).isFalse();
    }
}
