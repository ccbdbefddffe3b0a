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
package io.statesync.recipes.queue;

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.ChildNames;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.Segments;
import io.statesync.recipes.internal.WatchSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The znode layout of one work queue and its small read helpers. Thread-safe.
 *
 * <pre>
 * P/meta                 segmentSize, groupSize (fixed when the queue is first used)
 * P/tail                 the next position to assign (decimal); offers compare-and-set it
 * P/removed              touched once per item removed (ack or dead letter): its version counts them
 * P/writers/{uuid}       ephemeral, one per live producer: the sequence of its last offer
 * P/items/{g}/{s}/{p}    the item at position p, in segment s = p / S, group g = s / G;
 *                        its data version is its delivery count
 * P/claims/{g}/{s}/{p}   ephemeral claim of item p by a consumer's session ({g}, {s} are containers)
 * P/deadtail             the next dead-letter id (decimal)
 * P/dead/{g}/{s}/{d}     dead letter d: the item's data, its position, the cause and deliveries
 * </pre>
 */
final class QueueStore {
    private static final Logger LOG = LoggerFactory.getLogger(QueueStore.class);

    /** The segment layout stored in {@code P/meta} (the {@link Segments} meta format). */
    record Layout(int segmentSize, int groupSize) implements Segments.Shape {
        byte[] encode() {
            return Segments.encodeMeta(this);
        }

        static Layout decode(String path, byte[] data) {
            Segments.Meta m = Segments.decodeMeta(path, "work-queue", data);
            return new Layout(m.segmentSize(), m.groupSize());
        }
    }

    /** A counter znode as read: its decimal value and its stat. */
    record Counter(long value, int version, long czxid, long mzxid) {}

    final Coordinator coordinator;
    final String path;
    final String metaPath;
    final String tailPath;
    final String removedPath;
    final String writersDir;
    final String itemsDir;
    final String claimsDir;
    final String deadTailPath;
    final String deadDir;
    private final int requestedSegmentSize;
    private final int requestedGroupSize;
    private final Segments items;
    private final Segments claims;
    private final Segments dead;
    private final Segments.Lazy<Layout> layout = new Segments.Lazy<>();

    QueueStore(Coordinator coordinator, String path, int segmentSize, int groupSize) {
        this.coordinator = coordinator;
        this.path = path;
        this.metaPath = path + "/meta";
        this.tailPath = path + "/tail";
        this.removedPath = path + "/removed";
        this.writersDir = path + "/writers";
        this.itemsDir = path + "/items";
        this.claimsDir = path + "/claims";
        this.deadTailPath = path + "/deadtail";
        this.deadDir = path + "/dead";
        this.requestedSegmentSize = segmentSize;
        this.requestedGroupSize = groupSize;
        this.items = new Segments(itemsDir);
        this.claims = new Segments(claimsDir);
        this.dead = new Segments(deadDir);
    }

    /** The layout, creating the queue's znodes on first use; every request bounded by the deadline. */
    Layout layout(Deadline d, String what, Outcome outcome) {
        return layout.get(() -> {
            Layout requested = new Layout(requestedSegmentSize, requestedGroupSize);
            Optional<Versioned<byte[]>> meta = read(metaPath, d, what, outcome);
            if (meta.isEmpty()) {
                byte[] empty = new byte[0];
                byte[] zero = "0".getBytes(StandardCharsets.US_ASCII);
                Segments.create(
                        zk(),
                        List.of(
                                Map.entry(path, empty),
                                Map.entry(writersDir, empty),
                                Map.entry(itemsDir, empty),
                                Map.entry(claimsDir, empty),
                                Map.entry(deadDir, empty),
                                Map.entry(tailPath, zero),
                                Map.entry(deadTailPath, zero),
                                Map.entry(removedPath, empty)),
                        metaPath,
                        requested.encode(),
                        d,
                        what,
                        outcome);
                meta = read(metaPath, d, what, outcome);
            }
            Layout m = Layout.decode(
                    metaPath,
                    meta.orElseThrow(() -> new StateSyncException(
                                    StateSyncException.Reason.NO_NODE, metaPath, "work-queue meta vanished", null))
                            .value());
            Segments.warnIfResized(LOG, "work queue", path, m, requested);
            return m;
        });
    }

    // ---------------------------------------------------------------- requests, each bounded by a deadline

    private ZkAccess zk() {
        return coordinator.internalAccess();
    }

    /** Creates a znode (and its missing ancestors) unless it exists; repeated after a lost reply. */
    void createIfAbsent(String p, byte[] data, CreateMode mode, Deadline d, String what, Outcome outcome) {
        zk().createIfAbsent(p, data, mode, d, what, outcome);
    }

    /** Reads a znode's data and stat (empty if it does not exist), repeated after a lost reply. */
    Optional<Versioned<byte[]>> read(String p, Deadline d, String what, Outcome outcome) {
        return zk().read(p, d, what, outcome);
    }

    /** Reads a decimal counter znode, repeated after a lost reply. */
    Counter readCounter(String p, Deadline d, String what, Outcome outcome) {
        Versioned<byte[]> v =
                read(p, d, what, outcome).orElseThrow(() -> ZkAccess.error(KeeperException.Code.NONODE.intValue(), p));
        return counter(p, v.value(), v.version(), v.czxid(), v.mzxid());
    }

