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

    /** Adds p50, p99 and max of a latency histogram recorded in nanoseconds, in milliseconds. */
    Sample latencies(String prefix, Histogram nanos) {
        put(prefix + " p50 ms", toMillis(nanos.getValueAtPercentile(50)));
        put(prefix + " p99 ms", toMillis(nanos.getValueAtPercentile(99)));
        put(prefix + " max ms", toMillis(nanos.getMaxValue()));
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
