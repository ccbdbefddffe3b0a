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

import io.statesync.core.internal.Codecs;

/**
 * Turns values into znode data and back.
 *
 * <p>A codec may throw any runtime exception from {@link #decode(byte[])} when the data is not
 * valid; the recipe wraps it in a {@link DecodingException} that names the path, the znode version
 * and the size, and reports it through {@link StateListener#onError(StateSyncException)} without
 * stopping delivery. {@link #decode(byte[])} must not return {@code null}.
 *
 * <p>Implementations must be thread-safe; the built-ins are.
 *
 * @param <T> the value type
 */
public interface Codec<T> {

    /**
     * Encodes a value.
     *
     * @param value the value
     * @return the bytes to store; the caller does not modify them
     */
    byte[] encode(T value);

    /**
     * Decodes stored data.
     *
     * @param data the stored bytes; the codec must not keep or modify them
     * @return the value, never {@code null}
     * @throws RuntimeException if the data is not a valid encoding
     */
    T decode(byte[] data);

    /**
     * The identity codec: the bytes as stored, copied on the way in and out.
     *
     * @return the byte-array codec
     */
    static Codec<byte[]> bytes() {
        return Codecs.BYTES;
    }

    /**
     * UTF-8 text. Decoding is strict: malformed UTF-8 is an error, never replacement characters.
     *
     * @return the string codec
     */
    static Codec<String> utf8() {
        return Codecs.UTF8;
    }

    /**
     * A signed 64-bit integer stored as its decimal text in UTF-8 (readable with ZooKeeper's own
     * command-line tools). Decoding rejects anything that is not exactly a decimal {@code long}.
     *
     * @return the long codec
     */
    static Codec<Long> longs() {
        return Codecs.LONGS;
    }

    /**
     * JSON through Jackson, for any class Jackson can bind (records, beans, maps, lists). Unknown
     * properties are ignored on decode so that a newer writer does not break an older reader; the
     * JSON literal {@code null} is rejected.
     *
     * <p>Needs {@code com.fasterxml.jackson.core:jackson-databind} on the class path (an optional
     * dependency of statesync-core); without it this method throws {@link IllegalStateException}.
     *
     * @param type the value class
     * @param <T> the value type
     * @return the JSON codec
     */
    static <T> Codec<T> json(Class<T> type) {
        return Codecs.json(type);
    }
}
