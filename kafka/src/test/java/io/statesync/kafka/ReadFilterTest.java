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
package io.statesync.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The read filter's verdicts, and the spread of its keys' hashes. */
class ReadFilterTest {
    private static final String WRITER = "0b7a3c52-1d2e-4f60-8a9b-c0d1e2f30415";

    @Test
    void aRetryInTheWindowIsADuplicateAndAnOlderEpochAfterANewerOneIsFenced() {
        ReadFilter filter = new ReadFilter(100);
        assertThat(filter.accept(0, new Headers.Stamp(WRITER, 1, 0, 5))).isEqualTo(ReadFilter.Verdict.EVENT);
        assertThat(filter.accept(1, new Headers.Stamp(WRITER, 1, 1, 5))).isEqualTo(ReadFilter.Verdict.EVENT);
        assertThat(filter.accept(2, new Headers.Stamp(WRITER, 1, 0, 5))).isEqualTo(ReadFilter.Verdict.DUPLICATE);
        assertThat(filter.accept(3, new Headers.Stamp("other", 1, 0, 6))).isEqualTo(ReadFilter.Verdict.EVENT);
        assertThat(filter.accept(4, new Headers.Stamp(WRITER, 2, 0, 5))).isEqualTo(ReadFilter.Verdict.FENCED);
        assertThat(filter.accept(5, Headers.Stamp.NONE)).isEqualTo(ReadFilter.Verdict.EVENT);
    }

    @Test
    void aKeyOutsideTheWindowIsNoLongerADuplicate() {
        ReadFilter filter = new ReadFilter(2);
        assertThat(filter.accept(0, new Headers.Stamp(WRITER, 1, 0, -1))).isEqualTo(ReadFilter.Verdict.EVENT);
        assertThat(filter.accept(1, new Headers.Stamp(WRITER, 2, 0, -1))).isEqualTo(ReadFilter.Verdict.EVENT);
        assertThat(filter.accept(2, new Headers.Stamp(WRITER, 3, 0, -1))).isEqualTo(ReadFilter.Verdict.EVENT);
        assertThat(filter.accept(3, new Headers.Stamp(WRITER, 1, 0, -1))).isEqualTo(ReadFilter.Verdict.EVENT);
    }

    @Test
    void oneWritersBatchedAppendsHaveDistinctHashes() {
        // 100 appendAll calls of 1,000 events: one writer, sequences 1..100, indexes 0..999.
        Set<Integer> hashes = new HashSet<>();
        for (long sequence = 1; sequence <= 100; sequence++) {
            for (int index = 0; index < 1_000; index++) {
                hashes.add(new ReadFilter.Key(WRITER, sequence, index).hashCode());
            }
        }
        // The record's default hash gave 4,099 distinct values here.
        assertThat(hashes).hasSizeGreaterThan(99_900);
    }
}
