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

import io.statesync.core.Versioned;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import io.statesync.recipes.leader.TaskStop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Step 7: a singleton task that moves when its leader's node dies, stopping before its successor starts. */
final class SingletonStep implements TourStep {
    @Override
    public String name() {
        return "singleton task";
    }

    @Override
    public String title() {
        return "A singleton task on the leader; the leader's node dies; the task moves";
    }

    @Override
    public String run(Tour tour) throws Exception {
        tour.console.say("  node-1, node-2 and node-3 join a LeaderElection on /jobs/report with a scheduled task that"
                + " runs every 250 ms, only on the leader, handed the leadership's epoch (its fencing token).");
        List<Tick> ticks = new CopyOnWriteArrayList<>();
        Map<String, TaskStop> stops = new ConcurrentHashMap<>();
        Map<String, Long> stoppedAt = new ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            TourNode n = tour.nodes.get(i);
            AtomicLong lastEpoch = new AtomicLong();
            LeaderElection election = LeaderElection.builder(n.coordinator, "/jobs/report")
                    .participantId(n.id)
                    .scheduledTask(Duration.ofMillis(250), leadership -> {
                        ticks.add(new Tick(n.id, leadership.epoch(), System.nanoTime()));
                        tour.changed();
                        if (lastEpoch.getAndSet(leadership.epoch()) != leadership.epoch()) {
                            tour.console.event(n.id + " runs the report task (epoch " + leadership.epoch() + ")");
                        }
                    })
                    .stopTimeout(Duration.ofSeconds(1))
                    .onTaskStop(stop -> {
                        stops.put(n.id, stop);
                        stoppedAt.put(n.id, System.nanoTime());
                        tour.changed();
                        tour.console.event(n.id + "'s task stopped: " + stop.reason() + ", "
                                + (stop.ended() ? "ended " : "still running ")
                                + stop.duration().toMillis()
                                + " ms after its interrupt");
                    })
                    .build();
            n.election = election;
            if (i == 2) {
                election.addListener(change -> {
                    Optional<Versioned<Leadership>> now = change.current();
                    tour.console.event("node-3 sees "
                            + now.map(v -> "leader " + v.value().leaderId() + " (epoch "
                                            + v.value().epoch() + ")")
                                    .orElse("no leader"));
                });
            }
            election.start();
        }
        tour.await("a leader's task to run twice", () -> ticks.size() >= 2);
        Tick first = ticks.get(0);
        TourNode leader = tour.byId(first.node());
        tour.console.say("  " + leader.id + " leads. Now its node dies: the demo expires " + leader.id
                + "'s session on the"
                + " ZooKeeper server (what the server does when a node crashes or freezes past its session timeout)."
                + " Its election znode goes at once; " + leader.id + " hears of it on its next heartbeat and stops its"
                + " task; a successor waits the takeover delay (stop timeout + a third of the session timeout) so the"
                + " old task has surely stopped, then leads with a higher epoch.");
        long killedAt = System.nanoTime();
        tour.expire(leader);
        tour.console.event("the server expired " + leader.id + "'s session");
        tour.await(
                "another node's task to run",
                () -> ticks.stream().anyMatch(t -> !t.node().equals(leader.id)));
        Tick successor = ticks.stream()
                .filter(t -> !t.node().equals(leader.id))
                .findFirst()
                .orElseThrow();
        Duration failover = Duration.ofNanos(successor.at() - killedAt);
        check(successor.epoch() > first.epoch(), "the successor's epoch is not higher");
        Long oldStopped = stoppedAt.get(leader.id);
        check(oldStopped != null && oldStopped < successor.at(), leader.id + "'s task had not stopped first");
        long overlap = ticks.stream()
                .filter(t -> t.node().equals(leader.id) && t.at() > successor.at())
                .count();
        check(overlap == 0, leader.id + "'s task ran after its successor's started");
        tour.console.say(
                "  " + leader.id + " is now shut down for good (its recipes and coordinator closed): the others see"
                        + " it leave the group at once.");
        tour.nodes.remove(leader);
        leader.close();
        TaskStop stop = stops.get(leader.id);
        return "task moved from " + leader.id + " (epoch " + first.epoch() + ") to " + successor.node() + " (epoch "
                + successor.epoch() + ") " + DurationConverter.show(failover) + " after the session ended; "
                + leader.id + "'s task stopped first (" + (stop == null ? "?" : stop.reason()) + ")";
    }

    private record Tick(String node, long epoch, long at) {}
}
