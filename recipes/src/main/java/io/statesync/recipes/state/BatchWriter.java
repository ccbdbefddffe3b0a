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
package io.statesync.recipes.state;

import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateListener;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RequestSize;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.FreshRead;
import io.statesync.recipes.internal.WriterMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * A shared state's writes, one batch at a time: the batch's deadline and name, each write as one
 * {@code multi} of the value and a version-checked write of the instance's marker znode (with the
 * writer's turn ticket, if it holds one), the reply applied to the view before anyone hears of it,
 * and a lost reply resolved by the marker's version ({@link #write}). Confined to the combiner of
 * {@link WriteQueue}: one thread at a time.
 */
final class BatchWriter<T> {
    private final Coordinator coordinator;
    private final ZkAccess access;
    private final String path;
    private final String fullPath;
    private final WriterMarker marker;
    private final Turns turns;
    private final StateView<T> view;
    private final ListenerSet<StateListener<T>> listeners;
    private final Telemetry.Probe probe;

    BatchWriter(
            Coordinator coordinator,
            String path,
            WriterMarker marker,
            Turns turns,
            StateView<T> view,
            ListenerSet<StateListener<T>> listeners,
            Telemetry.Probe probe) {
        this.coordinator = coordinator;
        this.access = coordinator.internalAccess();
        this.path = path;
        this.fullPath = access.fullPath(path);
        this.marker = marker;
        this.turns = turns;
        this.view = view;
        this.listeners = listeners;
        this.probe = probe;
        this.batchDeadline = access.deadline(Duration.ZERO);
    }

    /** What running out of time or being interrupted now means for the batch. */
    Outcome outcome() {
        return inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
    }

    /** Waits for a reply until the batch's deadline. */
    <R> R awaitReply(CompletableFuture<R> reply) {
        return ZkAccess.await(reply, batchDeadline, path, batchWhat, outcome());
    }

    private enum Resolution {
        LANDED,
        RETRY_SAME,
        CONFLICT,
        FRESH_SESSION,
        UNKNOWN,
        LOSS
    }

    private @Nullable Versioned<byte[]> landed;
    // The deadline and name of the batch being written, and whether a request of it was sent whose
    // outcome is not known yet.
    Deadline batchDeadline;
    String batchWhat = "";
    boolean inDoubt;
    // Recent conflicts (decays with each write that lands): while above 0, replies are applied on
    // the event thread, in order with the watch events.
    int contention;

