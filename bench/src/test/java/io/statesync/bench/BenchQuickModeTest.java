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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's quick mode runs in CI: every workload runs against a real ZooKeeper server process
 * and the report is written. Times are not asserted (CI machines are shared); that every variant
 * produced its figures is, and so are the requests per operation, which do not depend on the
 * machine.
 */
class BenchQuickModeTest {

    @Test
    @Timeout(600)
    void quickModeRunsEveryWorkloadAndWritesTheReport(@TempDir Path out) throws Exception {
        List<Results> results = BenchMain.run(new BenchMain.Settings(true, out, ""));

        assertThat(results).hasSameSizeAs(Workloads.all(true));
        for (Results r : results) {
            assertThat(r.failures).as("failures of %s", r.comparison.id()).isEmpty();
            for (Comparison.Variant v : r.comparison.variants()) {
                assertThat(r.values(v.subject(), r.comparison.primary()))
                        .as("%s / %s", r.comparison.id(), v.subject())
                        .singleElement()
                        .satisfies(value -> assertThat(value).isPositive().isFinite());
            }
        }
        String report = Files.readString(out.resolve("report.md"));
        for (Results r : results) {
            assertThat(report).contains(r.comparison.title());
        }
        assertThat(Files.readAllLines(out.resolve("results.csv")))
                .first()
                .isEqualTo("workload,subject,repetition,figure,value");
        assertThat(Files.size(out.resolve("ratios.png"))).isPositive();
        assertRequestCountsAsCommitted(results);
    }

