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

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rule every reader of a Kafka log applies to decide whether a record is an event of the log,
 * the same at every reader: a function of the records in the {@code window} offsets before it, so
 * a reader that starts at position {@code p} reads {@code [p - window, p)} first (without
 * delivering) and then decides exactly as a reader that started at 0.
 *
 * <ul>
 *   <li><b>Fenced</b>: the record carries a leadership epoch lower than the highest epoch among the
 *       records in the window before it: a deposed leader's late append.
 *   <li><b>Duplicate</b>: a record with the same writer id, sequence and index is in the window
 *       before it: a retry of an append whose first attempt had landed.
 * </ul>
 *
 * Records without statesync's headers are never duplicates; records without an epoch are never
 * fenced. Not thread-safe: one per reader.
 */
final class ReadFilter {
    /** What the filter decided about one record. */
    enum Verdict {
        EVENT,
        DUPLICATE,
        FENCED
    }

    /**
     * A record's writer id, sequence and index. Its hash mixes the sequence and index (the record's
     * default, {@code 31 * (31 * writer + sequence) + index}, gives one writer's appends of
     * thousands of events only a few thousand distinct hashes, and the window's map degrades into
     * trees).
     */
    record Key(String writer, long sequence, int index) {
        @Override
        public int hashCode() {
            long h = sequence * 0x9E3779B97F4A7C15L + index;
            h ^= h >>> 32;
            h *= 0xD6E8FEB86659FD93L;
            h ^= h >>> 32;
            return (int) h ^ writer.hashCode();
        }
    }

    private final long window;
    /** The keys of the records in the window, in offset order (the value: the offset). */
    private final LinkedHashMap<Key, Long> seen = new LinkedHashMap<>();
    /** Epochs in the window as a monotonic queue: offsets ascending, epochs strictly descending. */
    private final Deque<long[]> epochs = new ArrayDeque<>();

    ReadFilter(long window) {
        this.window = window;
    }

    /**
     * Decides about the record at an offset; records must come in offset order.
     *
     * @param offset the record's offset
     * @param stamp its headers
     * @return whether it is an event, a duplicate or fenced
     */
    Verdict accept(long offset, Headers.Stamp stamp) {
        long floor = offset - window;
        for (Iterator<Map.Entry<Key, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() >= floor) {
                break;
            }
            it.remove();
        }
        while (!epochs.isEmpty() && epochs.peekFirst()[0] < floor) {
            epochs.pollFirst();
        }
        Verdict verdict = Verdict.EVENT;
        String writer = stamp.writer();
        Key key = writer == null ? null : new Key(writer, stamp.sequence(), stamp.index());
        if (stamp.epoch() >= 0) {
            long[] highest = epochs.peekFirst();
            if (highest != null && highest[1] > stamp.epoch()) {
                verdict = Verdict.FENCED;
            }
            while (!epochs.isEmpty() && epochs.peekLast()[1] <= stamp.epoch()) {
                epochs.pollLast();
            }
            epochs.addLast(new long[] {offset, stamp.epoch()});
        }
        if (key != null) {
            if (verdict == Verdict.EVENT && seen.containsKey(key)) {
                verdict = Verdict.DUPLICATE;
            }
            // Re-inserted at this offset: a chain of retries stays recognised as long as each copy
            // is within the window of the one before.
            seen.remove(key);
            seen.put(key, offset);
        }
        return verdict;
    }
}
