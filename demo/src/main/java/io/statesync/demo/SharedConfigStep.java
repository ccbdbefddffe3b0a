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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Versioned;
import io.statesync.recipes.state.SharedState;
import java.util.List;

/** Step 2: a shared value changed on one node and applied, in version order, on all three. */
final class SharedConfigStep implements TourStep {
    @Override
    public String name() {
        return "shared config";
    }

    @Override
    public String title() {
        return "Shared config: changed on one node, applied on all three";
    }

    @Override
    public String run(Tour tour) throws Exception {
        tour.console.say(
                "  Each node keeps a SharedState<String> of /config/service and applies every change it is told of.");
        for (TourNode n : tour.nodes) {
            SharedState<String> config = SharedState.builder(
                            n.coordinator, "/config/service", Codec.utf8(), "rate-limit=100")
                    .build();
            n.config = config;
            config.addListener(change -> change.current().ifPresent(v -> {
                n.appliedConfig.add(v);
                tour.changed();
                tour.console.event(n.id + " applied config version " + v.version() + ": " + v.value()
                        + (change.kind() == ChangeKind.INITIAL ? " (initial)" : ""));
            }));
            config.start();
        }
        for (TourNode n : tour.nodes) {
            if (!n.config().awaitInitialized(Tour.WAIT)) {
                throw new IllegalStateException(n.id + " did not read the config within " + Tour.WAIT);
            }
        }
        Versioned<String> first = tour.nodes.get(1).config().set("rate-limit=250");
        tour.console.event("node-2 set rate-limit=250: version " + first.version());
        awaitConfig(tour, first.version());
        Versioned<String> second = tour.nodes.get(2).config().update(v -> v + ",feature-x=on");
        tour.console.event(
                "node-3 updated it (compare-and-set) to " + second.value() + ": version " + second.version());
        awaitConfig(tour, second.version());
        for (TourNode n : tour.nodes) {
            List<Integer> seen =
                    n.appliedConfig.stream().map(Versioned::version).toList();
            for (int i = 1; i < seen.size(); i++) {
                if (seen.get(i) <= seen.get(i - 1)) {
                    throw new IllegalStateException(n.id + " applied versions out of order: " + seen);
                }
            }
        }
        return "all 3 nodes applied version " + second.version() + " (" + second.value()
                + "), every node in version order";
    }

    private static void awaitConfig(Tour tour, int version) throws InterruptedException {
        for (TourNode n : tour.nodes) {
            tour.await(
                    n.id + " applies config version " + version,
                    () -> n.config().get().map(v -> v.version() >= version).orElse(false));
        }
    }
}
