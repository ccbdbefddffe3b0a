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

import static io.statesync.demo.Tour.check;

import io.statesync.demo.Ledger.Balances;
import io.statesync.demo.Ledger.Transfer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Step 4: an event-sourced ledger appended from three nodes and replayed by a late fourth. */
final class LedgerStep implements TourStep {
    @Override
    public String name() {
        return "event log";
    }

    @Override
    public String title() {
        return "An event-sourced ledger appended from three nodes, replayed by a late one";
    }

    @Override
    public String run(Tour tour) throws Exception {
        tour.console.say("  Each node opens the EventLog /ledger and an EventSourcedState that folds its transfers into"
                + " balances (alice, bob and carol start with 100 each). The three nodes append at the same time.");
        for (TourNode n : tour.nodes) {
            n.openLedger();
        }
        List<List<Transfer>> plans = List.of(
                List.of(
                        new Transfer("alice", "bob", 10),
                        new Transfer("alice", "carol", 5),
                        new Transfer("bob", "carol", 7),
                        new Transfer("carol", "alice", 3)),
                List.of(
                        new Transfer("bob", "alice", 20),
                        new Transfer("carol", "bob", 1),
                        new Transfer("alice", "bob", 2),
                        new Transfer("bob", "carol", 4)),
                List.of(
                        new Transfer("carol", "alice", 8),
                        new Transfer("alice", "carol", 6),
                        new Transfer("bob", "alice", 9),
                        new Transfer("carol", "bob", 11)));
        ExecutorService appenders = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TourNode n = tour.nodes.get(i);
                List<Transfer> plan = plans.get(i);
                done.add(appenders.submit(() -> {
                    for (Transfer t : plan) {
                        long p = n.log().append(t);
                        tour.console.event(n.id + " appended " + t + " at position " + p);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            appenders.shutdownNow();
        }
        long end = 12;
        for (TourNode n : tour.nodes) {
            if (!n.ledger().awaitPosition(end, Tour.WAIT)) {
                throw new IllegalStateException(n.id + " did not apply 12 events within " + Tour.WAIT);
            }
            tour.console.event(n.id + " applied " + n.ledger().position() + " events: balances "
                    + n.ledger().current().value());
        }
        tour.console.say(
                "  node-4 starts only now: it joins the group, opens the ledger and replays it from position 0.");
        TourNode late = tour.connect("node-4");
        tour.nodes.add(late);
        late.join();
        long t0 = System.nanoTime();
        late.openLedger();
        if (!late.ledger().awaitPosition(end, Tour.WAIT)) {
            throw new IllegalStateException("node-4 did not replay 12 events within " + Tour.WAIT);
        }
        Balances expected = tour.nodes.get(0).ledger().current().value();
        tour.console.event("node-4 replayed " + late.ledger().position() + " events in "
                + DurationConverter.show(Duration.ofNanos(System.nanoTime() - t0)) + ": balances "
                + late.ledger().current().value());
        for (TourNode n : tour.nodes) {
            check(n.ledger().current().value().equals(expected), n.id + " holds different balances");
        }
        check(expected.total() == 300, "the balances do not add up to 300: " + expected);
        return "12 transfers from 3 nodes; nodes 1-3 and late node-4 (replayed from position 0) hold the same"
                + " balances " + expected + " (total " + expected.total() + ")";
    }
}
