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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Codec;
import io.statesync.core.DecodingException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The message of a decoding error: path, version, size and a short hex prefix, never the bytes as text. */
class CodecsTest {
    /** Binary data (a gzip header, control characters, invalid UTF-8) that no text codec accepts. */
    private static byte[] binary() {
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 37 + 0x1f);
        }
        data[0] = (byte) 0x1f;
        data[1] = (byte) 0x8b;
        data[2] = 0x08;
        data[3] = 0x00;
        return data;
    }

    private static void assertPrintable(@org.jspecify.annotations.Nullable String given) {
        String message = String.valueOf(given);
        for (int i = 0; i < message.length(); i++) {
            char ch = message.charAt(i);
            assertThat(ch >= 0x20 && ch < 0x7f)
                    .as("character U+%04X at %d of \"%s\"", (int) ch, i, message)
                    .isTrue();
        }
    }

    @Test
    void aDecodingErrorNamesPathVersionSizeAndAShortHexPrefixNotTheBytesAsText() {
        byte[] data = binary();
        for (Codec<?> codec : java.util.List.of(Codec.json(Map.class), Codec.utf8(), Codec.longs())) {
            assertThatThrownBy(() -> Codecs.decode(codec, "/cfg/blob", 7, data))
                    .isInstanceOf(DecodingException.class)
                    .hasMessageContaining("/cfg/blob")
                    .hasMessageContaining("version 7")
                    .hasMessageContaining("300 bytes")
                    .hasMessageContaining("1f8b0800")
                    .satisfies(e -> {
                        String message = e.getMessage();
                        assertPrintable(message);
                        assertThat(message).hasSizeLessThan(400);
                        // at most a short prefix of the data, in hex
                        assertThat(message).doesNotContain(HexFormatHolder.hex(data, 17));
                        assertThat(((DecodingException) e).size()).isEqualTo(300);
                    });
        }
    }

    @Test
    void aCodecWhoseErrorQuotesTheDataDoesNotGarbleTheMessage() {
        byte[] data = binary();
        Codec<String> quoting = new Codec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                throw new IllegalArgumentException(
                        "bad record \"" + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1) + "\"");
            }
        };
        assertThatThrownBy(() -> Codecs.decode(quoting, "/q", -1, data))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("/q")
                .hasMessageContaining("300 bytes")
                .satisfies(e -> {
                    assertPrintable(e.getMessage());
                    assertThat(e.getMessage()).hasSizeLessThan(400);
                    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
                });
    }

    @Test
    void emptyDataSaysSo() {
        assertThatThrownBy(() -> Codecs.decode(Codec.longs(), "/n", 0, new byte[0]))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("/n version 0 (0 bytes)");
    }

    private static final class HexFormatHolder {
        static String hex(byte[] data, int n) {
            return java.util.HexFormat.of().formatHex(data, 0, n);
        }
    }
}
