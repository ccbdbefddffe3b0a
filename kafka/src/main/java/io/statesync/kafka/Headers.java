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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The record headers of an append: who wrote it ({@value #WRITER}, UTF-8), the append's sequence
 * ({@value #SEQUENCE}, 8 bytes), the event's index within the append ({@value #INDEX}, 4 bytes) and,
 * for a leader's append, its leadership epoch ({@value #EPOCH}, 8 bytes). Big-endian.
 */
final class Headers {
    static final String WRITER = "statesync.writer";
    static final String SEQUENCE = "statesync.seq";
    static final String INDEX = "statesync.index";
    static final String EPOCH = "statesync.epoch";

    /** The bytes the headers add to a record, at most (names, values and their lengths). */
    static final int MAX_OVERHEAD_BYTES = 512;

    /** The bytes of a record batch's own header, and a margin for the request around it. */
    static final int BATCH_OVERHEAD_BYTES = 1_024;

    private Headers() {}

    static RecordHeaders of(String writer, long sequence, int index, long epoch) {
        RecordHeaders h = new RecordHeaders();
        h.add(WRITER, writer.getBytes(StandardCharsets.UTF_8));
        h.add(SEQUENCE, ByteBuffer.allocate(8).putLong(sequence).array());
        h.add(INDEX, ByteBuffer.allocate(4).putInt(index).array());
        if (epoch >= 0) {
            h.add(EPOCH, ByteBuffer.allocate(8).putLong(epoch).array());
        }
        return h;
    }

    /**
     * What a record's headers say; a record without statesync's headers (written by another
     * producer) has no writer and no epoch.
     */
    record Stamp(@Nullable String writer, long sequence, int index, long epoch) {
        static final Stamp NONE = new Stamp(null, -1, -1, -1);

        static Stamp of(org.apache.kafka.common.header.Headers headers) {
            String writer = null;
            long sequence = -1;
            int index = -1;
            long epoch = -1;
            for (Header h : headers) {
                byte[] v = h.value();
                if (v == null) {
                    continue;
                }
                switch (h.key()) {
                    case WRITER -> writer = new String(v, StandardCharsets.UTF_8);
                    case SEQUENCE ->
                        sequence = v.length == 8 ? ByteBuffer.wrap(v).getLong() : -1;
                    case INDEX -> index = v.length == 4 ? ByteBuffer.wrap(v).getInt() : -1;
                    case EPOCH -> epoch = v.length == 8 ? ByteBuffer.wrap(v).getLong() : -1;
                    default -> {}
                }
            }
            if (writer == null || sequence < 0 || index < 0) {
                return new Stamp(null, -1, -1, epoch);
            }
            return new Stamp(writer, sequence, index, epoch);
        }
    }
}
