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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's quick mode runs in CI: every workload runs against a real ZooKeeper server process
 * and the report is written. Figures are not asserted (CI machines are shared); that every variant
 * produced its figures is.
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
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--fast"}))
                .hasMessageContaining("--fast")
                .hasMessageContaining("--quick");
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--out"})).hasMessageContaining("--out needs a value");
    }
}