    /**
     * Reads a decimal counter znode and arms a data watch on it, counted in the set; repeated after
     * a lost reply until the deadline.
     */
    Counter readCounterWatched(String p, WatchSet watches, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(p);
        ZkAccess.Reply r = zk.call(
                d,
                p,
                what,
                outcome,
                h -> watches.arming(h, full)
                        ? ZkAccess.getData(h, full, watches.watcher())
                        : ZkAccess.getData(h, full));
        Stat stat = r.statOrThrow(p);
        return counter(p, r.data(), stat.getVersion(), stat.getCzxid(), stat.getMzxid());
    }

    /** Deletes a znode if its version matches, repeated after a lost reply. */
    ZkAccess.Reply delete(String p, int version, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(p);
        return zk.call(d, p, what, outcome, h -> ZkAccess.delete(h, full, version));
    }

    /**
     * Sends operations as one {@code multi}, once (a lost reply is the caller's to resolve), and
     * waits for the reply until the deadline.
     *
     * @throws StateSyncException typed by the first operation that failed, naming its path;
     *     CONNECTION_LOSS or SESSION_EXPIRED if the reply was lost
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted, with
     *     the outcome unknown
     */
    void multi(List<Op> ops, Deadline d, String what) {
        new RawOps(coordinator).multi(ops, d, path, what);
    }

    /**
     * Waits for the connection until the deadline; past it, throws {@code onTimeout} (with the
     * deadline's error suppressed in it). An interrupt ends the wait with the outcome given.
     */
    void awaitConnection(Deadline d, StateSyncException onTimeout, String what, Outcome outcome) {
        long remaining = d.remainingNanos();
        if (remaining <= 0) {
            throw onTimeout;
        }
        try {
            coordinator.awaitConnected(Duration.ofNanos(remaining));
        } catch (OperationTimeoutException e) {
            onTimeout.addSuppressed(e);
            throw onTimeout;
        } catch (InterruptedException e) {
            throw Deadline.interrupted(path, what, outcome);
        }
    }

    // ---------------------------------------------------------------- paths

    /** The item directory's layout. */
    Segments items() {
        return items;
    }

    /** The dead-letter directory's layout. */
    Segments dead() {
        return dead;
    }

    String itemGroupPath(long group) {
        return items.groupPath(group);
    }

    String itemSegmentPath(Layout m, long segment) {
        return items.segmentPath(m, segment);
    }

    String itemPath(Layout m, long position) {
        return items.path(m, position);
    }

    String claimSegmentPath(Layout m, long segment) {
        return claims.segmentPath(m, segment);
    }

    String claimPath(Layout m, long position) {
        return claims.path(m, position);
    }

    String deadGroupPath(long group) {
        return dead.groupPath(group);
    }

    String deadSegmentPath(Layout m, long segment) {
        return dead.segmentPath(m, segment);
    }

    String deadPath(Layout m, long id) {
        return dead.path(m, id);
    }

    // ---------------------------------------------------------------- reads

    private static Counter counter(String p, byte @Nullable [] data, int version, long czxid, long mzxid) {
        long value = 0;
        if (data != null && data.length > 0) {
            try {
                value = Long.parseLong(new String(data, StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                throw new StateSyncException(
                        StateSyncException.Reason.DECODING_FAILED,
                        p,
                        "work-queue counter " + p + " is not a number",
                        e);
            }
        }
        return new Counter(value, version, czxid, mzxid);
    }

    /**
     * The depth from the tail and the removal counter: positions assigned minus items removed. The
     * removal count is the counter's version, which ZooKeeper keeps as a 32-bit int, so the
     * difference is taken modulo 2^32 (exact while fewer than 2^32 items are queued at once).
     */
    static long depth(Counter tail, Counter removed) {
        long removedMod = Integer.toUnsignedLong(removed.version());
        return (tail.value() - removedMod) & 0xFFFF_FFFFL;
    }

    /**
     * The numeric children of a znode, ascending; {@code null} if it does not exist. With watches,
     * arms a child watch (or, if the znode is missing, an existence watch), counted in the set. Each
     * request is repeated after a lost reply until the deadline.
     */
    @Nullable
    List<Long> children(String parent, @Nullable WatchSet watches, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(parent);
        ZkAccess.Reply r = zk.call(
                d,
                parent,
                what,
                outcome,
                h -> watches != null && watches.arming(h, full)
                        ? ZkAccess.getChildren(h, full, watches.watcher())
                        : ZkAccess.getChildren(h, full));
        if (r.noNode()) {
            if (watches != null) {
                // The watch is a wake-up hint only: its own failure is not the caller's.
                ZkAccess.Reply e = zk.call(
                        d,
                        parent,
                        what,
                        outcome,
                        h -> watches.arming(h, full)
                                ? ZkAccess.exists(h, full, watches.watcher())
                                : ZkAccess.exists(h, full));
                LOG.trace("work queue {}: existence watch on {}: rc {}", path, parent, e.rc());
            }
            return null;
        }
        List<String> names = r.children();
        if (!r.ok() || names == null) {
            throw ZkAccess.error(r.rc(), parent);
        }
        return ChildNames.numericAscending(names);
    }

    /**
     * Deletes an empty directory znode if it exists, repeated after a lost reply (safe: a second
     * delete finds it gone); a concurrent deleter or a new child is fine.
     */
    void deleteQuietly(String p, Deadline d, String what) {
        ZkAccess.Reply r = delete(p, -1, d, what, Outcome.UNKNOWN);
        if (!r.ok() && !r.noNode() && r.rc() != KeeperException.Code.NOTEMPTY.intValue()) {
            throw ZkAccess.error(r.rc(), p);
        }
    }
}
