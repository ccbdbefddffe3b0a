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
package io.statesync.recipes.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of one record znode: a header naming the write that created it, then its entries.
 * Shared by the event log (an event znode holds one or more events) and the work queue (an item
 * znode holds one item). Not part of statesync's API.
 *
 * <pre>
 * byte  magic 'E', byte format 1 (a higher format is refused: {@link LayoutVersion})
 * long  writer id (high), long writer id (low), long append sequence of that writer
 * int   event count n (at least 1)
 * n x   (int length, length bytes)
 * </pre>
 *
 * The writer id and sequence let an appender whose outcome is unknown (connection lost) recognise
 * its own append; the count lets a reader step to the next position without listing.
 */
public final class PackFormat {
    /** Bytes of header before the entries. */
    public static final int HEADER_BYTES = 2 + 8 + 8 + 8 + 4;
    /** Bytes of length prefix per entry. */
    public static final int PER_EVENT_BYTES = 4;

    private static final byte MAGIC = 'E';
    private static final byte FORMAT = 1;

    private PackFormat() {}

    /**
     * The decoded header and entries of a znode.
     *
     * @param writerHigh the writer id's high bits
     * @param writerLow the writer id's low bits
     * @param sequence the writer's sequence number of the write
     * @param events the entries, at least one
     */
    @SuppressWarnings("ArrayRecordComponent")
    public record Pack(long writerHigh, long writerLow, long sequence, List<byte[]> events) {
        /**
         * Whether the given write created this znode.
         *
         * @param high the writer id's high bits
         * @param low the writer id's low bits
         * @param seq the writer's sequence number
         * @return {@code true} if the header names that write
         */
        public boolean writtenBy(long high, long low, long seq) {
            return writerHigh == high && writerLow == low && sequence == seq;
        }
    }

    /**
     * Encodes a header and entries.
     *
     * @param writerHigh the writer id's high bits
     * @param writerLow the writer id's low bits
     * @param sequence the writer's sequence number of this write
     * @param events the entries
     * @return the znode data
     */
    public static byte[] encode(long writerHigh, long writerLow, long sequence, List<byte[]> events) {
        int size = HEADER_BYTES;
        for (byte[] e : events) {
            size += PER_EVENT_BYTES + e.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(MAGIC).put(FORMAT).putLong(writerHigh).putLong(writerLow).putLong(sequence);
        buf.putInt(events.size());
        for (byte[] e : events) {
            buf.putInt(e.length).put(e);
        }
        return buf.array();
    }

    /**
     * Decodes a znode's data.
     *
     * @param path the znode, relative to the namespace, for errors
     * @param data the znode data
     * @return the header and entries
     * @throws io.statesync.core.IncompatibleLayoutException if the header names a format above this
     *     release's ({@link LayoutVersion#CURRENT})
     * @throws IllegalArgumentException if it is not a valid pack
     */
    public static Pack decode(String path, byte[] data) {
        if (data.length >= 2 && data[0] == MAGIC) {
            LayoutVersion.check(path, "packed record", data[1] & 0xff);
        }
        if (data.length < HEADER_BYTES || data[0] != MAGIC || data[1] != FORMAT) {
            throw new IllegalArgumentException("not an event-log record (" + data.length + " bytes, bad header)");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        buf.position(2);
        long high = buf.getLong();
        long low = buf.getLong();
        long seq = buf.getLong();
        int count = buf.getInt();
        if (count < 1) {
            throw new IllegalArgumentException("event-log record with " + count + " events");
        }
        List<byte[]> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (buf.remaining() < PER_EVENT_BYTES) {
                throw new IllegalArgumentException("event-log record truncated at event " + i + " of " + count);
            }
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new IllegalArgumentException("event-log record truncated at event " + i + " of " + count);
            }
            byte[] e = new byte[len];
            buf.get(e);
            events.add(e);
        }
        return new Pack(high, low, seq, events);
    }
}
