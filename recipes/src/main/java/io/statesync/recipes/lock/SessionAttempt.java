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
package io.statesync.recipes.lock;

import io.statesync.core.Coordinator;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkErrors;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of an acquire in one session, run against its {@link LockEngine}: creates the
 * waiter's znode, reads the queue and waits for its blockers until it holds (the engine makes the
 * {@link Handle}), must give up, or must start again in a fresh session. Its znode is deleted
 * (through the engine's guaranteed delete) unless it holds. The engine owns the state it decides on:
 * the loss epoch, the held handles, and whether the lock is open.
 *
 * <p>The create and the first read of the queue are sent back to back without waiting in between:
 * ZooKeeper answers a session's requests in the order they were sent, so the read already lists the
 * new child, and an uncontended acquire waits for one round trip instead of two.
 */
final class SessionAttempt {
    /** How an attempt in one session ended, if it does not hold. */
    enum Outcome {
        /** The parent was missing and has been created: try again at once. */
        PARENT_CREATED,
        RESTART,
        TIMED_OUT,
        BLOCKED
    }

    private final LockEngine engine;
    private final Coordinator coordinator;
    private final String zkPath;
    private final Attempt attempt;
    private final LockQueue.Kind kind;
    private final Deadline deadline;
    private final boolean wait;

    SessionAttempt(LockEngine engine, Attempt attempt, LockQueue.Kind kind, Deadline deadline, boolean wait) {
        this.engine = engine;
        this.coordinator = engine.coordinator();
        this.zkPath = engine.zkPath;
        this.attempt = attempt;
        this.kind = kind;
        this.deadline = deadline;
        this.wait = wait;
    }

    /** Runs the attempt: a {@link Handle}, or an {@link Outcome}. */
    Object run() throws InterruptedException {
        ZooKeeper zk;
        try {
            zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return Outcome.RESTART;
        }
        long session = zk.getSessionId();
        String id = UUID.randomUUID().toString();
        HolderWatch holderWatch = kind == LockQueue.Kind.LEASE
                ? null
                : new HolderWatch(h -> {
                    if (engine.isHeld(h)) {
                        engine.watchHolder(zk, h);
                    }
                });
        // A decision is only taken if no loss was reported since the read it rests on was sent.
        long firstEpoch = engine.lossEpoch();
        CompletableFuture<LockCalls.Created> creating =
                LockCalls.create(zk, zkPath + "/" + kind.prefix + "-" + id + "-", engine.znodeData(kind), engine.acl());
        Attempt.@Nullable QueueRead pendingRead = new Attempt.QueueRead(readQueue(zk, holderWatch), firstEpoch);
        LockCalls.Created created;
        try {
            // The read's answer comes after the create's: one wait for both.
            LockCalls.awaitDone(pendingRead.answer, deadline);
            created = LockCalls.await(creating, deadline);
        } catch (KeeperException e) {
            attempt.removeWatches(zk);
            switch (e.code()) {
                case NONODE -> {
                    engine.ensureParent(deadline);
                    return Outcome.PARENT_CREATED;
                }
                case SESSIONEXPIRED, SESSIONMOVED -> {
                    return Outcome.RESTART;
                }
                case CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT -> {
                    // The create may have landed with its answer lost: find it by its id and delete it.
                    CompletableFuture<Void> unused = engine.deleter.deleteById(zkPath, id, session);
                    return Outcome.RESTART;
                }
                default -> throw ZkErrors.translate(e, engine.path());
            }
        } catch (TimeoutException e) {
            attempt.removeWatches(zk);
            CompletableFuture<Void> unused = engine.deleter.deleteById(zkPath, id, session);
            return Outcome.TIMED_OUT;
        } catch (InterruptedException e) {
            attempt.removeWatches(zk);
            CompletableFuture<Void> unused = engine.deleter.deleteById(zkPath, id, session);
            throw e;
        }

        String myName = ZKPaths.getNodeFromPath(created.path);
        long owner = created.stat.getEphemeralOwner();
        Handle handle = null;
        attempt.startReading(() -> {
            long epoch = engine.lossEpoch(); // read before the read is sent
            return new Attempt.QueueRead(readQueue(zk, holderWatch), epoch);
        });
        try {
            while (true) {
                engine.ensureOpen();
                if (coordinator.isConnected() && owner != coordinator.sessionId()) {
                    // Connected on another session: ours ended, and our znode with it.
                    return Outcome.RESTART;
                }
                if (!coordinator.isConnected()) {
                    if (!wait) {
                        return Outcome.RESTART;
                    }
                    pendingRead = null; // answered with a connection loss, or too old to rely on
                    attempt.disarm();
                    // Keep our place in the queue through the outage; woken by connection events.
                    if (!attempt.await(deadline.min(engine.backoff(4))) && deadline.passed()) {
                        return Outcome.TIMED_OUT;
                    }
                    continue;
                }
                Attempt.QueueRead reading = pendingRead != null ? pendingRead : attempt.nextRead();
                pendingRead = null;
                long epoch = reading.epoch;
                List<String> children;
                try {
                    children = LockCalls.await(reading.answer, deadline);
                } catch (KeeperException e) {
                    if (wait && LockCalls.isConnectionError(e)) {
                        continue;
                    }
                    return failedWhileQueued(e);
                } catch (TimeoutException e) {
                    return Outcome.TIMED_OUT;
                }
                List<String> queue = LockQueue.sorted(children);
                int index = queue.indexOf(myName);
                if (index < 0) {
                    // Our znode is gone: the session expired or someone deleted it.
                    return Outcome.RESTART;
                }
                String blocker = LockQueue.blocker(queue, index, kind, engine.maxLeases);
                if (blocker == null) {
                    Object holding = engine.holdIfNoLoss(epoch, owner, myName, created);
                    if (holding == null) {
                        continue; // read again once the loss is over
                    }
                    if (holding instanceof Handle h) {
                        handle = h;
                        if (holderWatch == null || !holderWatch.hold(h)) {
                            engine.watchHolder(zk, h);
                        }
                    }
                    return holding;
                }
                if (!wait) {
                    return Outcome.BLOCKED;
                }
                // The blocker is the only znode ahead that blocks us: its deletion alone frees us, since
                // every znode created later has a higher sequence number than ours.
                String freeingPath = LockQueue.onlyBlocker(queue, index, kind) ? zkPath + "/" + blocker : null;
                if (!blocker.isEmpty()) {
                    Optional<Stat> stat;
                    try {
                        stat = LockCalls.await(
                                LockCalls.exists(zk, attempt.watchPath(zkPath + "/" + blocker)), deadline);
                    } catch (KeeperException e) {
                        if (LockCalls.isConnectionError(e)) {
                            continue;
                        }
                        return failedWhileQueued(e);
                    } catch (TimeoutException e) {
                        return Outcome.TIMED_OUT;
                    }
                    if (stat.isEmpty()) {
                        if (freeingPath == null) {
                            continue;
                        }
                        Object holding = holdAfterDeletion(zk, epoch, owner, myName, created);
                        if (holding == null) {
                            continue;
                        }
                        handle = holding instanceof Handle h ? h : null;
                        return holding;
                    }
                }
                // The watch that wakes us sends the next read at once, from the event thread; or, if
                // the blocker's deletion alone frees us, it notes that deletion and nothing is read.
                attempt.arm(freeingPath);
                if (!attempt.await(deadline)) {
                    return Outcome.TIMED_OUT;
                }
                if (freeingPath != null && attempt.sawDeletion()) {
                    Object holding = holdAfterDeletion(zk, epoch, owner, myName, created);
                    if (holding == null) {
                        continue;
                    }
                    handle = holding instanceof Handle h ? h : null;
                    return holding;
                }
            }
        } finally {
            attempt.stopReading();
            attempt.removeWatches(zk);
            if (handle == null) {
                CompletableFuture<Void> deleted = engine.deleter.deleteNode(created.path, owner);
                if (!wait && coordinator.isConnected()) {
                    // A try that failed waits for its znode to go, so that an immediate retry is not
                    // queued behind its own leftover.
                    // Within the call's deadline: a silent partition does not stretch it.
                    LockCalls.awaitQuietly(
                            deleted, deadline.min(coordinator.internalAccess().deadline(LockEngine.RELEASE_WAIT)));
                }
            }
        }
    }

    /**
     * Holds once the only znode ahead that blocked us was deleted, without reading the queue again.
     * The exact watch on our own znode is set at once (its answer finds the znode gone if it is).
     */
    private @Nullable Object holdAfterDeletion(
            ZooKeeper zk, long epoch, long owner, String myName, LockCalls.Created created) {
        Object holding = engine.holdIfNoLoss(epoch, owner, myName, created);
        if (holding instanceof Handle h) {
            engine.watchHolder(zk, h);
        }
        return holding;
    }

    private Outcome failedWhileQueued(KeeperException e) {
        return switch (e.code()) {
            case NONODE, SESSIONEXPIRED, SESSIONMOVED, CONNECTIONLOSS, OPERATIONTIMEOUT, REQUESTTIMEOUT ->
                Outcome.RESTART;
            default -> throw ZkErrors.translate(e, engine.path());
        };
    }

    /**
     * Sends a read of the queue that sets the watch the waiter needs: the children watch standing
     * in for the holder's own (a mutex, reader or writer; re-armed here), or the attempt's (a lease).
     */
    private CompletableFuture<List<String>> readQueue(ZooKeeper zk, @Nullable HolderWatch holderWatch) {
        if (holderWatch != null) {
            holderWatch.rearmed();
            return LockCalls.children(zk, zkPath, holderWatch, null);
        }
        return LockCalls.children(zk, zkPath, null, attempt);
    }
}
