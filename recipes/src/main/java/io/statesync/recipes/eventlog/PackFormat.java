package io.statesync.recipes.eventlog;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of one event znode: a header naming the append that wrote it, then its events.
 *
 * <pre>
 * byte  magic 'E', byte format 1
 * long  writer id (high), long writer id (low), long append sequence of that writer
 * int   event count n (at least 1)
 * n x   (int length, length bytes)
 * </pre>
 *
 * The writer id and sequence let an appender whose outcome is unknown (connection lost) recognise
 * its own append; the count lets a reader step to the next position without listing.
 */
final class PackFormat {
    static final int HEADER_BYTES = 2 + 8 + 8 + 8 + 4;
    static final int PER_EVENT_BYTES = 4;
    private static final byte MAGIC = 'E';
    private static final byte FORMAT = 1;

    private PackFormat() {}

    /** The decoded header and events of a znode. */
    record Pack(long writerHigh, long writerLow, long sequence, List<byte[]> events) {
        boolean writtenBy(long high, long low, long seq) {
            return writerHigh == high && writerLow == low && sequence == seq;
        }
    }

    static byte[] encode(long writerHigh, long writerLow, long sequence, List<byte[]> events) {
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
     * @throws IllegalArgumentException if it is not a valid pack
     */
    static Pack decode(byte[] data) {
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
