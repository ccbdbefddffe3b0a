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

import java.util.List;

/**
 * One workload measured for statesync and for what a user would pick instead.
 *
 * @param id a short stable id, for the CSV
 * @param title what is measured, in words
 * @param primary the figure the ratio is taken of
 * @param higherIsBetter whether a larger primary figure is better (throughput) or worse (latency)
 * @param target the target the recipe's issue set, in words ("" for none)
 * @param variants statesync first, then the references
 * @param once run once even in full mode (no warm-up, one repetition): for scale checks and fault
 *     workloads whose single run takes many seconds and whose figure does not vary with load
 * @param group the workload group: the comparisons of one group share a fresh ZooKeeper server
 *     process (and data directory), so that one group's data does not slow the next
 */
record Comparison(
        String id,
        String title,
        String primary,
        boolean higherIsBetter,
        String target,
        List<Variant> variants,
        boolean once,
        String group) {

    Comparison(String id, String title, String primary, boolean higherIsBetter, String target, List<Variant> variants) {
        this(id, title, primary, higherIsBetter, target, variants, false, "");
    }

    /** The same comparison, run once even in full mode. */
    Comparison runOnce() {
        return new Comparison(id, title, primary, higherIsBetter, target, variants, true, group);
    }

    /** The same comparison in the given workload group. */
    Comparison inGroup(String name) {
        return new Comparison(id, title, primary, higherIsBetter, target, variants, once, name);
    }

    /** One side of a comparison. */
    interface Variant {
        /** "statesync", "raw ZooKeeper" or "Curator ...". */
        String subject();

        /** Runs once and reports its figures. */
        Sample run(BenchContext context) throws Exception;

        /**
         * Whether statesync's primary figure is divided by this one in the ratios: false for a
         * second figure of statesync itself, which the report shows beside the others only.
         */
        default boolean reference() {
            return true;
        }

        /**
         * Whether the reference does the same work per operation as statesync: false for a second
         * reference that does other work (its subject says "not like for like"), which the ratios table
         * shows and the chart leaves out.
         */
        default boolean likeForLike() {
            return true;
        }
    }

    static Variant variant(String subject, Run run) {
        return variant(subject, run, true, true);
    }

    /** A second figure of statesync (e.g. another setting): reported, but no ratio is taken against it. */
    static Variant secondFigure(String subject, Run run) {
        return variant(subject, run, false, true);
    }

    /**
     * A reference that does other work than statesync (another layout, another consistency, help from
     * other traffic): its ratio is in the table, with the reason in its subject, and not in the chart.
     *
     * @throws IllegalArgumentException if the subject does not say "not like for like"
     */
    static Variant unlike(String subject, Run run) {
        if (!subject.contains(NOT_LIKE_FOR_LIKE)) {
            throw new IllegalArgumentException(
                    "the subject of a reference that is not like for like must say so: " + subject);
        }
        return variant(subject, run, true, false);
    }

    /** The words a subject of {@link #unlike} carries. */
    static final String NOT_LIKE_FOR_LIKE = "not like for like";

    private static Variant variant(String subject, Run run, boolean reference, boolean likeForLike) {
        return new Variant() {
            @Override
            public String subject() {
                return subject;
            }

            @Override
            public Sample run(BenchContext context) throws Exception {
                return run.run(context);
            }

            @Override
            public boolean reference() {
                return reference;
            }

            @Override
            public boolean likeForLike() {
                return likeForLike;
            }
        };
    }

    /** The body of a variant. */
    @FunctionalInterface
    interface Run {
        Sample run(BenchContext context) throws Exception;
    }
}
