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

/** Step 1: three nodes join a group and each sees the other two. */
final class JoinStep implements TourStep {
    @Override
    public String name() {
        return "membership";
    }

    @Override
    public String title() {
        return "Three nodes join the group";
    }

    @Override
    public String run(Tour tour) throws Exception {
        tour.console.say("  Every node registers an ephemeral member znode under /members with a line about itself,"
                + " and watches the group.");
        while (tour.nodes.size() < 3) {
            tour.nodes.add(tour.connect("node-" + (tour.nodes.size() + 1)));
        }
        for (TourNode n : tour.nodes) {
            n.join();
        }
        for (TourNode n : tour.nodes) {
            tour.await(n.id + " sees three members", () -> n.members().size() == 3);
        }
        for (TourNode n : tour.nodes) {
            tour.console.event(n.id + " sees members " + n.members());
        }
        return "3 nodes joined; every node sees " + tour.nodes.get(0).members();
    }
}
