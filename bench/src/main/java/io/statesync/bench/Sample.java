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
package io.statesync.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** The figures one run of one variant produced, in the order they were added. */
final class Sample {
    private final Map<String, Double> figures = new LinkedHashMap<>();

    Sample put(String figure, double value) {
        figures.put(figure, value);
        return this;
    }

    /** Below this many samples a tail percentile is the largest sample: only max is reported. */
    static final int MIN_SAMPLES_FOR_P99 = 20;

    /**
     * Adds p50, p99 and max of a latency histogram recorded in nanoseconds, in milliseconds, and the
     * number of samples. Over fewer than {@link #MIN_SAMPLES_FOR_P99} samples the p99 would be the
     * largest sample under another name, so it is left out and only max is reported.
     */
    Sample latencies(String prefix, Histogram nanos) {
        put(prefix + " p50 ms", toMillis(nanos.getValueAtPercentile(50)));
        if (nanos.getTotalCount() >= MIN_SAMPLES_FOR_P99) {
            put(prefix + " p99 ms", toMillis(nanos.getValueAtPercentile(99)));
        }
        put(prefix + " max ms", toMillis(nanos.getMaxValue()));
        put(prefix + " samples", (double) nanos.getTotalCount());
        return this;
    }

    Map<String, Double> figures() {
        return figures;
    }

    static Histogram histogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }

    private static double toMillis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
