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

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every sample of every variant of one comparison, and the statistics the report shows. */
final class Results {
    final Comparison comparison;
    /** subject -> samples, in run order. */
    final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    /** subject -> error, for a variant that failed. */
    final Map<String, String> failures = new LinkedHashMap<>();

    Results(Comparison comparison) {
        this.comparison = comparison;
        // Columns in the comparison's order (statesync first), whatever order the variants ran in.
        for (Comparison.Variant v : comparison.variants()) {
            samples.put(v.subject(), new ArrayList<>());
        }
    }

    void add(String subject, Sample sample) {
        samples.computeIfAbsent(subject, s -> new ArrayList<>()).add(sample);
    }

    Set<String> figures() {
        Set<String> all = new LinkedHashSet<>();
        for (List<Sample> list : samples.values()) {
            for (Sample s : list) {
                all.addAll(s.figures().keySet());
            }
        }
        return all;
    }

    List<Double> values(String subject, String figure) {
        List<Double> out = new ArrayList<>();
        for (Sample s : samples.getOrDefault(subject, List.of())) {
            Double v = s.figures().get(figure);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    double median(String subject, String figure) {
        List<Double> v = new ArrayList<>(values(subject, figure));
        if (v.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    double min(String subject, String figure) {
        return values(subject, figure).stream()
                .mapToDouble(Double::doubleValue)
                .min()
                .orElse(Double.NaN);
    }

    double max(String subject, String figure) {
        return values(subject, figure).stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(Double.NaN);
    }

    String statesync() {
        return comparison.variants().get(0).subject();
    }

    /** The subjects statesync's primary figure is compared with (second figures of statesync are not). */
    List<String> references() {
        List<String> refs = new ArrayList<>();
        for (int i = 1; i < comparison.variants().size(); i++) {
            Comparison.Variant v = comparison.variants().get(i);
            if (v.reference()) {
                refs.add(v.subject());
            }
        }
        return refs;
    }

    /** Whether the reference does the same work as statesync (the chart shows only those). */
    boolean likeForLike(String reference) {
        return comparison.variants().stream()
                .filter(v -> v.subject().equals(reference))
                .allMatch(Comparison.Variant::likeForLike);
    }

    /** statesync's median primary figure over the reference's. */
    double ratio(String reference) {
        return median(statesync(), comparison.primary()) / median(reference, comparison.primary());
    }

    /** Whether statesync does at least as well as the reference on the primary figure. */
    boolean statesyncAtLeastAsGood(String reference) {
        double r = ratio(reference);
        return comparison.higherIsBetter() ? r >= 1.0 : r <= 1.0;
    }
}
