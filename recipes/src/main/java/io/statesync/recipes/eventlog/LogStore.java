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
package io.statesync.recipes.eventlog;

import io.statesync.core.Coordinator;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Nodes;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.ChildNames;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.Segments;
import io.statesync.recipes.internal.StoredEvent;
import io.statesync.recipes.internal.WatchSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of one event log: layout, appends, reads and truncation. Shared by {@link
 * DefaultEventLog}, its subscriptions and {@link DefaultEventSourcedState}. Thread-safe.
 *
 * <p>Layout under the log's path {@code P}:
 *
 * <pre>
 * P/meta                      segmentSize, groupSize, earliest retained position
 * P/log/{g}/{s}/{p}           event znode starting at position p, in segment s = p / S, group g = s / G
 * P/snapshots/manifest        the newest snapshot (EventSourcedState)
 * P/snapshots/{p}-{uuid}/{i}  its chunks
 * </pre>
 *
 * An event znode holds one or more consecutive events and never crosses a segment boundary, so
 * segment {@code s} holds exactly the positions {@code [s*S, (s+1)*S)} in at most {@code S}
 * znodes, and its first znode starts at {@code s*S}.
 */
final class LogStore implements EventStorage {
    private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);
    static final int DEFAULT_SEGMENT_SIZE = 1000;
    static final int DEFAULT_GROUP_SIZE = 1000;

    /** The layout and retention point stored in {@code P/meta} (the {@link Segments} meta format). */
    record Meta(int segmentSize, int groupSize, long earliest, int version) implements Segments.Shape {
        byte[] encode() {
            return Segments.encodeMeta(this, "earliest=" + earliest);
        }

        static Meta decode(String path, byte[] data, int version) {
            Segments.Meta m = Segments.decodeMeta(path, "event-log", data);
            return new Meta(m.segmentSize(), m.groupSize(), m.nonNegative("earliest"), version);
        }
    }

    /**
     * What an appender knows of the end of the log: the start of the last znode ({@code -1} if the
     * log has none) and the next free position; {@code metaVersion} is the meta version seen when
     * the log had no znode.
     */
    record Tail(long lastStart, long end, int metaVersion) {}

    /**
     * The result of reading one segment from a position. {@code complete}: the events run to the end
     * of the last znode the listing showed, so a watch armed by that listing covers what comes next
     * in the segment. {@code bad}: the position right after {@code events} (or {@code from} if there
     * are none) cannot be delivered: a znode that is not a record, or a gap.
     */
    record SegmentRead(
            List<StoredEvent> events,
            boolean retry,
            boolean complete,
            @Nullable EventDecodingException bad) {
        SegmentRead(List<StoredEvent> events, boolean retry, boolean complete) {
            this(events, retry, complete, null);
        }
    }

    final Coordinator coordinator;
    final String path;
    final String logDir;
    final String metaPath;
    final String snapshotsDir;
    private final int requestedSegmentSize;
    private final int requestedGroupSize;
    private final Duration appendTimeout;
    private final long writerHigh;
    private final long writerLow;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<@Nullable Tail> tailHint = new AtomicReference<>();
    private final Segments segments;
    private final Segments.Lazy<Meta> layout = new Segments.Lazy<>();

    LogStore(Coordinator coordinator, String path, int segmentSize, int groupSize, Duration appendTimeout) {
        this.coordinator = coordinator;
        this.path = path;
        this.logDir = child(path, "log");
        this.metaPath = child(path, "meta");
        this.snapshotsDir = child(path, "snapshots");
        this.segments = new Segments(logDir);
        this.requestedSegmentSize = segmentSize;
        this.requestedGroupSize = groupSize;
        this.appendTimeout = appendTimeout;
        UUID writer = UUID.randomUUID();
        this.writerHigh = writer.getMostSignificantBits();
        this.writerLow = writer.getLeastSignificantBits();
    }

    private static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    // ---------------------------------------------------------------- layout

    /** The layout, creating the log's znodes on first use; every request bounded by the deadline. */
    Meta layout(Deadline d, String what, Outcome outcome) throws InterruptedException {
        return layout.get(() -> {
            Optional<Meta> existing = readMetaIfPresent(d, what, outcome);
            Meta requested = new Meta(requestedSegmentSize, requestedGroupSize, 0, 0);
            if (existing.isEmpty()) {
                Segments.create(
                        zk(), List.of(Map.entry(logDir, new byte[0])), metaPath, requested.encode(), d, what, outcome);
                existing = readMetaIfPresent(d, what, outcome);
            }
            Meta m = existing.orElseThrow(() -> new StateSyncException(
                    StateSyncException.Reason.NO_NODE, metaPath, "event-log meta vanished", null));
            Segments.warnIfResized(LOG, "event log", path, m, requested);
            return m;
        });
    }

    // ---------------------------------------------------------------- requests, each bounded by a deadline

    private ZkAccess zk() {
        return coordinator.internalAccess();
    }

    /** Reads a znode, repeating the read after a lost connection until the deadline. */
    Optional<Versioned<byte[]>> readNode(String p, Deadline d, String what, Outcome outcome) {
        return zk().read(p, d, what, outcome);
    }

    /**
     * Sends operations as one {@code multi}, once (never repeated here: a lost reply is the caller's
     * to resolve), and waits for the reply until the deadline.
     *
     * @throws StateSyncException typed by the first operation that failed, naming its path;
     *     CONNECTION_LOSS or SESSION_EXPIRED if the reply was lost
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted, with
     *     the outcome unknown
     */
    private void multi(List<Op> ops, Deadline d, String what) {
        new RawOps(coordinator).multi(ops, d, path, what);
    }

    private Optional<Meta> readMetaIfPresent(Deadline d, String what, Outcome outcome) {
        return readNode(metaPath, d, what, outcome).map(v -> Meta.decode(metaPath, v.value(), v.version()));
    }

    /** The current meta, read from ZooKeeper (for the retention point). */
    Meta freshMeta(Deadline d, String what, Outcome outcome) throws InterruptedException {
        layout(d, what, outcome);
        return readMetaIfPresent(d, what, outcome)
                .orElseThrow(() -> new StateSyncException(
                        StateSyncException.Reason.NO_NODE, metaPath, "event-log meta was deleted", null));
    }

    String groupPath(Meta m, long group) {
        return segments.groupPath(group);
    }

    String segmentPath(Meta m, long segment) {
        return segments.segmentPath(m, segment);
    }

    String nodePath(Meta m, long position) {
        return segments.path(m, position);
    }

    // ---------------------------------------------------------------- append

    /** The append timeout: the default deadline of an append without its own. */
    @Override
    public Duration appendTimeout() {
        return appendTimeout;
    }

    /**
     * Appends encoded events atomically (one multi) and returns the position of the first. Every
     * request and every wait runs against the deadline.
     *
     * @param encoded the encoded events, at least one
     * @param d the call's deadline
     */
    @Override
    public long append(List<byte[]> encoded, Deadline d) throws InterruptedException {
        // Size first, before any I/O (the layout is read, or created, on first use): against the
        // segment size known so far, then again if the log turns out to have smaller segments.
        Meta known = layout.known();
        int assumedSegmentSize = known != null ? known.segmentSize() : requestedSegmentSize;
        checkSize(encoded, assumedSegmentSize);
        if (Thread.interrupted()) {
            throw new InterruptedException("append to " + path + " not started: the thread was interrupted");
        }
        String before = "append to " + path;
        Meta m = layout(d, before, Outcome.NOT_APPLIED);
        if (m.segmentSize() < assumedSegmentSize) {
            checkSize(encoded, m.segmentSize());
        }
        long seq = sequence.incrementAndGet();
        Tail tail = tailHint.get();
        if (tail == null) {
            tail = findTail(m, d, before, Outcome.NOT_APPLIED);
        }
        // The position of an attempt whose outcome a connection loss or the deadline left unknown, or -1.
        long inDoubt = -1;
        int losses = 0;
        while (true) {
            long t = tail.end();
            List<long[]> packs = plan(m, t, encoded.size());
            List<Op> ops = ops(m, tail, packs, encoded, seq);
            String sending = describe(t, seq);
            try {
                multi(ops, d, sending);
                landed(packs);
                return t;
            } catch (OperationTimeoutException e) {
                throw e; // the deadline passed, or an interrupt, with the write sent: unknown outcome
            } catch (StateSyncException e) {
                switch (e.reason()) {
                    case NODE_EXISTS -> {
                        // Taken, perhaps by this very append (a retry after a lost reply). List the
                        // segment in the same round trip, so that an appender several znodes behind
                        // jumps to the end at once instead of failing a write per znode it missed.
                        String what = inDoubt >= 0 ? describe(inDoubt, seq) : before;
                        Outcome outcome = inDoubt >= 0 ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
                        CompletableFuture<ZkAccess.Reply> listed =
                                listInBackground(segmentPath(m, t / m.segmentSize()));
                        Optional<LogZnode> at = readRecord(nodePath(m, t), d, what, outcome);
                        if (at.isPresent() && at.get().writtenBy(writerHigh, writerLow, seq)) {
                            LOG.info(
                                    "append {} to {} had landed at position {} before its reply was lost",
                                    seq,
                                    path,
                                    t);
                            landed(packs);
                            return t;
                        }
                        if (at.isPresent() && inDoubt == t) {
                            inDoubt = -1; // another writer's record is where the lost attempt went
                        }
                        what = inDoubt >= 0 ? describe(inDoubt, seq) : before;
                        outcome = inDoubt >= 0 ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
                        tail = at.isPresent()
                                ? skipAhead(m, new Tail(t, t + at.get().extent(), 0), listed, d, what, outcome)
                                : findTail(m, d, what, outcome);
                    }
                    case NO_NODE, VERSION_CONFLICT -> {
                        if (inDoubt >= 0) {
                            Optional<LogZnode> at =
                                    readRecord(nodePath(m, inDoubt), d, describe(inDoubt, seq), Outcome.UNKNOWN);
                            if (at.isPresent() && at.get().writtenBy(writerHigh, writerLow, seq)) {
                                LOG.info(
                                        "append {} to {} had landed at position {} before its reply was lost",
                                        seq,
                                        path,
                                        inDoubt);
                                landed(plan(m, inDoubt, encoded.size()));
                                return inDoubt;
                            }
                            if (at.isPresent()) {
                                inDoubt = -1;
                            }
                        }
                        tail = findTail(
                                m,
                                d,
                                inDoubt >= 0 ? describe(inDoubt, seq) : before,
                                inDoubt >= 0 ? Outcome.UNKNOWN : Outcome.NOT_APPLIED);
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        // Unknown outcome: retry the very same operations, which target position t
                        // only. If the first attempt landed, the retry fails with NODE_EXISTS and the
                        // header tells us it is ours; if another writer took t, ours did not land.
                        inDoubt = t;
                        awaitConnection(d, ++losses, sending);
                        continue;
                    }
                    default -> throw e;
                }
            }
            if (d.passed()) {
                if (inDoubt >= 0) {
                    throw d.expired(path, describe(inDoubt, seq), Outcome.UNKNOWN);
                }
                throw new OperationTimeoutException(
                        path,
                        "append to " + path + " did not complete within " + d.timeout()
                                + ": other appenders took each position it tried first (the last was " + t
                                + "); nothing was written",
                        Outcome.NOT_APPLIED,
                        null);
            }
        }
    }

    /** Names an append attempt so that a caller left in doubt knows what to look for. */
    private String describe(long position, long seq) {
        return "append to " + path + " (if it landed, it is at position " + position + " with writer " + writerId()
                + " sequence " + seq + ")";
    }

    /**
     * The bytes a batch may need in one request: its records' headers (one per segment it may touch,
     * wherever in a segment it starts) and every event with its length prefix.
     */
    static long batchBytes(List<byte[]> encoded, int segmentSize) {
        long n = encoded.size();
        long maxRecords = (n + segmentSize - 2) / segmentSize + 1;
        long size = PackFormat.HEADER_BYTES * maxRecords;
        for (byte[] e : encoded) {
            size += PackFormat.PER_EVENT_BYTES + e.length;
        }
        return size;
    }

    private void checkSize(List<byte[]> encoded, int segmentSize) {
        int limit = coordinator.maxValueBytes();
        long size = batchBytes(encoded, segmentSize);
        if (size > limit) {
            throw new ValueTooLargeException(path, (int) Math.min(Integer.MAX_VALUE, size), limit);
        }
    }

    /** The children of a znode, listed asynchronously: the reply, whatever it is. */
    private CompletableFuture<ZkAccess.Reply> listInBackground(String parent) {
        try {
            ZkAccess zk = zk();
            return ZkAccess.getChildren(zk.handle(), zk.fullPath(parent));
        } catch (StateSyncException e) {
            return CompletableFuture.completedFuture(
                    new ZkAccess.Reply(KeeperException.Code.CONNECTIONLOSS.intValue(), null, null, null, null));
        }
    }

    /**
     * A later tail than {@code known} when the listing shows znodes after it in the same segment:
     * the last of them is read for its size. Only a hint: the next attempt's create checks it.
     */
    private Tail skipAhead(
            Meta m, Tail known, CompletableFuture<ZkAccess.Reply> listed, Deadline d, String what, Outcome outcome) {
        ZkAccess.Reply reply = ZkAccess.await(listed, d, path, what, outcome);
        List<String> names = reply.children();
        if (!reply.ok() || names == null) {
            return known;
        }
        List<Long> starts = ChildNames.numericAscending(names);
        if (starts.isEmpty() || starts.get(starts.size() - 1) < known.end()) {
            return known;
        }
        long last = starts.get(starts.size() - 1);
        Optional<LogZnode> record = readRecord(nodePath(m, last), d, what, outcome);
        return record.isPresent() ? new Tail(last, last + record.get().extent(), 0) : known;
    }

    /**
     * Waits, until the deadline, for the connection a lost reply went with, then backs off by the
     * coordinator's retry policy if this is not the first loss of the call.
     */
    private void awaitConnection(Deadline d, int losses, String what) {
        long left = d.remainingNanos();
        if (left == 0) {
            throw d.expired(path, what, Outcome.UNKNOWN);
        }
        try {
            coordinator.awaitConnected(Duration.ofNanos(left));
        } catch (OperationTimeoutException e) {
            throw d.expired(path, what, Outcome.UNKNOWN);
        } catch (InterruptedException e) {
            throw Deadline.interrupted(path, what, Outcome.UNKNOWN);
        }
        if (losses > 1) {
            zk().backoff(losses - 1, d, path, what, Outcome.UNKNOWN);
        }
    }

    /** Splits n events starting at t into packs [start, count] that do not cross segments. */
    private static List<long[]> plan(Meta m, long t, int n) {
        List<long[]> packs = new ArrayList<>();
        long p = t;
        int left = n;
        while (left > 0) {
            long segEnd = (p / m.segmentSize() + 1) * m.segmentSize();
            int count = (int) Math.min(left, segEnd - p);
            packs.add(new long[] {p, count});
            p += count;
            left -= count;
        }
        return packs;
    }

    private List<Op> ops(Meta m, Tail tail, List<long[]> packs, List<byte[]> encoded, long seq) {
        RawOps c = new RawOps(coordinator);
        List<Op> ops = new ArrayList<>(packs.size() * 3 + 1);
        long t = tail.end();
        try {
            if (tail.lastStart() < 0) {
                // The log had no znode: it must still have none (the meta is unchanged).
                ops.add(c.check(tail.metaVersion(), metaPath));
            } else if (t % m.segmentSize() == 0) {
                // Opening a segment: the previous znode must still exist, so that a writer with an
                // old view can never re-create a truncated segment.
                ops.add(c.check(-1, nodePath(m, tail.lastStart())));
            }
            int index = 0;
            for (long[] pack : packs) {
                long p = pack[0];
                int count = (int) pack[1];
                long segment = p / m.segmentSize();
                if (p % m.segmentSize() == 0) {
                    if (segment % m.groupSize() == 0) {
                        ops.add(c.create(CreateMode.PERSISTENT, groupPath(m, segment / m.groupSize()), new byte[0]));
                    }
                    ops.add(c.create(CreateMode.PERSISTENT, segmentPath(m, segment), new byte[0]));
                }
                byte[] data = PackFormat.encode(writerHigh, writerLow, seq, encoded.subList(index, index + count));
                ops.add(c.create(CreateMode.PERSISTENT, nodePath(m, p), data));
                index += count;
            }
        } catch (Exception e) {
            throw ZkErrors.translate(e, path);
        }
        return ops;
    }

    private void landed(List<long[]> packs) {
        long[] last = packs.get(packs.size() - 1);
        Tail mine = new Tail(last[0], last[0] + last[1], 0);
        tailHint.accumulateAndGet(mine, (old, neu) -> old == null || neu.end() > old.end() ? neu : old);
    }

    /**
     * A znode under a segment as the log sees it: a record ({@code pack} set), or a znode that is not
     * one, which stands for its one position so that readers and appenders step over it alike.
     */
    record LogZnode(
            PackFormat.@Nullable Pack pack, @Nullable String error) {
        int extent() {
            PackFormat.Pack p = pack;
            return p == null ? 1 : p.events().size();
        }

        boolean writtenBy(long high, long low, long seq) {
            PackFormat.Pack p = pack;
            return p != null && p.writtenBy(high, low, seq);
        }

        static LogZnode of(String path, byte[] data) {
            try {
                return new LogZnode(PackFormat.decode(path, data), null);
            } catch (IllegalArgumentException e) {
                return new LogZnode(null, String.valueOf(e.getMessage()));
            }
        }
    }

    private Optional<LogZnode> readRecord(String nodePath, Deadline d, String what, Outcome outcome) {
        return readNode(nodePath, d, what, outcome).map(v -> LogZnode.of(nodePath, v.value()));
    }

    /** Finds the end of the log by listing the last group, segment and znode. */
    Tail findTail(Meta m, Deadline d, String what, Outcome outcome) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Meta fresh = freshMeta(d, what, outcome);
            List<Long> groups = numericChildren(logDir, d, what, outcome);
            Collections.reverse(groups);
            Tail found = null;
            outer:
            for (long g : groups) {
                List<Long> segments = numericChildren(groupPath(m, g), d, what, outcome);
                Collections.reverse(segments);
                for (long s : segments) {
                    List<Long> starts = inSegment(m, s, numericChildren(segmentPath(m, s), d, what, outcome));
                    if (starts.isEmpty()) {
                        continue;
                    }
                    long last = starts.get(starts.size() - 1);
                    Optional<LogZnode> record = readRecord(nodePath(m, last), d, what, outcome);
                    if (record.isPresent()) {
                        found = new Tail(last, last + record.get().extent(), 0);
                    }
                    break outer;
                }
            }
            if (found == null && groups.isEmpty()) {
                found = new Tail(-1, fresh.earliest(), fresh.version());
            }
            if (found != null) {
                Tail result = found;
                tailHint.accumulateAndGet(result, (old, neu) -> old == null || neu.end() >= old.end() ? neu : old);
                return result;
            }
            if (attempt >= 20) {
                throw new StateSyncException(
                        StateSyncException.Reason.OTHER, path, "cannot find the end of event log " + path, null);
            }
        }
    }

    /** The numeric children of a znode, ascending; empty if it does not exist. */
    List<Long> numericChildren(String parent, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(parent);
        ZkAccess.Reply r = zk.call(d, parent, what, outcome, h -> ZkAccess.getChildren(h, full));
        if (r.noNode()) {
            return new ArrayList<>();
        }
        List<String> names = r.children();
        if (!r.ok() || names == null) {
            throw ZkAccess.error(r.rc(), parent);
        }
        return ChildNames.numericAscending(names);
    }

    // ---------------------------------------------------------------- read

    /**
     * Reads the events of one segment from a position: at most {@code max}, all in the segment
     * of {@code from}. With watches, also arms a watch that fires when the segment gains a znode
     * (or, if it does not exist yet, when it is created), counted in the set. Every request goes
     * through the one retry loop and runs against the deadline.
     */
    SegmentRead readSegment(
            Meta m, long from, int max, @Nullable WatchSet watches, Deadline d, String what, Outcome outcome)
            throws InterruptedException {
        long segment = from / m.segmentSize();
        String segPath = segmentPath(m, segment);
        ZkAccess zk = zk();
        String full = zk.fullPath(segPath);
        ZkAccess.Reply r = zk.call(
                d,
                segPath,
                what,
                outcome,
                h -> watches != null && watches.arming(h, full)
                        ? ZkAccess.getChildren(h, full, watches.watcher())
                        : ZkAccess.getChildren(h, full));
        @Nullable List<String> names = r.children();
        if (!r.noNode() && (!r.ok() || names == null)) {
            throw ZkAccess.error(r.rc(), segPath);
        }
        if (r.noNode()) {
            names = null;
        }
        if (names == null) {
            boolean exists = watches != null && existsWatched(segPath, watches, d, what, outcome);
            if (!exists) {
                // No segment here. If a later segment holds records, this one was deleted by another
                // client (appenders create segments in order, and a new one only after the znode
                // before it): a gap up to that record. Checked again after the listing, so that a
                // segment an appender has created meanwhile is read, not taken for a gap.
                long after = firstRecordAfter(m, segment, d, what, outcome);
                if (after >= 0 && !existsNow(segPath, d, what, outcome)) {
                    return new SegmentRead(List.of(), false, false, EventDecodingException.gap(segPath, from, after));
                }
            }
            return new SegmentRead(List.of(), exists, false);
        }
        List<Long> starts = inSegment(m, segment, ChildNames.numericAscending(names));
        int first = -1;
        for (int i = 0; i < starts.size(); i++) {
            if (starts.get(i) <= from) {
                first = i;
            }
        }
        if (first < 0) {
            if (starts.isEmpty()) {
                return new SegmentRead(List.of(), false, false);
            }
            // No znode holds the position, but a later one exists: a gap up to it.
            return new SegmentRead(List.of(), false, false, EventDecodingException.gap(segPath, from, starts.get(0)));
        }
        int last = Math.min(starts.size(), first + max);
        List<String> paths = new ArrayList<>(last - first);
        for (int i = first; i < last; i++) {
            paths.add(segPath + "/" + starts.get(i));
        }
        List<Versioned<byte[]>> data = readAll(paths, d, what, outcome);
        List<StoredEvent> out = new ArrayList<>();
        EventDecodingException bad = null;
        long expected = starts.get(first);
        for (int i = 0; i < data.size() && out.size() < max; i++) {
            long start = starts.get(first + i);
            if (start < expected) {
                continue; // a foreign znode inside the previous record's positions: they are delivered
            }
            long gapFrom = Math.max(expected, from);
            if (start > gapFrom) {
                bad = EventDecodingException.gap(segPath, gapFrom, start);
                break;
            }
            Versioned<byte[]> v = data.get(i);
            LogZnode record = LogZnode.of(paths.get(i), v.value());
            PackFormat.Pack pack = record.pack();
            if (pack == null) {
                if (start >= from) {
                    bad = EventDecodingException.notARecord(
                            paths.get(i), start, v.value().length, String.valueOf(record.error()));
                    break;
                }
                expected = start + 1;
                continue;
            }
            List<byte[]> events = pack.events();
            for (int j = 0; j < events.size() && out.size() < max; j++) {
                long pos = start + j;
                if (pos >= from) {
                    out.add(new StoredEvent(pos, events.get(j), paths.get(i), v.czxid(), v.mzxid()));
                }
            }
            expected = start + events.size();
        }
        boolean complete = bad == null
                && last == starts.size()
                && !out.isEmpty()
                && out.get(out.size() - 1).position() + 1 == expected;
        return new SegmentRead(out, false, complete, bad);
    }

    /** The position of the first record in a segment after the given one, or -1 if there is none. */
    private long firstRecordAfter(Meta m, long segment, Deadline d, String what, Outcome outcome) {
        for (long g : numericChildren(logDir, d, what, outcome)) {
            if (g < segment / m.groupSize()) {
                continue;
            }
            for (long s : numericChildren(groupPath(m, g), d, what, outcome)) {
                if (s <= segment) {
                    continue;
                }
                List<Long> starts = inSegment(m, s, numericChildren(segmentPath(m, s), d, what, outcome));
                if (!starts.isEmpty()) {
                    return starts.get(0);
                }
            }
        }
        return -1;
    }

    private boolean existsNow(String p, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(p);
        ZkAccess.Reply r = zk.call(d, p, what, outcome, h -> ZkAccess.exists(h, full));
        if (r.noNode()) {
            return false;
        }
        if (!r.ok()) {
            throw ZkAccess.error(r.rc(), p);
        }
        return true;
    }

    /** The starts that belong to a segment (a foreign znode named outside its range is not the log's). */
    private static List<Long> inSegment(Meta m, long segment, List<Long> starts) {
        long lo = segment * m.segmentSize();
        long hi = lo + m.segmentSize();
        starts.removeIf(p -> p < lo || p >= hi);
        return starts;
    }

    /** Whether a znode exists, arming an existence watch on it (set whether or not it does). */
    private boolean existsWatched(String p, WatchSet watches, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(p);
        ZkAccess.Reply r = zk.call(
                d,
                p,
                what,
                outcome,
                h -> watches.arming(h, full) ? ZkAccess.exists(h, full, watches.watcher()) : ZkAccess.exists(h, full));
        if (r.noNode()) {
            return false;
        }
        if (!r.ok()) {
            throw ZkAccess.error(r.rc(), p);
        }
        return true;
    }

    /**
     * Reads several znodes with pipelined requests, all sent at once and awaited against the
     * deadline; the reads lost to a connection loss are sent again by the retry policy. A missing
     * znode is a NO_NODE error.
     */
    private List<Versioned<byte[]>> readAll(List<String> paths, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        List<CompletableFuture<ZkAccess.Reply>> sent = new ArrayList<>(paths.size());
        org.apache.zookeeper.ZooKeeper handle = zk.handle();
        for (String p : paths) {
            sent.add(ZkAccess.getData(handle, zk.fullPath(p)));
        }
        List<Versioned<byte[]>> out = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            ZkAccess.Reply r = ZkAccess.await(sent.get(i), d, p, what, outcome);
            if (ZkAccess.isLoss(r.rc())) {
                String full = zk.fullPath(p);
                zk.backoff(1, d, p, what, outcome);
                r = zk.call(d, p, what, outcome, h -> ZkAccess.getData(h, full));
            }
            Stat stat = r.statOrThrow(p);
            byte[] data = r.data();
            out.add(Nodes.versioned(data == null ? new byte[0] : data, stat));
        }
        return out;
    }

    /** Reads up to max events from a position, across segments; every request against the deadline. */
    @Override
    public List<StoredEvent> read(long from, int max, Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        String what = "read of event log " + path + " from position " + from;
        Outcome outcome = Outcome.NOT_APPLIED;
        Meta m = layout(d, what, outcome);
        Meta fresh = freshMeta(d, what, outcome);
        if (from < fresh.earliest()) {
            throw new HistoryTruncatedException(path, from, fresh.earliest());
        }
        List<StoredEvent> out = new ArrayList<>();
        long next = from;
        try {
            while (out.size() < max) {
                SegmentRead r = readSegment(m, next, max - out.size(), null, d, what, outcome);
                out.addAll(r.events());
                EventDecodingException bad = r.bad();
                if (bad != null && out.size() < max) {
                    checkNotTruncated(bad.position(), d, what, outcome);
                    throw bad;
                }
                if (r.events().isEmpty()) {
                    break;
                }
                next = out.get(out.size() - 1).position() + 1;
            }
        } catch (StateSyncException e) {
            if (e.reason() == StateSyncException.Reason.NO_NODE) {
                Meta now = freshMeta(d, what, outcome);
                if (next < now.earliest()) {
                    throw new HistoryTruncatedException(path, next, now.earliest());
                }
            }
            throw e;
        }
        return out;
    }

    /**
     * Throws {@link HistoryTruncatedException} if a position is before the retention point: a gap
     * there is truncation at work (it deletes a segment's znodes lowest first), not a bad znode.
     */
    void checkNotTruncated(long position, Deadline d, String what, Outcome outcome) throws InterruptedException {
        Meta now = freshMeta(d, what, outcome);
        if (position < now.earliest()) {
            throw new HistoryTruncatedException(path, position, now.earliest());
        }
    }

    // ---------------------------------------------------------------- retention

    /**
     * Truncates the log before a position; see {@link EventLog#truncateBefore(long)}. Every request
     * runs against the deadline.
     */
    @Override
    public void truncateBefore(long before, Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("truncation of " + path + " not started: the thread was interrupted");
        }
        String what = "truncation of event log " + path + " before position " + before;
        Meta m = layout(d, what, Outcome.NOT_APPLIED);
        Tail tail;
        int losses = 0;
        Outcome outcome = Outcome.NOT_APPLIED;
        while (true) {
            Meta fresh = freshMeta(d, what, outcome);
            if (before <= fresh.earliest()) {
                return;
            }
            tail = findTail(m, d, what, outcome);
            if (before > tail.end()) {
                throw new IllegalArgumentException(
                        "cannot truncate " + path + " before position " + before + ": the log ends at " + tail.end());
            }
            Meta updated = new Meta(fresh.segmentSize(), fresh.groupSize(), before, fresh.version());
            ZkAccess zk = zk();
            String full = zk.fullPath(metaPath);
            CompletableFuture<ZkAccess.Reply> sent = new CompletableFuture<>();
            zk.handle()
                    .setData(
                            full,
                            updated.encode(),
                            fresh.version(),
                            (rc, p, ctx, stat) -> sent.complete(new ZkAccess.Reply(rc, null, stat, null, null)),
                            null);
            outcome = Outcome.UNKNOWN;
            ZkAccess.Reply r = ZkAccess.await(sent, d, metaPath, what, outcome);
            if (r.ok()) {
                break;
            }
            if (ZkAccess.isLoss(r.rc())) {
                // Safe to repeat: a write that landed makes the next round see the new retention point.
                zk.backoff(++losses, d, metaPath, what, outcome);
            } else if (r.rc() != KeeperException.Code.BADVERSION.intValue()) {
                throw ZkAccess.error(r.rc(), metaPath);
            }
        }
        deleteBelow(m, before, tail, d, what);
    }

    /** Truncates the log before a position, bounded by the coordinator's operation timeout. */
    void truncateBefore(long before) throws InterruptedException {
        truncateBefore(before, zk().defaultDeadline());
    }

    /** Sends a multi of deletes, again after a lost reply (a delete that landed then answers NO_NODE). */
    private void deleteAll(List<Op> ops, Deadline d, String what) {
        int losses = 0;
        while (true) {
            try {
                multi(ops, d, what);
                return;
            } catch (OperationTimeoutException e) {
                throw e;
            } catch (StateSyncException e) {
                if (e.reason() == StateSyncException.Reason.CONNECTION_LOSS
                        || e.reason() == StateSyncException.Reason.SESSION_EXPIRED) {
                    zk().backoff(++losses, d, path, what, Outcome.UNKNOWN);
                    continue;
                }
                if (e.reason() != StateSyncException.Reason.NO_NODE) {
                    throw e;
                }
                return; // another truncation deleted it first
            }
        }
    }

    /**
     * Deletes whole segments below a position, never the segment of the log's last znode (the
     * next appender's check needs it).
     */
    private void deleteBelow(Meta m, long before, Tail tail, Deadline d, String what) {
        Outcome outcome = Outcome.UNKNOWN;
        long lastSegment = tail.lastStart() < 0 ? -1 : tail.lastStart() / m.segmentSize();
        RawOps c = new RawOps(coordinator);
        for (long g : numericChildren(logDir, d, what, outcome)) {
            boolean groupDone = true;
            for (long s : numericChildren(groupPath(m, g), d, what, outcome)) {
                if ((s + 1) * m.segmentSize() > before || s >= lastSegment) {
                    groupDone = false;
                    break;
                }
                String segPath = segmentPath(m, s);
                List<Long> starts = numericChildren(segPath, d, what, outcome);
                List<Op> ops = new ArrayList<>();
                try {
                    for (long p : starts) {
                        ops.add(c.delete(-1, segPath + "/" + p));
                        if (ops.size() >= 500) {
                            deleteAll(ops, d, what);
                            ops = new ArrayList<>();
                        }
                    }
                    ops.add(c.delete(-1, segPath));
                } catch (StateSyncException e) {
                    throw e;
                } catch (Exception e) {
                    throw ZkErrors.translate(e, segPath);
                }
                deleteAll(ops, d, what);
            }
            long groupEndSegment = (g + 1) * m.groupSize();
            if (!groupDone || groupEndSegment > lastSegment || groupEndSegment * m.segmentSize() > before) {
                return;
            }
            ZkAccess zk = zk();
            String full = zk.fullPath(groupPath(m, g));
            ZkAccess.Reply r = zk.call(d, groupPath(m, g), what, outcome, h -> ZkAccess.delete(h, full, -1));
            if (!r.ok() && !r.noNode() && r.rc() != KeeperException.Code.NOTEMPTY.intValue()) {
                throw ZkAccess.error(r.rc(), groupPath(m, g));
            }
        }
    }

    // ---------------------------------------------------------------- EventStorage

    @Override
    public String path() {
        return path;
    }

    @Override
    public Coordinator coordinator() {
        return coordinator;
    }

    @Override
    public String snapshotsPath() {
        return snapshotsDir;
    }

    @Override
    public long endPosition(Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        String what = "read of the end of event log " + path;
        return findTail(layout(d, what, Outcome.NOT_APPLIED), d, what, Outcome.NOT_APPLIED)
                .end();
    }

    @Override
    public long earliestPosition(Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        return freshMeta(d, "read of the retention point of event log " + path, Outcome.NOT_APPLIED)
                .earliest();
    }

    @Override
    public EventStorage.Reader reader(EventStorage.Handler handler, String threadName) {
        return new Follower(this, handler, threadName);
    }

    /** This store's writer id, stored in every znode it appends. */
    UUID writerId() {
        return new UUID(writerHigh, writerLow);
    }

    /** The sequence number of this store's most recent append (0 before the first). */
    long lastSequence() {
        return sequence.get();
    }
}
