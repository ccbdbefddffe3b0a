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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.NotLeaderException;
import io.statesync.core.SessionExpiredException;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ListenerSet;
import io.statesync.recipes.internal.GuardedWrites;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's guarded writes: each one a single transaction that also checks the znode this node
 * claimed leadership with, so that nothing lands once it is gone ({@link #write}); and the same check
 * alone, asked before each tick of a scheduled task ({@link #stillLeads}). A session found expired by
 * a write steps the election down. Reads the election's leadership under its lock; called on the
 * caller's thread or the task's, never with that lock held.
 */
final class LeaderWrites {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderWrites.class);

    /** The election whose leadership guards the writes; its fields are read under {@link #lock}. */
    private final DefaultLeaderElection election;
    /** The election's lock. */
    private final Object lock;

    private final Coordinator coordinator;
    private final String path;
    private final String participantId;
    private final String name;
    private final ListenerSet<StateListener<Leadership>> listeners;

    /** Made by the election's constructor once its own final fields are set. */
    LeaderWrites(DefaultLeaderElection election) {
        this.election = election;
        this.lock = election.lock();
        this.coordinator = election.coordinator();
        this.path = election.path;
        this.participantId = election.participantId;
        this.name = election.name;
        this.listeners = election.listeners();
    }

    /**
     * Before each scheduled tick: a guarded check of this leadership's own znode, committed through
     * the ensemble's leader (one transaction, nothing changed), so the answer is the server's state
     * now. A session that ended while this process was frozen or cut off fails it.
     */
    boolean stillLeads(Leadership run) throws InterruptedException {
        String guard;
        synchronized (lock) {
            guard = election.leader && election.claimedEpoch == run.epoch() ? election.claimedPath : null;
        }
        if (guard == null) {
            return false;
        }
        try {
            write(GuardedWrite.of().check(guard, -1), coordinator.operationTimeout());
            return true;
        } catch (StateSyncException e) {
            LOG.debug("{}: leadership not confirmed before a tick: {}", name, e.toString());
            return false;
        }
    }

    /** {@link LeaderElection#write(GuardedWrite, Duration)}. */
    void write(GuardedWrite write, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(write, "write");
        Deadline.checkTimeout(timeout, "timeout");
        if (write.operations().isEmpty()) {
            throw new IllegalArgumentException("a guarded write needs at least one operation");
        }
        String guard;
        synchronized (lock) {
            guard = election.leader ? election.claimedPath : null;
        }
        if (guard == null) {
            throw new NotLeaderException(path, participantId + " does not lead election " + path, null);
        }
        try {
            GuardedWrites.write(
                    coordinator,
                    guard,
                    write,
                    p -> new NotLeaderException(
                            path,
                            participantId + " no longer leads election " + path + ": its znode " + p + " is gone",
                            null),
                    coordinator.internalAccess().deadline(timeout),
                    name + ": guarded write");
        } catch (SessionExpiredException e) {
            // The session ended before this node heard of it (always possible under ON_LOST, where a
            // suspended leader keeps leading): its znode went with it, so it no longer leads.
            boolean stepped = false;
            synchronized (lock) {
                if (election.leader && guard.equals(election.claimedPath)) {
                    election.stepDown(TaskStop.Reason.SESSION_LOST);
                    stepped = true;
                }
            }
            if (stepped) {
                listeners.dispatch();
            }
            throw new NotLeaderException(
                    path,
                    participantId + " no longer leads election " + path + ": its session expired (its znode " + guard
                            + " went with it); nothing was written",
                    e);
        }
    }
}
