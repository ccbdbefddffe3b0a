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

import io.statesync.core.Codec;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Step 5: a work queue whose worker dies holding a job; the job is delivered again. */
final class WorkQueueStep implements TourStep {
    @Override
    public String name() {
        return "work queue";
    }

    @Override
    public String title() {
        return "A work queue: jobs offered on one node, worked off by the others; a worker dies";
    }

    @Override
    public String run(Tour tour) throws Exception {
        tour.console.say("  node-1, node-2 and node-3 open the WorkQueue /jobs/thumbnails. node-1 offers 12 jobs in one"
                + " atomic batch; a job is claimed by one worker at a time and removed only when acknowledged.");
        for (int i = 0; i < 3; i++) {
            TourNode n = tour.nodes.get(i);
            WorkQueue<String> q = WorkQueue.builder(n.coordinator, "/jobs/thumbnails", Codec.utf8())
                    .maxDeliveries(3)
                    .build();
            n.queue = q;
            q.start();
        }
        List<String> jobs = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            jobs.add(String.format(Locale.ROOT, "job-%02d", i));
        }
        long first = tour.nodes.get(0).queue().offerAll(jobs);
        tour.console.event(
                "node-1 offered " + jobs.size() + " jobs at positions " + first + ".." + (first + jobs.size() - 1));

        TourNode dying = tour.nodes.get(1);
        Claim<String> orphan = dying.queue()
                .take(Tour.WAIT)
                .orElseThrow(() -> new IllegalStateException("node-2 found no job to take"));
        tour.console.event("node-2 takes " + orphan.value() + " (delivery " + orphan.deliveryCount() + ")");
        tour.console.say(
                "  node-2 dies before acknowledging it: the demo expires node-2's session on the server. Its claim"
                        + " is an ephemeral znode, so it goes with the session and the job can be taken again.");
        tour.expire(dying);
        tour.console.event("the server expired node-2's session");

        Map<String, String> doneBy = new ConcurrentHashMap<>();
        Map<String, Integer> deliveries = new ConcurrentHashMap<>();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (TourNode worker : List.of(tour.nodes.get(0), tour.nodes.get(2))) {
                done.add(workers.submit(() -> {
                    long deadline = System.nanoTime() + Tour.WAIT.toNanos();
                    while (doneBy.size() < jobs.size() && System.nanoTime() < deadline) {
                        Optional<Claim<String>> taken = worker.queue().take(Duration.ofMillis(300));
                        if (taken.isEmpty()) {
                            continue;
                        }
                        try (Claim<String> claim = taken.get()) {
                            claim.ack();
                            deliveries.put(claim.value(), claim.deliveryCount());
                            if (doneBy.putIfAbsent(claim.value(), worker.id) != null) {
                                duplicates.add(claim.value());
                            }
                            tour.console.event(worker.id + " did " + claim.value() + " (delivery "
                                    + claim.deliveryCount() + ") and acknowledged it");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            workers.shutdownNow();
        }
        check(duplicates.isEmpty(), "acknowledged twice: " + duplicates);
        check(doneBy.keySet().equals(new TreeSet<>(jobs)), "not every job was done: " + new TreeSet<>(doneBy.keySet()));
        Integer again = deliveries.get(orphan.value());
        check(again != null && again >= 2, orphan.value() + " was not delivered again (delivery " + again + ")");
        tour.await("node-2 to hear that its session ended", () -> !orphan.isHeld() && dying.coordinator.isConnected());
        tour.console.say("  node-2 comes back (a new session) and tries to acknowledge the job it held.");
        String lateAck;
        try {
            orphan.ack();
            throw new IllegalStateException("node-2's late acknowledgement of " + orphan.value() + " was accepted");
        } catch (StateSyncException e) {
            lateAck = e.getClass().getSimpleName();
            tour.console.event("node-2's late acknowledgement of " + orphan.value() + " is refused: " + lateAck);
        }
        long left = tour.nodes.get(0).queue().size();
        check(left == 0, left + " jobs left in the queue");
        return "12 jobs offered by node-1, each acknowledged exactly once; " + orphan.value() + ", held by node-2 when"
                + " it died, was delivered again (delivery " + again + ") to " + doneBy.get(orphan.value())
                + "; node-2's late ack was refused (" + lateAck + "); queue empty";
    }
}
