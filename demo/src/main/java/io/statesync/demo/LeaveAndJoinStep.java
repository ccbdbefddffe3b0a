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

import java.util.Set;
import java.util.TreeSet;

/** Step 8: a clean leave reaches every node. */
final class LeaveAndJoinStep implements TourStep {
    @Override
    public String name() {
        return "leave and join";
    }

    @Override
    public String title() {
        return "Membership after the failover";
    }

    @Override
    public String run(Tour tour) throws Exception {
        TourNode late = tour.nodes.stream()
                .filter(n -> n.id.equals("node-4"))
                .findFirst()
                .orElseThrow();
        tour.console.say("  node-4 leaves cleanly (its member znode is deleted on close): the others see it at once.");
        tour.nodes.remove(late);
        late.close();
        Set<String> expected = new TreeSet<>();
        for (TourNode n : tour.nodes) {
            expected.add(n.id);
        }
        for (TourNode n : tour.nodes) {
            tour.await(n.id + " sees exactly " + expected, () -> n.members().equals(expected));
            tour.console.event(n.id + " sees members " + n.members());
        }
        return "joins and leaves reached every node: now " + expected + " (a node died in step 7, node-4 left)";
    }
}
