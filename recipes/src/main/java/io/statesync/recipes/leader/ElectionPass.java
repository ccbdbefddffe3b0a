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
package io.statesync.recipes.leader;

import io.statesync.core.AccessDeniedException;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateListener;
import io.statesync.core.Ticker;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.RefreshLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The election's pass: requests for a pass coalesce into one on the election's serial loop ({@link
 * #scheduleRefresh()}, a {@link RefreshLoop}, which also retries a failed pass: access denied and a
 * newer layout are told to listeners once and retried with a backoff); a pass ({@link
 * #doRefresh()}) keeps this node's place in line and claims leadership when it is first. The state a
 * pass reads and writes is the election's, guarded by its lock, as is the loop's retry state.
 */
final class ElectionPass {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionPass.class);

    /** The election whose state the pass keeps; its fields are read and written under {@link #lock}. */
    private final DefaultLeaderElection election;
    /** The election's lock. */
    private final Object lock;

    private final Coordinator coordinator;
    /** The coordinator's ticker: the takeover delay reads it. */
    private final Ticker ticker;

    private final String path;
    private final String participantId;
    private final String metadata;
    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<StateListener<Leadership>> listeners;
    private final LeadershipView view;
    private final ElectionNodes nodes;
    /** The serial pass on the election's loop, and its retries. */
    private final RefreshLoop<StateListener<Leadership>> loop;

    private final TaskRunner tasks;
    private final Telemetry.Probe probe;

    /** The takeover delay after an unclean handover. Guarded by lock. */
    private final TakeoverRule takeover = new TakeoverRule();

    // Read and written on the election's loop only.
    /** The znode this node last joined with, its owner and czxid (0 if unknown): the claim's epoch. */
    private @Nullable String joinedPath;

    private long joinedOwner;
    private long joinedEpoch;
    /** This node's place in line at the last pass, -1 if unknown or not in line. */
    private int lastIndex = -1;

    /** Made by the election's constructor once its own final fields are set. */
    ElectionPass(DefaultLeaderElection election) {
        this.election = election;
        this.lock = election.lock();
        this.coordinator = election.coordinator();
        this.ticker = election.coordinator().ticker();
        this.path = election.path;
        this.participantId = election.participantId;
        this.metadata = election.metadata;
        this.name = election.name;
        this.lifecycle = election.lifecycle();
        this.listeners = election.listeners();
        this.view = election.view;
        this.nodes = election.nodes;
        this.loop = new RefreshLoop<>(
                election.loop, lock, name, lifecycle, listeners, () -> election.closed, this::doRefresh);
        this.tasks = election.tasks;
        this.probe = election.probe;
    }

    /** The access denial of the current episode, or {@code null} if access is not denied. Under lock. */
    @Nullable
    AccessDeniedException denied() {
        return loop.denied();
    }

    /** Whether this node refused the election's znode because it is in a newer layout. Under lock. */
    boolean layoutRefused() {
        return loop.layoutRefused();
    }

    void scheduleRefresh() {
        loop.request();
    }

    private void scheduleRefreshIn(long nanos) {
        loop.requestIn(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * One pass: hands over a znode of a session given up, re-queues if asked, joins the line if this
     * node has no znode, reads the line and the leader's znode (watching it, or the predecessor), and
     * claims leadership when first. Every request runs against one deadline, the coordinator's
     * operation timeout: reads and version-checked or idempotent writes through the one retry loop
     * of {@link ZkAccess}, the join and the multis sent once (a lost answer is resolved, never
     * blindly resent). Past the deadline the pass ends with an {@link OperationTimeoutException} and
     * the {@link RefreshLoop} schedules the next.
     */
    private void doRefresh() {
        long gen;
        String mine;
        boolean requeue;
        synchronized (lock) {
            if (election.closed || !election.connected) {
                return;
            }
            gen = election.generation;
            mine = election.ourPath;
            requeue = election.requeueRequested;
        }
        ZkAccess access = coordinator.internalAccess();
        Deadline deadline = access.defaultDeadline();
        String stale;
        synchronized (lock) {
            stale = tasks.alive() ? null : election.stalePath;
        }
        if (stale != null) {
            // A session this client gave up (LOST) may live on the server until it times out; its
            // znode would hold the line until then. Our task has ended: hand over now.
            release(stale, deadline);
            synchronized (lock) {
                if (stale.equals(election.stalePath)) {
                    election.stalePath = null;
                }
            }
        }
        List<CompletableFuture<Void>> completed = List.of();
        if (requeue) {
            synchronized (lock) {
                if (tasks.alive()) {
                    return; // the task's end triggers another refresh
                }
            }
            if (mine != null) {
                release(mine, deadline);
            }
            synchronized (lock) {
                if (Objects.equals(election.ourPath, mine)) {
                    election.ourPath = null;
                }
                mine = election.ourPath;
                election.requeueRequested = false;
                completed = new ArrayList<>(election.requeueWaiters);
                election.requeueWaiters.clear();
            }
        }
        if (mine == null) {
            Participants.checkLayout(path, nodes.electionData(deadline, "reading the election's data layout"));
            mine = join(gen, deadline);
            completed.forEach(w -> w.complete(null));
            if (mine == null) {
                return;
            }
        }
        String myName = mine.substring(mine.lastIndexOf('/') + 1);
        // Likely first (the pass after a join, or this node was next in line): the handover marker
        // is read with the line, in the same round trip; else only if this node turns out first.
        byte @Nullable [] marker = null;
        List<String> line;
        if (lastIndex <= 1) {
            ElectionNodes.LineRead read = nodes.lineAndMarker(deadline);
            line = Participants.inLineOrder(read.line());
            marker = read.electionData();
        } else {
            line = Participants.inLineOrder(nodes.line(deadline));
        }
        int index = line.indexOf(myName);
        lastIndex = index;
        if (index < 0) {
            synchronized (lock) {
                if (Objects.equals(election.ourPath, mine)) {
                    election.ourPath = null;
                    if (election.leader && mine.equals(election.claimedPath)) {
                        election.stepDown(TaskStop.Reason.LEADERSHIP_LOST);
                    }
                }
            }
            scheduleRefresh();
            return;
        }
        if (index > 0) {
            follow(gen, line, index, deadline);
            return;
        }
        // This node is first in line.
        long knownEpoch = mine.equals(joinedPath) && joinedOwner == coordinator.sessionId() ? joinedEpoch : 0;
        boolean mayClaim;
        synchronized (lock) {
            mayClaim = !election.leader && !tasks.alive() && gen == election.generation;
        }
        long wait = 0;
        if (mayClaim && knownEpoch != 0) {
            if (marker == null) {
                marker = nodes.electionData(deadline, "reading the handover marker");
            }
            wait = takeoverWait(Participants.leadingEpoch(path, marker), knownEpoch);
        }
        // With the epoch known from the join and no takeover delay to wait, the check of our own znode
        // (its owner and czxid, and its watch) goes out with the claim, in the same round trip.
        boolean claimNow = mayClaim && knownEpoch != 0 && wait <= 0;
        if (claimNow) {
            synchronized (lock) {
                if (!election.leader && gen == election.generation) {
                    view.show(null); // the previous leader is gone, and this node does not lead yet
                }
            }
        }
        ZkAccess.Reply ownRead;
        boolean claimed = false;
        if (claimNow) {
            ElectionNodes.ClaimRead c = nodes.readAndClaim(mine, knownEpoch, deadline);
            ownRead = c.own();
            claimed = c.claimed();
        } else {
            ownRead = nodes.watchedData(mine, deadline);
        }
        Stat ownStat = existing(ownRead, mine);
        if (ownStat == null) {
            scheduleRefresh();
            return;
        }
        long epoch = ownStat.getCzxid();
        if (ownStat.getEphemeralOwner() != coordinator.sessionId() || (claimNow && epoch != knownEpoch)) {
            // A znode of an earlier session of ours (CURATOR-696): never lead with it.
            synchronized (lock) {
                if (Objects.equals(election.ourPath, mine)) {
                    election.ourPath = null;
                }
            }
            scheduleRefresh();
            return;
        }
        if (claimNow) {
            if (claimed) {
                claimed(gen, mine, epoch);
            } else {
                scheduleRefresh(); // our znode (or the election) is gone
            }
            return;
        }
        synchronized (lock) {
            if (!election.leader && gen == election.generation) {
                view.show(null); // the previous leader is gone, and this node does not lead yet
            }
            if (election.leader || tasks.alive() || gen != election.generation) {
                return; // a task still running from the last leadership: its end refreshes again
            }
        }
        if (wait <= 0) {
            if (marker == null) {
                marker = nodes.electionData(deadline, "reading the handover marker");
            }
            wait = takeoverWait(Participants.leadingEpoch(path, marker), epoch);
        }
        if (wait > 0) {
            scheduleRefreshIn(wait);
            return;
        }
        claim(gen, mine, epoch, deadline);
    }

    /**
     * A follower's pass: reads the leader's znode (watching it) and, if the predecessor is another
     * znode, watches that one; shows the leader.
     */
    private void follow(long gen, List<String> line, int index, Deadline deadline) {
        String first = line.get(0);
        String leaderPath = path + "/" + first;
        ZkAccess.Reply leaderRead = nodes.watchedData(leaderPath, deadline);
        Stat leaderStat = existing(leaderRead, leaderPath);
        if (leaderStat == null) {
            scheduleRefresh();
            return;
        }
        byte[] leaderData = Objects.requireNonNullElse(leaderRead.data(), new byte[0]);
        String predecessor = line.get(index - 1);
        if (!predecessor.equals(first) && !nodes.exists(path + "/" + predecessor, deadline)) {
            scheduleRefresh();
            return;
        }
        Leadership other = new Leadership(
                Participants.id(leaderData), Participants.metadata(leaderData), leaderStat.getCzxid(), false);
        synchronized (lock) {
            if (gen == election.generation && !election.closed) {
                view.show(other);
            }
        }
    }

    /**
     * The stat of a znode a pass read: {@code null} if it is gone (the pass then refreshes).
     *
     * @throws io.statesync.core.StateSyncException for any other error of the read
     */
    private static @Nullable Stat existing(ZkAccess.Reply read, String znode) {
        if (read.noNode()) {
            return null;
        }
        Stat stat = read.stat();
        if (!read.ok() || stat == null) {
            throw ZkAccess.error(read.rc(), znode);
        }
        return stat;
    }

    /**
     * The takeover rule on the marker's epoch: the nanoseconds this node must still wait before it
     * leads with {@code epoch} (0 or less: none), logged and recorded the first time an unclean epoch
     * is seen.
     */
    private long takeoverWait(long previousEpoch, long epoch) {
        synchronized (lock) {
            if (!TakeoverRule.unclean(previousEpoch, epoch, election.claimedEpoch)) {
                return 0;
            }
            long now = ticker.read();
            if (takeover.seen(previousEpoch, now)) {
                probe.record(
                        Telemetry.Event.TAKEOVER_DELAY, election.takeoverDelay().toNanos());
                LOG.info(
                        "{}: the previous leader (epoch 0x{}) did not hand over cleanly; waiting {} before"
                                + " leading",
                        name,
                        Long.toHexString(previousEpoch),
                        election.takeoverDelay());
            }
            return takeover.remainingNanos(election.takeoverDelay(), now);
        }
    }

    /** Joins the line; {@code null} if the pass became stale meanwhile (the znode is then deleted). */
    private @Nullable String join(long gen, Deadline deadline) {
        ElectionNodes.Joined joined = nodes.join(deadline);
        boolean orphan;
        synchronized (lock) {
            orphan = election.closed || gen != election.generation || election.ourPath != null;
            if (!orphan) {
                election.ourPath = joined.path();
                election.ourSession = joined.owner();
            }
        }
        if (!orphan) {
            joinedPath = joined.path();
            joinedOwner = joined.owner();
            joinedEpoch = joined.epoch();
            lastIndex = -1;
        }
        if (orphan) {
            nodes.deleteLater(joined.path(), joined.owner());
            scheduleRefresh();
            return null;
        }
        return joined.path();
    }

    /** Marks the handover marker with our epoch, then leads if the pass is still current. */
    private void claim(long gen, String mine, long epoch, Deadline deadline) {
        if (!nodes.markLeading(mine, epoch, deadline)) {
            scheduleRefresh(); // our znode (or the election) is gone
            return;
        }
        claimed(gen, mine, epoch);
    }

    /** The marker names our epoch now: leads if the pass is still current. */
    private void claimed(long gen, String mine, long epoch) {
        synchronized (lock) {
            if (mine.equals(election.ourPath)) {
                // The marker now names this znode: a later release must mark the handover clean.
                election.claimedPath = mine;
                election.claimedEpoch = epoch;
            }
            if (election.closed
                    || gen != election.generation
                    || !election.connected
                    || !mine.equals(election.ourPath)
                    || election.requeueRequested) {
                return;
            }
            election.leader = true;
            probe.count(Telemetry.Event.ELECTED);
            Leadership self = new Leadership(participantId, metadata, epoch, true);
            LOG.info("{}: leads with epoch 0x{}", name, Long.toHexString(epoch));
            tasks.start(self);
            view.show(self);
            lock.notifyAll();
        }
    }

    /** Deletes our znode, marking the handover clean if it is the one this node led with. */
    void release(String mine, Deadline deadline) {
        long epoch;
        synchronized (lock) {
            epoch = mine.equals(election.claimedPath) ? election.claimedEpoch : 0;
        }
        nodes.release(mine, epoch, deadline);
        synchronized (lock) {
            if (mine.equals(election.claimedPath)) {
                election.claimedPath = null;
            }
        }
    }
}
