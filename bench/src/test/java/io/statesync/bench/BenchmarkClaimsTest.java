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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The claims in docs/benchmarks.md are the committed run's: its ratios table is the one the report
 * of that run holds (docs/benchmarks/report.md), and every row of it is what the run's raw figures
 * (docs/benchmarks/results.csv) give: the medians of statesync's and the reference's primary figure
 * and their ratio, formatted as the report formats them. A hand-edited figure, or a report and CSV
 * from different runs, fails here.
 */
class BenchmarkClaimsTest {
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void theRatiosTableInTheDocsIsTheCommittedReportsTable() throws IOException {
        List<String> docs = ratiosTable(Files.readAllLines(DOCS.resolve("benchmarks.md")));
        List<String> report = ratiosTable(Files.readAllLines(DOCS.resolve("benchmarks/report.md")));

        assertThat(report).isNotEmpty();
        assertThat(docs).containsExactlyElementsOf(report);
    }

    @Test
    void everyRatioRowIsWhatTheCommittedRawFiguresGive() throws IOException {
        Map<String, Map<String, Map<String, List<Double>>>> csv = readCsv(DOCS.resolve("benchmarks/results.csv"));
        List<String> rows = ratiosTable(Files.readAllLines(DOCS.resolve("benchmarks/report.md")));

        for (String row : rows.subList(2, rows.size())) {
            String[] cells = row.substring(1, row.length() - 1).split(" \\| ", -1);
            String figure = cells[1].trim();
            String reference = cells[2].trim();
            String statesyncValue = cells[3].trim();
            String referenceValue = cells[4].trim();
            String ratio = cells[5].trim().replace("×", "");
            List<String> candidates = new ArrayList<>();
            boolean found = false;
            for (Map.Entry<String, Map<String, Map<String, List<Double>>>> workload : csv.entrySet()) {
                Map<String, Map<String, List<Double>>> subjects = workload.getValue();
                List<Double> statesyncs = subjects.values().iterator().next().get(figure);
                if (!subjects.containsKey(reference) || statesyncs == null) {
                    continue;
                }
                // A reference without the figure (e.g. it never redelivered) is "—" in the report.
                List<Double> references = subjects.get(reference).getOrDefault(figure, List.of());
                double s = median(statesyncs);
                double r = median(references);
                String computed = Report.num(s) + " | " + Report.num(r) + " | " + Report.num(s / r);
                candidates.add(workload.getKey() + ": " + computed);
                found |= computed.equals(statesyncValue + " | " + referenceValue + " | " + ratio);
            }
            assertThat(found)
                    .as("row %s; the raw figures give %s", row, candidates)
                    .isTrue();
        }
    }

    /** The lines of the "Ratios" table: its header, its separator and its rows. */
    private static List<String> ratiosTable(List<String> lines) {
        int start = lines.indexOf("## Ratios (statesync / reference, primary figure, medians)");
        assertThat(start).as("the ratios heading").isNotNegative();
        List<String> table = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("|")) {
                table.add(line);
            } else if (!table.isEmpty()) {
                break;
            }
        }
        return table;
    }

    /** workload -> subject (in the order first seen, statesync first) -> figure -> values. */
    private static Map<String, Map<String, Map<String, List<Double>>>> readCsv(Path file) throws IOException {
        Map<String, Map<String, Map<String, List<Double>>>> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("workload,subject,repetition,figure,value");
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = Report.csvFields(line);
            assertThat(f).as("fields of %s", line).hasSize(5);
            out.computeIfAbsent(f.get(0), k -> new LinkedHashMap<>())
                    .computeIfAbsent(f.get(1), k -> new LinkedHashMap<>())
                    .computeIfAbsent(f.get(3), k -> new ArrayList<>())
                    .add(Double.parseDouble(f.get(4)));
        }
        return out;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