    /**
     * The requests per operation do not drift: every {@code requests/...} figure of the run is
     * within its tolerance of the committed count (requests-per-operation.csv), and the file lists
     * every such figure the run produced, so a new workload cannot skip the check.
     */
    private static void assertRequestCountsAsCommitted(List<Results> results) throws Exception {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        try (var in = BenchQuickModeTest.class.getResourceAsStream("/requests-per-operation.csv")) {
            assertThat(in).as("requests-per-operation.csv").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList()) {
                if (!line.startsWith("#") && !line.startsWith("workload,")) {
                    List<String> f = Report.csvFields(line);
                    expected.put(f.get(0) + " / " + f.get(1) + " / " + f.get(2), f);
                }
            }
        }
        List<String> drifted = new ArrayList<>();
        Set<String> measured = new LinkedHashSet<>();
        for (Results r : results) {
            for (String subject : r.samples.keySet()) {
                for (String figure : r.figures()) {
                    double value = r.median(subject, figure);
                    if (!figure.startsWith("requests/") || Double.isNaN(value)) {
                        continue;
                    }
                    String key = r.comparison.id() + " / " + subject + " / " + figure;
                    measured.add(key);
                    List<String> row = expected.get(key);
                    if (row == null) {
                        continue;
                    }
                    double want = Double.parseDouble(row.get(3));
                    double tolerance = Double.parseDouble(row.get(4));
                    if (Math.abs(value - want) > tolerance * want) {
                        drifted.add(String.format(
                                Locale.ROOT, "%s: %.4f, committed %.4f ± %.0f%%", key, value, want, tolerance * 100));
                    }
                }
            }
        }
        measured.stream()
                .filter(key -> !expected.containsKey(key))
                .forEach(key -> drifted.add(key + ": measured, but not in the file"));
        expected.keySet().stream()
                .filter(key -> !measured.contains(key))
                .forEach(key -> drifted.add(key + ": in the file, but the run did not measure it"));
        assertThat(drifted)
                .as("request counts against requests-per-operation.csv")
                .isEmpty();
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--fast"}))
                .hasMessageContaining("--fast")
                .hasMessageContaining("--quick");
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--out"})).hasMessageContaining("--out needs a value");
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--full", "--repetitions", "0"}))
                .hasMessageContaining("--repetitions must be a number from 1 to 1000, was 0");
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--repetitions", "many"}))
                .hasMessageContaining("was many");
    }

    @Test
    void onlySelectsTheWorkloadsWhoseIdContainsTheTextOrOneOfItsCommaSeparatedParts() {
        assertThat(BenchMain.selected("state-large-1m", "")).isTrue();
        assertThat(BenchMain.selected("state-large-1m", "large")).isTrue();
        assertThat(BenchMain.selected("instances-locks", "large,instances")).isTrue();
        assertThat(BenchMain.selected("tree-large-1m", "large,instances")).isTrue();
        assertThat(BenchMain.selected("lock-handoffs", "large,instances")).isFalse();
    }

    @Test
    void repetitionsReplaceTheModesDefault() {
        assertThat(BenchMain.parse(new String[] {"--full"}).repetitions()).isEqualTo(3);
        assertThat(BenchMain.parse(new String[] {"--full", "--repetitions", "20"})
                        .repetitions())
                .isEqualTo(20);
        assertThat(BenchMain.parse(new String[] {"--quick"}).repetitions()).isEqualTo(1);
    }

    @Test
    void aTailPercentileOverFewerThanTwentySamplesIsReportedAsMaxOnly() {
        org.HdrHistogram.Histogram few = Sample.histogram();
        for (int i = 1; i <= 3; i++) {
            few.recordValue(i * 1_000_000L);
        }
        assertThat(new Sample().latencies("x", few).figures())
                .containsKeys("x p50 ms", "x max ms", "x samples")
                .doesNotContainKey("x p99 ms")
                .containsEntry("x samples", 3.0);

        org.HdrHistogram.Histogram enough = Sample.histogram();
        for (int i = 1; i <= Sample.MIN_SAMPLES_FOR_P99; i++) {
            enough.recordValue(i * 1_000_000L);
        }
        assertThat(new Sample().latencies("x", enough).figures()).containsKey("x p99 ms");
    }

    @Test
    void aSecondFigureOfStatesyncIsShownButNoRatioIsTakenAgainstIt() {
        Comparison c = new Comparison(
                "c",
                "c",
                "ops/s",
                true,
                "",
                List.of(
                        Comparison.variant("statesync", ctx -> new Sample()),
                        Comparison.variant("reference", ctx -> new Sample()),
                        Comparison.secondFigure("statesync, other setting", ctx -> new Sample())));
        Results r = new Results(c);
        assertThat(r.references()).containsExactly("reference");
        assertThat(r.samples.keySet()).containsExactly("statesync", "reference", "statesync, other setting");
    }

    @Test
    void aComparisonThatRunsOnRequestRunsOnlyWhenOnlyNamesIt() {
        assertThat(Workloads.all(false)).anySatisfy(c -> assertThat(c.id()).isEqualTo("kafka-history"));
        assertThat(Workloads.all(true)).noneSatisfy(c -> assertThat(c.id()).startsWith("kafka"));
        assertThat(BenchMain.runs("kafka-history", "")).isFalse();
        assertThat(BenchMain.runs("kafka-history", "kafka")).isFalse();
        assertThat(BenchMain.runs("kafka-history", "kafka-history")).isTrue();
        assertThat(BenchMain.runs("kafka-replay", "kafka")).isTrue();
        assertThat(BenchMain.runs("kafka-replay", "")).isTrue();
    }

    @Test
    void everyComparisonIsInAWorkloadGroup() {
        assertThat(Workloads.all(true)).allSatisfy(c -> assertThat(c.group()).isNotEmpty());
        assertThat(Workloads.all(true).stream().map(Comparison::group).distinct())
                .contains("state", "leader", "eventlog", "queue");
    }

    @Test
    @Timeout(60)
    @SuppressWarnings("NullAway") // the variants here never reach the server
    void theVariantOrderRotatesEachRoundSoNoneAlwaysRunsFirst() {
        List<String> order = new ArrayList<>();
        List<Comparison.Variant> variants = new ArrayList<>();
        for (String subject : List.of("a", "b", "c")) {
            variants.add(Comparison.variant(subject, ctx -> {
                order.add(subject);
                return new Sample().put("ops/s", 1);
            }));
        }
        Comparison c = new Comparison("c", "c", "ops/s", true, "", variants);
        BenchMain.Settings full = new BenchMain.Settings(false, Path.of("unused"), "");
        ZooKeeperProcess noServer = null;

        Results r = BenchMain.runComparison(full, noServer, c);

        // A warm-up round and three measured rounds, each starting one variant later.
        assertThat(order).containsExactly("a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c");
        assertThat(r.values("a", "ops/s")).hasSize(3);
        assertThat(r.samples.keySet()).containsExactly("a", "b", "c");
    }
}
