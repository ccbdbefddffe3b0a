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
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.GuaranteedDelete;
import io.statesync.recipes.internal.OneShotWatches;
import io.statesync.recipes.internal.RawOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The election's znodes, and every request the election sends: joining the line (a sequential create
 * resolved by its attempt id when its answer is lost), reading the line and the leader's znode with
 * their watches, the handover marker, the claim and release multis, and the guaranteed deletes of
 * znodes left behind. Holds no election state: the election decides, this class talks to ZooKeeper,
 * each call within the deadline it is given. Thread-safe (called from the election's loop, and from
 * the caller's thread for {@link #participantIds}).
 */
final class ElectionNodes {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionNodes.class);
    /**
     * Starts the name of a participant znode, followed by the join attempt's id: the form Curator's
     * protected mode uses, so that a create whose answer was lost can be found by its id.
     */
    private static final String ATTEMPT_PREFIX = "_c_";

    private final ZkAccess access;
    private final String path;
    private final String name;
    private final byte[] data;
    /** The watches the election's reads set, removed on close. */
    private final OneShotWatches watches;
    /** The multis of a claim and a clean release, each sent once. */
    private final RawOps ops;
    /** Deletes the znodes the election could not (the connection was down) on the next connection. */
    private final GuaranteedDelete deleter;

    /**
     * A participant znode this node created, the session that owns it, and its czxid (the epoch it
     * would lead with; 0 if unknown, when the create's answer was lost and the znode was found by its
     * attempt id).
     */
    record Joined(String path, long owner, long epoch) {}

    /** The line's znodes (unordered), and the election znode's data read right after them. */
    @SuppressWarnings("ArrayRecordComponent") // read once by the pass; never compared
    record LineRead(List<String> line, byte[] electionData) {}

    /**
     * This node's own znode as read (watched) just before its claim, and whether the claim landed.
     */
    record ClaimRead(ZkAccess.Reply own, boolean claimed) {}

    ElectionNodes(Coordinator coordinator, String path, String name, byte[] data, Runnable onWatch) {
        this.access = coordinator.internalAccess();
        this.path = path;
        this.name = name;
        this.data = data;
        this.watches = new OneShotWatches(access, onWatch);
        this.ops = new RawOps(coordinator);
        this.deleter = new GuaranteedDelete(coordinator, name);
    }

    /**
     * Creates this participant's znode at the back of the line, within the pass's deadline. The
     * create is sequential, so it is never resent blindly: its name carries an attempt id, and when
     * its answer is lost the line is listed to find it by that id (taken if the session is the same;
     * else deleted, and a new attempt made after the retry policy's backoff). An attempt still
     * unresolved when the deadline passes is found by its id and deleted on the next connection.
     */
    Joined join(Deadline deadline) {
        String what = name + ": joining the line";
        String parentFull = access.fullPath(path);
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            long session = zk.getSessionId();
            String id = UUID.randomUUID().toString();
            String zkPath = parentFull + "/" + ATTEMPT_PREFIX + id + "-" + Participants.PREFIX;
            try {
                ZkAccess.Reply r = ZkAccess.await(
                        access.create(zk, zkPath, data, CreateMode.EPHEMERAL_SEQUENTIAL),
                        deadline,
                        path,
                        what,
                        OperationTimeoutException.Outcome.UNKNOWN);
                if (r.noNode()) {
                    // Nothing was created: make the election's path and send it again.
                    access.createParents(zkPath, deadline, path, what, OperationTimeoutException.Outcome.NOT_APPLIED);
                    continue;
                }
                Stat stat = r.stat();
                String createdName = r.createdPath();
                if (r.ok() && stat != null && createdName != null) {
                    return new Joined(
                            path + "/" + ZKPaths.getNodeFromPath(createdName),
                            stat.getEphemeralOwner(),
                            stat.getCzxid());
                }
                if (!ZkAccess.isLoss(r.rc())) {
                    throw ZkAccess.error(r.rc(), path);
                }
                // The answer was lost: the create may have landed. Look for it by its id.
                String found = findAttempt(id, deadline, what);
                if (found != null && access.handle().getSessionId() == session) {
                    return new Joined(path + "/" + found, session, 0);
                }
                if (found != null) {
                    // Landed in a session this client has since lost: not ours to lead with.
                    CompletableFuture<Void> unused = deleter.deleteById(parentFull, id, session);
                }
            } catch (RuntimeException e) {
                // Past the deadline, interrupted, or the retries used up with the outcome unknown:
                // a znode of this attempt, if it landed, is deleted by its id.
                CompletableFuture<Void> unused = deleter.deleteById(parentFull, id, session);
                throw e;
            }
            access.backoff(++losses, deadline, path, what, OperationTimeoutException.Outcome.UNKNOWN);
        }
    }

    /** The name of the participant znode of a join attempt, or {@code null} if there is none. */
    private @Nullable String findAttempt(String id, Deadline deadline, String what) {
        for (String child : children(deadline, what, OperationTimeoutException.Outcome.UNKNOWN)) {
            if (child.contains(id)) {
                return child;
            }
        }
        return null;
    }

    /**
     * Deletes an election znode (relative to the namespace) on the next connection, in the session
     * the coordinator has then, only while it still belongs to {@code owner}.
     */
    void deleteLater(String znode, long owner) {
        CompletableFuture<Void> unused = deleter.deleteNode(access.fullPath(znode), owner);
    }

    /**
     * Marks the handover marker with this leadership's epoch, guarded by our znode, as one multi sent
     * once: a lost answer ends the pass, and the next one reads the marker again (naming our epoch,
     * it lets this node claim at once).
     *
     * @return {@code false} if our znode (or the election) is gone
     */
    boolean markLeading(String mine, long epoch, Deadline deadline) {
        try {
            ops.multi(
                    List.of(ops.check(-1, mine), ops.setData(-1, path, Participants.leadingMarker(epoch))),
                    deadline,
                    mine,
                    name + ": claiming leadership");
            return true;
        } catch (StateSyncException e) {
            if (e.reason() != StateSyncException.Reason.NO_NODE) {
                throw e;
            }
            return false;
        }
    }

    /**
     * Deletes our znode; if it was the one this node led with ({@code epoch} not 0), marks the
     * handover clean in the same multi, sent once (a lost answer ends the pass; the next one sends it
     * again, and finds the znode gone if it landed). A plain delete of our own sequential znode is
     * safe to repeat.
     */
    void release(String mine, long epoch, Deadline deadline) {
        String what = name + ": releasing " + mine;
        if (epoch != 0) {
            try {
                ops.multi(
                        List.of(ops.setData(-1, path, Participants.releasedMarker(epoch)), ops.delete(-1, mine)),
                        deadline,
                        mine,
                        what);
            } catch (StateSyncException e) {
                if (e.reason() != StateSyncException.Reason.NO_NODE) {
                    throw e;
                }
                markReleased(epoch, deadline);
            }
        } else {
            String full = access.fullPath(mine);
            ZkAccess.Reply r = access.call(
                    deadline,
                    mine,
                    what,
                    OperationTimeoutException.Outcome.UNKNOWN,
                    zk -> ZkAccess.delete(zk, full, -1));
            if (!r.ok() && !r.noNode()) {
                throw ZkAccess.error(r.rc(), mine);
            }
        }
    }

    /**
     * Our znode is already gone (the server expired the session we gave up) but the marker may still
     * name our leadership, whose task has ended: say so, unless another leader has written since
     * (version-checked, so safe to repeat).
     */
    private void markReleased(long epoch, Deadline deadline) {
        String what = name + ": marking epoch 0x" + Long.toHexString(epoch) + " released";
        Optional<Versioned<byte[]>> marker =
                access.read(path, deadline, what, OperationTimeoutException.Outcome.NOT_APPLIED);
        if (marker.isPresent() && Participants.leadingEpoch(marker.get().value()) == epoch) {
            String full = access.fullPath(path);
            byte[] released = Participants.releasedMarker(epoch);
            int version = marker.get().version();
            ZkAccess.Reply r = access.call(
                    deadline,
                    path,
                    what,
                    OperationTimeoutException.Outcome.UNKNOWN,
                    zk -> setData(zk, full, released, version));
            if (!r.ok()) {
                LOG.debug(
                        "{}: marking epoch 0x{} released lost a race: {}",
                        name,
                        Long.toHexString(epoch),
                        KeeperException.Code.get(r.rc()));
            }
        }
    }

    private static CompletableFuture<ZkAccess.Reply> setData(ZooKeeper zk, String full, byte[] data, int version) {
        CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
        zk.setData(
                full,
                data,
                version,
                (rc, p, ctx, stat) -> f.complete(new ZkAccess.Reply(rc, null, stat, null, null)),
                null);
        return f;
    }

    /** The election znode's data (its layout and handover marker); empty if it does not exist. */
    byte[] electionData(Deadline deadline, String what) {
        return access.read(path, deadline, name + ": " + what, OperationTimeoutException.Outcome.NOT_APPLIED)
                .map(Versioned::value)
                .orElse(new byte[0]);
    }

    /** The participant ids, in line order; a participant leaving meanwhile is skipped. */
    List<String> participantIds(Deadline deadline) {
        String what = name + ": reading the participants";
        String full = access.fullPath(path);
        List<String> ids = new ArrayList<>();
        for (String child :
                Participants.inLineOrder(children(deadline, what, OperationTimeoutException.Outcome.NOT_APPLIED))) {
            String childFull = full + "/" + child;
            ZkAccess.Reply r = access.call(
                    deadline,
                    path + "/" + child,
                    what,
                    OperationTimeoutException.Outcome.NOT_APPLIED,
                    zk -> ZkAccess.getData(zk, childFull));
            byte[] childData = r.data();
            if (r.noNode()) {
                continue; // left meanwhile
            }
            if (!r.ok()) {
                throw ZkAccess.error(r.rc(), path + "/" + child);
            }
            ids.add(Participants.id(childData == null ? new byte[0] : childData));
        }
        return ids;
    }

    /**
     * The line's znodes and the election znode's data (the handover marker), the two reads sent back
     * to back on one handle: one round trip. The server answers a session's requests in order, so the
     * marker is read after the line (as a read sent after the line's answer would be). A marker read
     * lost with the connection is read again on its own, by the one retry loop.
     */
    LineRead lineAndMarker(Deadline deadline) {
        String what = name + ": reading the line";
        String full = access.fullPath(path);
        AtomicReference<@Nullable CompletableFuture<ZkAccess.Reply>> marker = new AtomicReference<>();
        ZkAccess.Reply r = access.call(deadline, path, what, OperationTimeoutException.Outcome.NOT_APPLIED, zk -> {
            CompletableFuture<ZkAccess.Reply> children = ZkAccess.getChildren(zk, full);
            marker.set(ZkAccess.getData(zk, full));
            return children;
        });
        List<String> children = r.children();
        if (r.noNode()) {
            return new LineRead(List.of(), new byte[0]);
        }
        if (!r.ok() || children == null) {
            throw ZkAccess.error(r.rc(), path);
        }
        CompletableFuture<ZkAccess.Reply> sent = Objects.requireNonNull(marker.get());
        ZkAccess.Reply m = ZkAccess.await(
                sent,
                deadline,
                path,
                name + ": reading the handover marker",
                OperationTimeoutException.Outcome.NOT_APPLIED);
        if (ZkAccess.isLoss(m.rc())) {
            return new LineRead(children, electionData(deadline, "reading the handover marker"));
        }
        if (m.noNode()) {
            return new LineRead(children, new byte[0]);
        }
        if (!m.ok()) {
            throw ZkAccess.error(m.rc(), path);
        }
        return new LineRead(children, Objects.requireNonNullElse(m.data(), new byte[0]));
    }

    /**
     * Reads our own znode (watching it) and claims leadership with {@code epoch}, the read sent just
     * before the claim's multi on the same handle: one round trip. The read tells the caller whether
     * the znode is still this session's and carries {@code epoch}; the multi's {@code check} of the
     * znode keeps the claim from landing if it is gone. A read lost with the connection is sent again
     * on its own, by the one retry loop.
     *
     * @return the read, and whether the claim landed ({@code false}: our znode, or the election, is gone)
     */
    ClaimRead readAndClaim(String mine, long epoch, Deadline deadline) {
        String full = access.fullPath(mine);
        ZooKeeper zk = access.handle();
        CompletableFuture<ZkAccess.Reply> sent = ZkAccess.getData(zk, full, watches.watcher(zk));
        boolean claimed;
        try {
            claimed = markLeading(mine, epoch, deadline);
        } catch (RuntimeException e) {
            // The pass ends here; a watch the read sets is still counted, so that close removes it.
            CompletableFuture<Void> unused = sent.thenAccept(r -> {
                if (r.ok()) {
                    watches.set(zk, full);
                }
            });
            throw e;
        }
        ZkAccess.Reply own = ZkAccess.await(
                sent, deadline, mine, name + ": reading its own znode", OperationTimeoutException.Outcome.NOT_APPLIED);
        if (ZkAccess.isLoss(own.rc())) {
            return new ClaimRead(watchedData(mine, deadline), claimed);
        }
        if (own.ok()) {
            watches.set(zk, full);
        }
        return new ClaimRead(own, claimed);
    }

    /** The line's znodes (unordered); empty if the election's znode does not exist. */
    List<String> line(Deadline deadline) {
        return children(deadline, name + ": reading the line", OperationTimeoutException.Outcome.NOT_APPLIED);
    }

    private List<String> children(Deadline deadline, String what, OperationTimeoutException.Outcome outcome) {
        String full = access.fullPath(path);
        ZkAccess.Reply r = access.call(deadline, path, what, outcome, zk -> ZkAccess.getChildren(zk, full));
        List<String> children = r.children();
        if (r.noNode()) {
            return List.of();
        }
        if (!r.ok() || children == null) {
            throw ZkAccess.error(r.rc(), path);
        }
        return children;
    }

    /** Reads a znode's data and stat, watching it (the watch is set if it exists). */
    ZkAccess.Reply watchedData(String znode, Deadline deadline) {
        String full = access.fullPath(znode);
        return watchedRead(deadline, znode, full, false, (zk, w) -> ZkAccess.getData(zk, full, w));
    }

    /** Whether a znode exists, watching it (the watch is set either way). */
    boolean exists(String znode, Deadline deadline) {
        String full = access.fullPath(znode);
        ZkAccess.Reply r = watchedRead(deadline, znode, full, true, (zk, w) -> ZkAccess.exists(zk, full, w));
        if (r.noNode()) {
            return false;
        }
        if (!r.ok()) {
            throw ZkAccess.error(r.rc(), znode);
        }
        return true;
    }

    /**
     * A read that sets a watch, through the one retry loop against the pass's deadline; the watch is
     * counted once the reply says it was set ({@code setOnNoNode}: an existence watch, set on a
     * missing znode too).
     */
    private ZkAccess.Reply watchedRead(
            Deadline deadline,
            String relative,
            String full,
            boolean setOnNoNode,
            BiFunction<ZooKeeper, Watcher, CompletableFuture<ZkAccess.Reply>> read) {
        AtomicReference<@Nullable ZooKeeper> sentOn = new AtomicReference<>();
        ZkAccess.Reply r = access.call(
                deadline, relative, name + ": reading the line", OperationTimeoutException.Outcome.NOT_APPLIED, zk -> {
                    sentOn.set(zk);
                    return read.apply(zk, watches.watcher(zk));
                });
        ZooKeeper zk = sentOn.get();
        if (zk != null && (r.ok() || (setOnNoNode && r.noNode()))) {
            watches.set(zk, full);
        }
        return r;
    }

    /** Removes every watch the election's reads set, from the server and from the handle. */
    void removeWatches() {
        watches.removeAll();
    }
}
