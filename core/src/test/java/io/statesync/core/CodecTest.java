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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.internal.Codecs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {
    /** A JSON value type. */
    public record Flags(String name, int rollout, List<String> regions) {}

    @Test
    void bytesAreCopiedBothWays() {
        byte[] original = {1, 2, 3};
        byte[] encoded = Codec.bytes().encode(original);
        original[0] = 9;
        assertThat(encoded).containsExactly(1, 2, 3);
        byte[] decoded = Codec.bytes().decode(encoded);
        decoded[1] = 9;
        assertThat(encoded).containsExactly(1, 2, 3);
    }

    @Test
    void utf8RoundTripsAndRejectsMalformedInput() {
        String text = "grüße, 日本, 🚀";
        assertThat(Codec.utf8().decode(Codec.utf8().encode(text))).isEqualTo(text);
        byte[] malformed = {(byte) 0xC3, (byte) 0x28};
        assertThatThrownBy(() -> Codecs.decode(Codec.utf8(), "/text", 4, malformed))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("/text")
                .hasMessageContaining("version 4")
                .hasMessageContaining("2 bytes")
                .satisfies(e -> {
                    DecodingException d = (DecodingException) e;
                    assertThat(d.path()).isEqualTo("/text");
                    assertThat(d.version()).isEqualTo(4);
                    assertThat(d.size()).isEqualTo(2);
                    assertThat(d.reason()).isEqualTo(StateSyncException.Reason.DECODING_FAILED);
                });
    }

    @Test
    void longsAreDecimalTextAndStrict() {
        for (long v : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            byte[] data = Codec.longs().encode(v);
            assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
            assertThat(Codec.longs().decode(data)).isEqualTo(v);
        }
        for (String bad : new String[] {"", " 1", "1.5", "0x10", "99999999999999999999", "abc"}) {
            assertThatThrownBy(() -> Codecs.decode(Codec.longs(), "/counter", 1, bad.getBytes(StandardCharsets.UTF_8)))
                    .as("decoding \"%s\"", bad)
                    .isInstanceOf(DecodingException.class)
                    .hasMessageContaining("/counter");
        }
    }

    @Test
    void jsonRoundTripsRecordsAndIgnoresUnknownProperties() {
        Codec<Flags> codec = Codec.json(Flags.class);
        Flags flags = new Flags("checkout", 25, List.of("eu", "us"));
        assertThat(codec.decode(codec.encode(flags))).isEqualTo(flags);
        byte[] newer = "{\"name\":\"x\",\"rollout\":1,\"regions\":[],\"added\":true}".getBytes(StandardCharsets.UTF_8);
        assertThat(codec.decode(newer)).isEqualTo(new Flags("x", 1, List.of()));
    }

    @Test
    void jsonRejectsGarbageNullAndEmptyWithTypedErrors() {
        Codec<Flags> codec = Codec.json(Flags.class);
        for (String bad : new String[] {"{not json", "null", "", "[1,2]"}) {
            byte[] data = bad.getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Codecs.decode(codec, "/flags", 2, data))
                    .as("decoding \"%s\"", bad)
                    .isInstanceOf(DecodingException.class)
                    .hasMessageContaining("/flags")
                    .hasMessageContaining(data.length + " bytes")
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void jsonDecodesMaps() {
        @SuppressWarnings("unchecked")
        Codec<Map<String, Object>> codec = (Codec<Map<String, Object>>) (Codec<?>) Codec.json(Map.class);
        assertThat(codec.decode("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).containsEntry("a", 1);
    }

    @Test
    void aCodecReturningNullIsADecodingError() {
        Codec<String> broken = new Codec<>() {
            @Override
            public byte[] encode(String value) {
                return new byte[0];
            }

            @Override
            @SuppressWarnings("NullAway")
            public String decode(byte[] data) {
                return null;
            }
        };
        assertThatThrownBy(() -> Codecs.decode(broken, "/x", 0, new byte[3]))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("null");
    }
}
