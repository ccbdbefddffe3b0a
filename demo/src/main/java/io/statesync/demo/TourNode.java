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
import io.statesync.core.Coordinator;
import io.statesync.core.Versioned;
import io.statesync.demo.Ledger.Balances;
import io.statesync.demo.Ledger.Transfer;
import io.statesync.demo.Shards.Assignments;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** One node of the tour: its own coordinator (ZooKeeper session) and recipes. */
final class TourNode implements AutoCloseable {
    final String id;
    final Coordinator coordinator;
    final Tour tour;
    final List<Versioned<String>> appliedConfig = new CopyOnWriteArrayList<>();

    @Nullable
    GroupMembership<String> group;

    @Nullable
    SharedState<String> config;

    @Nullable
    DistributedLock lock;

    @Nullable
    EventLog<Transfer> log;

    @Nullable
    EventSourcedState<Balances, Transfer> ledger;

    @Nullable
    LeaderElection election;

    @Nullable
    WorkQueue<String> queue;

    @Nullable
    ReplicatedState<Assignments, Shards.Command> shards;

    final List<Long> shardVersions = new CopyOnWriteArrayList<>();

    TourNode(Tour tour, String id, Coordinator coordinator) {
        this.tour = tour;
        this.id = id;
        this.coordinator = coordinator;
        coordinator.addListener(event -> tour.changed());
    }

    void join() throws InterruptedException {
        GroupMembership<String> g = GroupMembership.builder(coordinator, "/members", Codec.utf8())
                .memberId(id)
                .metadata(id + " of the tour")
                .build();
        group = g;
        g.addListener(change -> tour.changed());
        if (id.equals("node-3")) {
            g.addListener(change -> {
                String member = change.path().substring(change.path().lastIndexOf('/') + 1);
                switch (change.kind()) {
                    case CREATED -> tour.console.event("node-3 sees " + member + " join");
                    case DELETED -> tour.console.event("node-3 sees " + member + " leave");
                    default -> {}
                }
            });
        }
        g.start();
        if (!g.awaitRegistered(Tour.WAIT)) {
            throw new IllegalStateException(id + " did not register within " + Tour.WAIT);
        }
    }

    Set<String> members() {
        GroupMembership<String> g = group;
        return g == null ? Set.of() : new TreeSet<>(g.members().keySet());
    }

    void openLedger() {
        EventLog<Transfer> l =
                EventLog.builder(coordinator, "/ledger", Ledger.CODEC).build();
        l.start();
        log = l;
        EventSourcedState<Balances, Transfer> s = EventSourcedState.builder(l, Balances.opening(), Balances::apply)
                .build();
        s.addListener(change -> tour.changed());
        s.start();
        ledger = s;
    }

    void openShards() {
        ReplicatedState<Assignments, Shards.Command> s = ReplicatedState.builder(
                        coordinator,
                        "/shards",
                        Shards.STATE_CODEC,
                        Shards.COMMAND_CODEC,
                        Assignments.none(),
                        Assignments::apply)
                .participantId(id)
                .commandTimeout(Tour.WAIT)
                .build();
        shards = s;
        s.addListener(change -> change.current().ifPresent(v -> {
            shardVersions.add(change.position());
            if (change.kind() != ChangeKind.INITIAL) {
                tour.console.event(id + " sees version " + change.position() + ": " + v.value());
            }
        }));
        s.start();
    }

    ReplicatedState<Assignments, Shards.Command> shards() {
        ReplicatedState<Assignments, Shards.Command> s = shards;
        if (s == null) {
            throw new IllegalStateException(id + " has no replicated state open");
        }
        return s;
    }

    WorkQueue<String> queue() {
        WorkQueue<String> q = queue;
        if (q == null) {
            throw new IllegalStateException(id + " has no work queue open");
        }
        return q;
    }

    SharedState<String> config() {
        SharedState<String> c = config;
        if (c == null) {
            throw new IllegalStateException(id + " has no config open");
        }
        return c;
    }

    EventLog<Transfer> log() {
        EventLog<Transfer> l = log;
        if (l == null) {
            throw new IllegalStateException(id + " has no ledger open");
        }
        return l;
    }

    EventSourcedState<Balances, Transfer> ledger() {
        EventSourcedState<Balances, Transfer> s = ledger;
        if (s == null) {
            throw new IllegalStateException(id + " has no ledger open");
        }
        return s;
    }

    /** Closes every recipe, then the coordinator (which ends the session). */
    @Override
    public void close() {
        for (AutoCloseable r : new AutoCloseable[] {election, shards, queue, ledger, log, lock, config, group}) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception e) {
                    tour.console.event(id + ": closing " + r + " failed: " + e);
                }
            }
        }
        coordinator.close();
    }
}
