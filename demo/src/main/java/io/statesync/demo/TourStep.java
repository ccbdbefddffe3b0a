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
package io.statesync.demo;

/** One step of the tour: what it shows, run against the tour's nodes, reported in one line. */
interface TourStep {
    /**
     * The step's short name, for the summary.
     *
     * @return the name
     */
    String name();

    /**
     * The step's title, printed before it runs.
     *
     * @return the title
     */
    String title();

    /**
     * Runs the step.
     *
     * @param tour the tour's nodes, console and waits
     * @return the outcome in one line
     * @throws Exception if the step did not do what it should (the message says what)
     */
    String run(Tour tour) throws Exception;
}
