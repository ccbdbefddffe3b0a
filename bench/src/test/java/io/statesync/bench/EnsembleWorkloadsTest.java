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

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ensemble group's shape; the workloads themselves run in full mode only (no server here). */
class EnsembleWorkloadsTest {

    @Test
    void quickModeStartsNoEnsemble() {
        assertThat(EnsembleWorkloads.all(true)).isEmpty();
        assertThat(Workloads.all(true)).noneMatch(c -> c.group().equals(EnsembleWorkloads.GROUP));
    }

    @Test
    void theEnsembleComparisonsRunTheSingleServerVariantsInTheirOwnGroup() {
        Map<String, Comparison> full =
                Workloads.all(false).stream().collect(Collectors.toMap(Comparison::id, Function.identity()));
        for (Comparison c : full.values()) {
            assertThat(c.group().equals(EnsembleWorkloads.GROUP)).as(c.id()).isEqualTo(c.id().startsWith("ensemble-"));
        }
        for (List<String> pair : List.of(
                List.of("ensemble-shared-update-1", "state-update-1"),
                List.of("ensemble-mutex-uncontended", "lock-uncontended"),
                List.of("ensemble-log-append", "eventlog-append"))) {
            Comparison onEnsemble = get(full, pair.get(0));
            Comparison onOneServer = get(full, pair.get(1));
            assertThat(onEnsemble.variants())
                    .as(pair.get(0))
                    .extracting(Comparison.Variant::subject)
                    .isEqualTo(onOneServer.variants().stream()
                            .map(Comparison.Variant::subject)
                            .toList());
            assertThat(onEnsemble.primary()).isEqualTo(onOneServer.primary());
            // An id of the ensemble group never contains a single-server id: --only state-update-1 starts no ensemble.
            assertThat(full.keySet()).noneMatch(id -> id.startsWith("ensemble-") && id.contains(pair.get(1)));
        }
        assertThat(get(full, "fresh-read").group()).isNotEqualTo(EnsembleWorkloads.GROUP);
        assertThat(get(full, "ensemble-fresh-read").variants())
                .extracting(Comparison.Variant::subject)
                .isEqualTo(get(full, "fresh-read").variants().stream()
                        .map(Comparison.Variant::subject)
                        .toList());
    }

    private static Comparison get(Map<String, Comparison> comparisons, String id) {
        return Objects.requireNonNull(comparisons.get(id), id);
    }
}
