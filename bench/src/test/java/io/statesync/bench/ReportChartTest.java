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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart of ratios shows only like-for-like references; the ratios table keeps the others,
 * which say in their subject why they are not like for like.
 */
class ReportChartTest {
    private static final Comparison.Run NONE = ctx -> new Sample();

    /** A lower-is-better comparison of statesync with a like-for-like "one-level cache", then {@code more}. */
    private static Comparison treeLoad(Comparison.Variant... more) {
        List<Comparison.Variant> variants = new ArrayList<>(
                List.of(Comparison.variant("statesync", NONE), Comparison.variant("one-level cache", NONE)));
        variants.addAll(List.of(more));
        return new Comparison("tree-load", "tree load", "load ms", false, "", variants);
    }

    @Test
    void aReferenceThatIsNotLikeForLikeIsInTheTableAndNotInTheChart() {
        Comparison c = treeLoad(
                Comparison.unlike("recursive cache (not like for like)", NONE),
                Comparison.secondFigure("statesync inline", NONE));
        Results r = new Results(c);
        r.add("statesync", new Sample().put("load ms", 50));
        r.add("one-level cache", new Sample().put("load ms", 100));
        r.add("recursive cache (not like for like)", new Sample().put("load ms", 200));
        r.add("statesync inline", new Sample().put("load ms", 40));

        assertThat(Report.bars(List.of(r))).containsExactly(new Report.Bar("tree load vs one-level cache", 0.5, true));
        assertThat(Report.markdown(List.of(r), "# report"))
                .contains("| tree load | load ms | one-level cache | 50.0 | 100.0 | 0.500× |")
                .contains("| tree load | load ms | recursive cache (not like for like) | 50.0 | 200.0 | 0.250× |")
                .doesNotContain("| statesync inline | 50.0");
    }

    @Test
    void theChartIsDrawnAgainFromARunsCsvWithTheBenchsComparisons(@TempDir Path dir) throws IOException {
        Comparison c = treeLoad(Comparison.unlike("recursive cache, \"quoted\" (not like for like)", NONE));
        Results run = new Results(c);
        run.add("statesync", new Sample().put("load ms", 50).put("requests/key", 1));
        run.add("statesync", new Sample().put("load ms", 70).put("requests/key", 1));
        run.add("one-level cache", new Sample().put("load ms", 100));
        run.add("one-level cache", new Sample().put("load ms", 140));
        run.add("recursive cache, \"quoted\" (not like for like)", new Sample().put("load ms", 200));
        Path csv = dir.resolve("results.csv");
        Files.writeString(csv, Report.csv(List.of(run)));

        List<Results> read = Report.fromCsv(csv, List.of(c));

        assertThat(read).hasSize(1);
        assertThat(read.get(0).values("statesync", "load ms")).containsExactly(50.0, 70.0);
        assertThat(read.get(0).values("recursive cache, \"quoted\" (not like for like)", "load ms"))
                .containsExactly(200.0);
        assertThat(Report.bars(read)).containsExactly(new Report.Bar("tree load vs one-level cache", 0.5, true));
        assertThatThrownBy(() -> Report.fromCsv(csv, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tree-load");
    }

    @Test
    void aReferenceMarkedUnlikeMustSaySoInItsSubject() {
        assertThatThrownBy(() -> Comparison.unlike("recursive cache", NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recursive cache");
    }
}