    /**
     * Writes {@code data} if the node is at {@code expectedVersion} (or, for -1, creates it), in one
     * multi with a version-checked write of the marker.
     *
     * @return the written value, or {@code null} on a conflict (the node moved, or exists/absent
     *     against expectation)
     */
    @Nullable
    Versioned<byte[]> write(int expectedVersion, long expectedCzxid, byte[] data) {
        coordinator.checkValueSize(path, data);
        boolean doubt = false;
        long doubtSession = 0;
        int doubtMarker = 0;
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            if (doubt) {
                Resolution r = resolve(zk, expectedVersion, expectedCzxid, data, doubtSession, doubtMarker);
                countResolved(r);
                switch (r) {
                    case LANDED -> {
                        inDoubt = false;
                        return Objects.requireNonNull(landed);
                    }
                    case CONFLICT -> {
                        inDoubt = false;
                        return null;
                    }
                    case FRESH_SESSION -> {
                        doubt = false;
                        inDoubt = false;
                    }
                    case UNKNOWN ->
                        throw new ConnectionLossException(
                                path,
                                "the session ended while a write to " + path
                                        + " was in flight and the node moved since; whether the write landed is"
                                        + " unknown, and it was not retried",
                                null);
                    case LOSS -> {
                        access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                        continue;
                    }
                    case RETRY_SAME -> inDoubt = false;
                }
            }
            if (!marker.ensure(zk, batchDeadline, path, batchWhat, outcome())) {
                access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                continue;
            }
            int mv = marker.version();
            inDoubt = true;
            MultiReply reply = multi(zk, expectedVersion, data, mv);
            if (!ZkAccess.isLoss(reply.rc) && !doubt) {
                inDoubt = false; // answered: landed, or refused as a whole
            }
            if (reply.rc == 0) {
                inDoubt = false;
                turns.released();
                marker.landed(mv);
                return Objects.requireNonNull(reply.written);
            }
            if (ZkAccess.isLoss(reply.rc)) {
                if (!doubt) {
                    doubt = true;
                    doubtSession = zk.getSessionId();
                    doubtMarker = mv;
                }
                access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                continue;
            }
            int valueRc = reply.opError(0);
            int markerRc = reply.opError(1);
            if (reply.opError(2) == KeeperException.Code.NONODE.intValue()) {
                turns.released(); // the ticket is gone (with an old session): write without it
                continue;
            }
            if (valueRc == KeeperException.Code.BADVERSION.intValue()
                    || valueRc == KeeperException.Code.NONODE.intValue()
                    || valueRc == KeeperException.Code.NODEEXISTS.intValue()) {
                if (valueRc == KeeperException.Code.NONODE.intValue() && expectedVersion < 0) {
                    createParents();
                    continue;
                }
                if (doubt) {
                    continue; // resolve: it may be our own earlier attempt that moved the node
                }
                return null;
            }
            if (markerRc == KeeperException.Code.BADVERSION.intValue() && doubt) {
                continue; // the marker moved: our earlier attempt landed; resolve says so
            }
            if (markerRc == KeeperException.Code.NONODE.intValue()
                    || markerRc == KeeperException.Code.BADVERSION.intValue()) {
                marker.forget(); // the marker went with an old session: make a new one
                continue;
            }
            throw ZkAccess.error(reply.rc, path);
        }
    }

    private void createParents() {
        access.createParents(fullPath, batchDeadline, path, batchWhat, outcome());
    }

    private static final class MultiReply {
        final int rc;
        final @Nullable List<OpResult> results;
        final @Nullable Versioned<byte[]> written;

        MultiReply(int rc, @Nullable List<OpResult> results, @Nullable Versioned<byte[]> written) {
            this.rc = rc;
            this.results = results;
            this.written = written;
        }

        int opError(int i) {
            return ZkAccess.opError(results, i);
        }
    }

    private MultiReply multi(ZooKeeper zk, int expectedVersion, byte[] data, int mv) {
        List<Op> ops = new ArrayList<>(3);
        ops.add(
                expectedVersion < 0
                        ? Op.create(fullPath, data, access.acl(), CreateMode.PERSISTENT)
                        : Op.setData(fullPath, data, expectedVersion));
        ops.add(marker.write(mv));
        String ticket = turns.held(zk);
        if (ticket != null) {
            ops.add(Op.delete(ticket, -1)); // the turn ends with the write that lands
        }
        if (access.mayReachPacketLimit(data.length)) {
            RequestSize.checkMulti(coordinator, ops, path); // nothing sent yet: refused as a whole
        }
        view.writeSent();
        if (contention == 0
                && zk.getState() == ZooKeeper.States.CONNECTED
                && batchDeadline.remainingNanos() > syncReplyBoundNanos()) {
            // Uncontended: wait for the reply on this thread, woken straight by the client's I/O
            // thread. The reply is applied here rather than in order on the event thread, which the
            // mzxid rule makes safe: an event or read that overtakes it is newer and wins.
            int rc = 0;
            List<OpResult> results;
            try {
                results = zk.multi(ops);
            } catch (KeeperException e) {
                rc = e.code().intValue();
                results = e.getResults();
            } catch (InterruptedException e) {
                // Interrupted while waiting: the request stays queued on the connection and may
                // still land; the caller hears that the outcome is unknown.
                onMultiReply(zk, KeeperException.Code.CONNECTIONLOSS.intValue(), null, data, false);
                throw Deadline.interrupted(path, batchWhat, Outcome.UNKNOWN);
            }
            return onMultiReply(zk, rc, results, data, false);
        }
        // Contended: the reply is applied on the event thread, in order with the watch events before
        // it. If the write lost, the event of the write it lost to came first, so the reply starts the
        // read of the value that won (writeReplied), which the retry waits for.
        CompletableFuture<MultiReply> reply = new CompletableFuture<>();
        zk.multi(ops, (rc, p, ctx, results) -> reply.complete(onMultiReply(zk, rc, results, data, true)), null);
        return awaitReply(reply);
    }

    /**
     * How long a blocking call on a connected handle can take at most before the client gives up on
     * the connection (its read timeout, two thirds of the negotiated session timeout), with a
     * margin: only with more time than this left is the reply waited for on the caller's thread.
     */
    private long syncReplyBoundNanos() {
        return access.sessionTimeout().toNanos() * 3 / 4;
    }

    /**
     * A multi reply: applies a landed write before anyone hears of it. On the event thread it also
     * hands the changes to the listeners; on a caller's thread {@link WriteQueue#submit} does, once the caller
     * is no longer the combiner.
     */
    private MultiReply onMultiReply(
            ZooKeeper zk, int rc, @Nullable List<OpResult> results, byte[] data, boolean dispatch) {
        Versioned<byte[]> written = null;
        if (rc == 0 && results != null && results.size() >= 2) {
            Stat markerStat = ((OpResult.SetDataResult) results.get(1)).getStat();
            OpResult first = results.get(0);
            long zxid = markerStat.getMzxid();
            if (first instanceof OpResult.SetDataResult setData) {
                Stat s = setData.getStat();
                written = Versioned.of(data, s.getVersion(), s.getCzxid(), s.getMzxid());
            } else {
                written = Versioned.of(data, 0, zxid, zxid);
            }
        }
        boolean reread = view.writeReplied(zk, written, data);
        if (dispatch) {
            listeners.dispatch();
        }
        if (reread) {
            view.read(zk, null);
        }
        return new MultiReply(rc, results, written);
    }

    /**
     * Decides whether a write whose reply was lost landed. Same session: the marker's version says
     * (it moves only with a write of ours, and every write checks it). New session: the marker is
     * gone with the old one; only an unmoved node proves the write did not land.
     */
    private Resolution resolve(
            ZooKeeper zk, int expectedVersion, long expectedCzxid, byte[] data, long session, int mv) {
        if (zk.getSessionId() == session) {
            CompletableFuture<ZkAccess.Reply> node = new CompletableFuture<>();
            FreshRead.barrier(zk, fullPath);
            CompletableFuture<ZkAccess.Reply> markerRead = marker.read(zk);
            view.read(zk, node);
            ZkAccess.Reply m = awaitReply(markerRead);
            ZkAccess.Reply n = awaitReply(node);
            if (ZkAccess.isLoss(m.rc()) || ZkAccess.isLoss(n.rc())) {
                return Resolution.LOSS;
            }
            Stat ms = m.stat();
            if (m.rc() == 0 && ms != null) {
                if (ms.getVersion() == mv + 1) {
                    marker.landed(mv);
                    long zxid = ms.getMzxid();
                    landed = expectedVersion < 0
                            ? Versioned.of(data, 0, zxid, zxid)
                            : Versioned.of(data, expectedVersion + 1, expectedCzxid, zxid);
                    return Resolution.LANDED;
                }
                if (ms.getVersion() == mv) {
                    return unmoved(n, expectedVersion, expectedCzxid) ? Resolution.RETRY_SAME : Resolution.CONFLICT;
                }
            }
            marker.forget();
        }
        ZkAccess.Reply n = view.readFresh(batchDeadline, batchWhat, outcome());
        marker.forget();
        return unmoved(n, expectedVersion, expectedCzxid) ? Resolution.FRESH_SESSION : Resolution.UNKNOWN;
    }

    private static boolean unmoved(ZkAccess.Reply node, int expectedVersion, long expectedCzxid) {
        Stat s = node.stat();
        if (expectedVersion < 0) {
            return node.rc() == KeeperException.Code.NONODE.intValue();
        }
        return node.rc() == 0 && s != null && s.getCzxid() == expectedCzxid && s.getVersion() == expectedVersion;
    }

    /** Counts how a write whose reply was lost turned out; a loss is asked again, not counted. */
    private void countResolved(Resolution r) {
        switch (r) {
            case LANDED -> probe.count(Telemetry.Event.UNKNOWN_LANDED);
            case UNKNOWN -> probe.count(Telemetry.Event.UNKNOWN_UNRESOLVED);
            case LOSS -> {}
            default -> probe.count(Telemetry.Event.UNKNOWN_NOT_LANDED);
        }
    }
}
