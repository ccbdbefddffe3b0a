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
package io.statesync.core.internal;

import io.statesync.core.Codec;
import io.statesync.core.DecodingException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The built-in codecs and the one place where decoding failures become {@link DecodingException}. */
public final class Codecs {
    private Codecs() {}

    /** See {@link Codec#bytes()}. */
    public static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
            return value.clone();
        }

        @Override
        public byte[] decode(byte[] data) {
            return data.clone();
        }

        @Override
        public String toString() {
            return "Codec.bytes()";
        }
    };

    /** See {@link Codec#utf8()}. */
    public static final Codec<String> UTF8 = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] data) {
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("not valid UTF-8: " + e, e);
            }
        }

        @Override
        public String toString() {
            return "Codec.utf8()";
        }
    };

    /** See {@link Codec#longs()}. */
    public static final Codec<Long> LONGS = new Codec<>() {
        @Override
        public byte[] encode(Long value) {
            return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public Long decode(byte[] data) {
            String text = UTF8.decode(data);
            if (text.isEmpty() || text.length() > 20) {
                throw new IllegalArgumentException("not a decimal long: \"" + abbreviate(text) + '"');
            }
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a decimal long: \"" + abbreviate(text) + '"', e);
            }
        }

        @Override
        public String toString() {
            return "Codec.longs()";
        }
    };

    /**
     * Creates the JSON codec, or explains that Jackson is missing.
     *
     * @param type the value class
     * @param <T> the value type
     * @return the codec
     */
    public static <T> Codec<T> json(Class<T> type) {
        try {
            Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, Codecs.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    "Codec.json(" + type.getName() + ") needs com.fasterxml.jackson.core:jackson-databind on the"
                            + " class path; add it as a dependency",
                    e);
        }
        return new JsonCodec<>(type);
    }

    /**
     * Decodes with a codec; any failure, including a {@code null} result, becomes a {@link
     * DecodingException} naming the path, the version, the size and at most the first {@value
     * DecodingException#HEX_PREFIX_BYTES} bytes in hex (never the data as text).
     *
     * @param codec the codec
     * @param path the path the data was read from
     * @param version the znode version of the data, or -1
     * @param data the data
     * @param <T> the value type
     * @return the decoded value
     * @throws DecodingException if the data does not decode
     */
    public static <T> T decode(Codec<T> codec, String path, int version, byte[] data) {
        T value;
        try {
            value = codec.decode(data);
        } catch (RuntimeException e) {
            throw new DecodingException(path, version, data, e);
        }
        if (value == null) {
            throw new DecodingException(path, version, data, new NullPointerException(codec + " decoded to null"));
        }
        return value;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
