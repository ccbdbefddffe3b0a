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
package io.statesync.recipes.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.internal.Segments;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The segmented layout's paths and meta format, without a server (the znodes are in the fixture test). */
@Timeout(10)
class SegmentsTest {
    private record Shape(int segmentSize, int groupSize) implements Segments.Shape {}

    @Test
    void aPositionLivesInItsSegmentAndGroup() {
        Segments s = new Segments("/app/log/log");
        Shape shape = new Shape(10, 3);
        assertThat(s.path(shape, 0)).isEqualTo("/app/log/log/0/0/0");
        assertThat(s.path(shape, 9)).isEqualTo("/app/log/log/0/0/9");
        assertThat(s.path(shape, 10)).isEqualTo("/app/log/log/0/1/10");
        assertThat(s.path(shape, 30)).isEqualTo("/app/log/log/1/3/30");
        assertThat(s.segmentPath(shape, 7)).isEqualTo("/app/log/log/2/7");
        assertThat(s.groupPath(2)).isEqualTo("/app/log/log/2");
        long tenMillion = 10_000_000L;
        assertThat(s.path(new Shape(1000, 1000), tenMillion)).isEqualTo("/app/log/log/10/10000/10000000");
    }

    @Test
    void metaIsTheSizesThenTheRecipesLinesThenTheFormat() {
        assertThat(new String(Segments.encodeMeta(new Shape(1000, 500)), StandardCharsets.UTF_8))
                .isEqualTo("segmentSize=1000\ngroupSize=500\nformat=1\n");
        assertThat(new String(Segments.encodeMeta(new Shape(1000, 500), "earliest=42"), StandardCharsets.UTF_8))
                .isEqualTo("segmentSize=1000\ngroupSize=500\nearliest=42\nformat=1\n");
    }

    @Test
    void metaRoundTripsAndReadsTheRecipesFields() {
        Segments.Meta m = Segments.decodeMeta("/m", "event-log", Segments.encodeMeta(new Shape(7, 3), "earliest=42"));
        assertThat(m.segmentSize()).isEqualTo(7);
        assertThat(m.groupSize()).isEqualTo(3);
        assertThat(m.nonNegative("earliest")).isEqualTo(42);
    }

    @Test
    void aMetaWithoutTheFormatLineIsTheFirstFormat() {
        byte[] old = "segmentSize=5\ngroupSize=2\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Segments.decodeMeta("/m", "work-queue", old).segmentSize()).isEqualTo(5);
    }

    @Test
    void badMetasAreRefusedNamingThePath() {
        for (String bad : new String[] {
            "groupSize=2\n",
            "segmentSize=0\ngroupSize=2\n",
            "segmentSize=x\ngroupSize=2\n",
            "segmentSize=9999999999\ngroupSize=2\n"
        }) {
            assertThatThrownBy(() -> Segments.decodeMeta("/q/meta", "work-queue", bad.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(StateSyncException.class)
                    .hasMessageContaining("/q/meta")
                    .extracting(e -> ((StateSyncException) e).reason())
                    .isEqualTo(StateSyncException.Reason.DECODING_FAILED);
        }
        Segments.Meta noEarliest = Segments.decodeMeta(
                "/l/meta", "event-log", "segmentSize=1\ngroupSize=1\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> noEarliest.nonNegative("earliest")).hasMessageContaining("/l/meta");
        Segments.Meta negative = Segments.decodeMeta(
                "/l/meta", "event-log", "segmentSize=1\ngroupSize=1\nearliest=-1\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> negative.nonNegative("earliest")).hasMessageContaining("/l/meta");
    }

    @Test
    void aMetaOfANewerFormatIsRefused() {
        byte[] newer = "segmentSize=5\ngroupSize=2\nformat=99\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Segments.decodeMeta("/m", "work-queue", newer))
                .isInstanceOf(IncompatibleLayoutException.class);
    }
}
