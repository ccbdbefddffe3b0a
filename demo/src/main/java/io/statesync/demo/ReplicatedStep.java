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
import io.statesync.demo.Shards.Assignments;
import io.statesync.recipes.replication.Applied;
import io.statesync.recipes.replication.CommandRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Step 6: commands from every node applied once by one leader, across the leader's death. */
final class ReplicatedStep implements TourStep {
    @Override
    public String name() {
        return "replicated state";
    }

    @Override
    public String title() {
        return "Replicated state: every node submits commands, one leader applies them; the leader dies";
    }

    @Override
    public String run(Tour tour) throws Exception {
        List<TourNode> three = List.of(tour.nodes.get(0), tour.nodes.get(1), tour.nodes.get(2));
        tour.console.say(
                "  node-1, node-2 and node-3 each keep a ReplicatedState of shard assignments at /shards. One of"
                        + " them is elected the replication leader: only it changes the state, one command at a time, with a"
                        + " deterministic function (a claim of a shard another node owns is rejected). Any node may submit a"
                        + " command; every node takes the state the leader publishes, with its version (commands consumed).");
        for (TourNode n : three) {
            n.openShards();
        }
        tour.await(
                "a replication leader",
                () -> three.stream().anyMatch(n -> n.shards().isLeader()));
        TourNode leader =
                three.stream().filter(n -> n.shards().isLeader()).findFirst().orElseThrow();
        tour.console.event(leader.id + " is the replication leader");

        tour.console.say("  All three nodes submit at once: each claims two shards, and node-1 and node-3 both claim"
                + " shard-1 (only one of them can have it).");
        Map<TourNode, List<Shards.Command>> plan = Map.of(
                three.get(0), List.of(claim("shard-1", "node-1"), claim("shard-4", "node-1")),
                three.get(1), List.of(claim("shard-2", "node-2"), claim("shard-5", "node-2")),
                three.get(2), List.of(claim("shard-3", "node-3"), claim("shard-1", "node-3")));
        List<Submitted> submitted = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService submitters = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Map.Entry<TourNode, List<Shards.Command>> e : plan.entrySet()) {
                done.add(submitters.submit(() -> {
                    go.await();
                    for (Shards.Command c : e.getValue()) {
                        submitted.add(new Submitted(e.getKey(), c));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            submitters.shutdownNow();
        }
        tour.console.say(
                "  The leader takes the commands in their order in the command log, applies them one at a time and"
                        + " publishes the result in batches: a node may skip a version, never go back.");
        List<Submitted> inOrder = new ArrayList<>(submitted);
        List<Long> positions = new ArrayList<>();
        for (Submitted s : submitted) {
            positions.add(s.position());
        }
        inOrder.sort((x, y) -> Long.compare(positions.get(submitted.indexOf(x)), positions.get(submitted.indexOf(y))));
        List<Submitted> rejected = new ArrayList<>();
        for (Submitted s : inOrder) {
            Object o = s.outcome();
            if (o instanceof Applied<?> a) {
                tour.console.event("position " + a.position() + ": " + s.command + ": applied (version " + a.version()
                        + "), " + s.by.id + "'s future completed");
            } else if (o instanceof CommandRejectedException r) {
                rejected.add(s);
                tour.console.event("position " + r.position() + ": " + s.command + ": rejected (" + r.why() + "); only "
                        + s.by.id + "'s future for it failed, with CommandRejectedException");
            } else {
                throw new IllegalStateException(s.command + " failed: " + o);
            }
        }
        check(rejected.size() == 1, "expected exactly one rejected command, got " + rejected.size());
        Submitted lost = rejected.get(0);
        check(
                lost.command.shard().equals("shard-1"),
                "the rejected command is not a claim of shard-1: " + lost.command);
        int firstRound = submitted.size();
        Assignments agreed = awaitSameShards(tour, three, firstRound);
        tour.console.event("every node is at version " + firstRound + ": " + agreed);

        tour.console.say(
                "  Now " + leader.id + ", the replication leader, dies: the demo expires its session on the server."
                        + " Its election znode goes at once and another node leads, resuming at the published position; a"
                        + " deposed leader's publish would be refused.");
        tour.expire(leader);
        tour.console.event("the server expired " + leader.id + "'s session");
        TourNode submitter = three.stream().filter(n -> n != leader).findFirst().orElseThrow();
        Submitted late = new Submitted(submitter, claim("shard-6", submitter.id));
        tour.console.event(submitter.id + " submits: " + late.command);
        Object o = late.outcome();
        if (!(o instanceof Applied<?> applied)) {
            throw new IllegalStateException(late.command + " was not applied: " + o);
        }
        TourNode successor = three.stream()
                .filter(n -> n != leader && n.shards().isLeader())
                .findFirst()
                .orElse(null);
        tour.console.event(late.command + ": applied at position " + applied.position() + " (version "
                + applied.version() + ")" + (successor == null ? "" : " by the new leader " + successor.id));
        check(
                applied.version() == firstRound + 1L,
                late.command + " produced version " + applied.version() + ", not " + (firstRound + 1)
                        + ": not applied exactly once");
        Assignments last = awaitSameShards(tour, three, firstRound + 1);
        check(last.owners().get("shard-6") != null, "shard-6 is not in " + last);
        for (Submitted s : submitted) {
            check(s.completions.get() == 1, s.command + "'s future completed " + s.completions.get() + " times");
        }
        check(late.completions.get() == 1, late.command + "'s future completed " + late.completions.get() + " times");
        for (TourNode n : three) {
            List<Long> seen = n.shardVersions;
            for (int i = 1; i < seen.size(); i++) {
                check(seen.get(i) > seen.get(i - 1), n.id + " saw versions go back: " + seen);
            }
        }
        tour.console.event(leader.id + " is back with a new session and has caught up: every node at version "
                + (firstRound + 1) + ": " + last);
        return (firstRound + 1) + " commands from 3 nodes, applied one at a time; \"" + lost.command
                + "\" rejected ("
                + ((CommandRejectedException) lost.outcome()).why() + "), only its own future failed; after leader "
                + leader.id + " died, \"" + late.command + "\" was applied once (version " + applied.version()
                + "); all 3 nodes at version " + (firstRound + 1) + ", every future completed once";
    }

    /** A submitted command and how its future completed (counted, to show it completed once). */
    private static final class Submitted {
        final TourNode by;
        final Shards.Command command;
        final CompletableFuture<Applied<Assignments>> future;
        final AtomicInteger completions = new AtomicInteger();

        Submitted(TourNode by, Shards.Command command) {
            this.by = by;
            this.command = command;
            this.future = by.shards().submit(command);
            var unused = this.future.whenComplete((applied, error) -> completions.incrementAndGet());
        }

        /** Waits for the outcome: the Applied, or the exception the future failed with. */
        Object outcome() throws InterruptedException {
            try {
                return future.get(Tour.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return Objects.requireNonNull(e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "no outcome within " + DurationConverter.show(Tour.WAIT) + " for " + command);
            }
        }

        long position() throws InterruptedException {
            Object o = outcome();
            if (o instanceof Applied<?> a) {
                return a.position();
            }
            return o instanceof CommandRejectedException r ? r.position() : Long.MAX_VALUE;
        }
    }

    private static Shards.Command claim(String shard, String node) {
        return new Shards.Command(Shards.Action.CLAIM, shard, node);
    }

    private static Assignments awaitSameShards(Tour tour, List<TourNode> three, int version)
            throws InterruptedException {
        for (TourNode n : three) {
            tour.await(
                    n.id + " reaches replicated version " + version,
                    () -> n.shards().version() >= version);
        }
        Assignments first = three.get(0).shards().current().value();
        for (TourNode n : three) {
            Versioned<Assignments> v = n.shards().current();
            long at = n.shards().version();
            check(at == version, n.id + " is at version " + at + ", not " + version);
            check(v.value().equals(first), n.id + " holds " + v.value() + ", not " + first);
        }
        return first;
    }
}
