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
package io.statesync.recipes.replication;

import io.statesync.core.Codec;
import io.statesync.recipes.internal.LayoutVersion;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the leader publishes in the state znode: the state, the position of the next command to
 * apply ({@code next}, the number of commands consumed), the epoch of the leader that published it,
 * and the rejections among the most recent commands, so that every submitter learns the outcome of
 * its command from the published state alone. Immutable.
 *
 * <p>Layout (big-endian): magic {@code RST1}, {@code next} (long), {@code epoch} (long), {@code
 * outcomesFrom} (long: rejections are known for every position at or after it), the rejection count
 * (int), each rejection as position (long) and UTF-8 reason (unsigned short length + bytes), then
 * the state's length (int) and bytes.
 */
final class Published<S> {
    static final int MAGIC = 0x52535431; // "RST1"
    static final int MAX_REASON_CHARS = 256;

    final long next;
    final long epoch;
    final long outcomesFrom;
    final NavigableMap<Long, String> rejections;
    final S state;

    Published(long next, long epoch, long outcomesFrom, NavigableMap<Long, String> rejections, S state) {
        this.next = next;
        this.epoch = epoch;
        this.outcomesFrom = outcomesFrom;
        this.rejections = Collections.unmodifiableNavigableMap(new TreeMap<>(rejections));
        this.state = Objects.requireNonNull(state, "state");
    }

    static <S> Published<S> initial(S state) {
        return new Published<>(0, 0, 0, new TreeMap<>(), state);
    }

    static String clip(String reason) {
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS - 3) + "...";
    }

    /** Encodes with an already encoded state. */
    static byte[] encode(long next, long epoch, long outcomesFrom, Map<Long, String> rejections, byte[] state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(state.length + 64 + rejections.size() * 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeLong(next);
            out.writeLong(epoch);
            out.writeLong(outcomesFrom);
            out.writeInt(rejections.size());
            for (Map.Entry<Long, String> r : rejections.entrySet()) {
                out.writeLong(r.getKey());
                byte[] reason = r.getValue().getBytes(StandardCharsets.UTF_8);
                out.writeShort(reason.length);
                out.write(reason);
            }
            out.writeInt(state.length);
            out.write(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Refuses a published state whose magic names a format above this release's: {@code RST}
     * followed by the format digit ({@code RST1} is format 1, the 0.1 layout).
     *
     * @throws io.statesync.core.IncompatibleLayoutException if the format is newer
     */
    static void checkLayout(String path, byte[] data) {
        if (data.length >= 4 && data[0] == 'R' && data[1] == 'S' && data[2] == 'T' && data[3] > '1') {
            LayoutVersion.check(path, "published replicated state", data[3] - '0');
        }
    }

    /** The codec of the state znode, wrapping the user's state codec. */
    static final class PublishedCodec<S> implements Codec<Published<S>> {
        private final Codec<S> stateCodec;
        private final String path;

        PublishedCodec(Codec<S> stateCodec) {
            this(stateCodec, "the published state");
        }

        PublishedCodec(Codec<S> stateCodec, String path) {
            this.stateCodec = stateCodec;
            this.path = path;
        }

        @Override
        public byte[] encode(Published<S> value) {
            return Published.encode(
                    value.next, value.epoch, value.outcomesFrom, value.rejections, stateCodec.encode(value.state));
        }

        @Override
        public Published<S> decode(byte[] data) {
            checkLayout(path, data);
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
                int magic = in.readInt();
                if (magic != MAGIC) {
                    throw new IllegalArgumentException(
                            "not a published replicated state (magic 0x" + Integer.toHexString(magic) + ")");
                }
                long next = in.readLong();
                long epoch = in.readLong();
                long outcomesFrom = in.readLong();
                int count = in.readInt();
                if (count < 0 || next < 0 || outcomesFrom < 0) {
                    throw new IllegalArgumentException("corrupt published replicated state header");
                }
                TreeMap<Long, String> rejections = new TreeMap<>();
                for (int i = 0; i < count; i++) {
                    long position = in.readLong();
                    byte[] reason = new byte[in.readUnsignedShort()];
                    in.readFully(reason);
                    rejections.put(position, new String(reason, StandardCharsets.UTF_8));
                }
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw new IllegalArgumentException("corrupt published replicated state: state length " + length);
                }
                byte[] state = new byte[length];
                in.readFully(state);
                S decoded = stateCodec.decode(state);
                if (decoded == null) {
                    throw new IllegalArgumentException(stateCodec + " decoded the state to null");
                }
                return new Published<>(next, epoch, outcomesFrom, rejections, decoded);
            } catch (IOException e) {
                throw new IllegalArgumentException("truncated published replicated state: " + e, e);
            }
        }

        @Override
        public String toString() {
            return "PublishedCodec(" + stateCodec + ")";
        }
    }
}
