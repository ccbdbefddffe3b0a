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

import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Nodes;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.ChildNames;
import io.statesync.recipes.internal.PackFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of one event log: layout, appends, reads and truncation. Shared by {@link
 * EventLogImpl}, its subscriptions and {@link EventSourcedStateImpl}. Thread-safe.
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
final class LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);
    static final int DEFAULT_SEGMENT_SIZE = 1000;
    static final int DEFAULT_GROUP_SIZE = 1000;

    /** The layout and retention point stored in {@code P/meta}. */
    record Meta(int segmentSize, int groupSize, long earliest, int version) {
        byte[] encode() {
            return ("segmentSize=" + segmentSize + "\ngroupSize=" + groupSize + "\nearliest=" + earliest + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        static Meta decode(String path, byte[] data, int version) {
            int seg = -1;
            int group = -1;
            long earliest = -1;
            for (String line : new String(data, StandardCharsets.UTF_8).split("\n", -1)) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = line.substring(0, eq);
                String value = line.substring(eq + 1).trim();
                try {
                    switch (key) {
                        case "segmentSize" -> seg = Integer.parseInt(value);
                        case "groupSize" -> group = Integer.parseInt(value);
                        case "earliest" -> earliest = Long.parseLong(value);
                        default -> {}
                    }
                } catch (NumberFormatException e) {
                    throw new StateSyncException(
                            StateSyncException.Reason.DECODING_FAILED, path, "bad event-log meta " + key, e);
                }
            }
            if (seg < 1 || group < 1 || earliest < 0) {
                throw new StateSyncException(
                        StateSyncException.Reason.DECODING_FAILED,
                        path,
                        "event-log meta at " + path + " is not valid",
                        null);
            }
            return new Meta(seg, group, earliest, version);
        }
    }

    /**
     * What an appender knows of the end of the log: the start of the last znode ({@code -1} if the
     * log has none) and the next free position; {@code metaVersion} is the meta version seen when
     * the log had no znode.
     */
    record Tail(long lastStart, long end, int metaVersion) {}

    /** One undecoded event as read. Never compared; the array is not copied. */
    @SuppressWarnings("ArrayRecordComponent")
    record RawEvent(long position, byte[] data, String nodePath, long czxid, long mzxid) {}

    /**
     * The result of reading one segment from a position. {@code complete}: the events run to the end
     * of the last znode the listing showed, so a watch armed by that listing covers what comes next
     * in the segment. {@code bad}: the position right after {@code events} (or {@code from} if there
     * are none) cannot be delivered: a znode that is not a record, or a gap.
     */
    record SegmentRead(
            List<RawEvent> events,
            boolean retry,
            boolean complete,
            @Nullable EventDecodingException bad) {
        SegmentRead(List<RawEvent> events, boolean retry, boolean complete) {
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
    private final Object initLock = new Object();
    private volatile @Nullable Meta layout;

    LogStore(Coordinator coordinator, String path, int segmentSize, int groupSize, Duration appendTimeout) {
        this.coordinator = coordinator;
        this.path = path;
        this.logDir = child(path, "log");
        this.metaPath = child(path, "meta");
        this.snapshotsDir = child(path, "snapshots");
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

    /** The layout, creating the log's znodes on first use. */
    Meta layout() throws InterruptedException {
        Meta m = layout;
        if (m != null) {
            return m;
        }
        synchronized (initLock) {
            m = layout;
            if (m != null) {
                return m;
            }
            Optional<Meta> existing = readMetaIfPresent();
            if (existing.isEmpty()) {
                createIfAbsent(logDir);
                Meta fresh = new Meta(requestedSegmentSize, requestedGroupSize, 0, 0);
                try {
                    Nodes.create(coordinator, metaPath, fresh.encode(), CreateMode.PERSISTENT);
                } catch (StateSyncException e) {
                    if (e.reason() != StateSyncException.Reason.NODE_EXISTS) {
                        throw e;
                    }
                }
                existing = readMetaIfPresent();
            }
            m = existing.orElseThrow(() -> new StateSyncException(
                    StateSyncException.Reason.NO_NODE, metaPath, "event-log meta vanished", null));
            if (m.segmentSize() != requestedSegmentSize || m.groupSize() != requestedGroupSize) {
                LOG.warn(
                        "event log {} was created with segmentSize={} groupSize={}; using those, not the configured"
                                + " {} and {}",
                        path,
                        m.segmentSize(),
                        m.groupSize(),
                        requestedSegmentSize,
                        requestedGroupSize);
            }
            layout = m;
            return m;
        }
    }

    private void createIfAbsent(String p) throws InterruptedException {
        try {
            Nodes.create(coordinator, p, new byte[0], CreateMode.PERSISTENT);
        } catch (StateSyncException e) {
            if (e.reason() != StateSyncException.Reason.NODE_EXISTS) {
                throw e;
            }
        }
    }

    private Optional<Meta> readMetaIfPresent() throws InterruptedException {
        return Nodes.read(coordinator, metaPath).map(v -> Meta.decode(metaPath, v.value(), v.version()));
    }

    /** The current meta, read from ZooKeeper (for the retention point). */
    Meta freshMeta() throws InterruptedException {
        layout();
        return readMetaIfPresent()
                .orElseThrow(() -> new StateSyncException(
                        StateSyncException.Reason.NO_NODE, metaPath, "event-log meta was deleted", null));
    }

    String groupPath(Meta m, long group) {
        return logDir + "/" + group;
    }

    String segmentPath(Meta m, long segment) {
        return logDir + "/" + (segment / m.groupSize()) + "/" + segment;
    }

    String nodePath(Meta m, long position) {
        return segmentPath(m, position / m.segmentSize()) + "/" + position;
    }

    // ---------------------------------------------------------------- append

    /**
     * Appends encoded events atomically (one multi) and returns the position of the first.
     *
     * @param encoded the encoded events, at least one
     */
    long append(List<byte[]> encoded) throws InterruptedException {
        // Size first, before any I/O (the layout is read, or created, on first use): against the
        // segment size known so far, then again if the log turns out to have smaller segments.
        Meta known = layout;
        int assumedSegmentSize = known != null ? known.segmentSize() : requestedSegmentSize;
        checkSize(encoded, assumedSegmentSize);
        Meta m = layout();
        if (m.segmentSize() < assumedSegmentSize) {
            checkSize(encoded, m.segmentSize());
        }
        long seq = sequence.incrementAndGet();
        long deadline = System.nanoTime() + appendTimeout.toNanos();
        Tail tail = tailHint.get();
        if (tail == null) {
            tail = findTail(m);
        }
        // The position of an attempt whose outcome a connection loss left unknown, or -1.
        long inDoubt = -1;
        while (true) {
            long t = tail.end();
            List<long[]> packs = plan(m, t, encoded.size());
            List<CuratorOp> ops = ops(m, tail, packs, encoded, seq);
            try {
                Nodes.transaction(coordinator, ops);
                landed(packs);
                return t;
            } catch (StateSyncException e) {
                switch (e.reason()) {
                    case NODE_EXISTS -> {
                        // Taken, perhaps by this very append (a retry after a lost reply). List the
                        // segment in the same round trip, so that an appender several znodes behind
                        // jumps to the end at once instead of failing a write per znode it missed.
                        CompletableFuture<List<Long>> listed = listInBackground(segmentPath(m, t / m.segmentSize()));
                        Optional<LogZnode> at = readRecord(nodePath(m, t));
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
                        tail = at.isPresent()
                                ? skipAhead(m, new Tail(t, t + at.get().extent(), 0), listed)
                                : findTail(m);
                    }
                    case NO_NODE, VERSION_CONFLICT -> {
                        if (inDoubt >= 0) {
                            Optional<LogZnode> at = readRecord(nodePath(m, inDoubt));
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
                        tail = findTail(m);
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        // Unknown outcome: retry the very same operations, which target position t
                        // only. If the first attempt landed, the retry fails with NODE_EXISTS and the
                        // header tells us it is ours; if another writer took t, ours did not land.
                        // No timeout check before that retry: it is what makes the outcome known.
                        inDoubt = t;
                        awaitConnection(deadline, t, seq, e);
                        continue;
                    }
                    default -> throw e;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                if (inDoubt >= 0) {
                    throw new ConnectionLossException(
                            path,
                            "append to " + path + " has an unknown outcome after " + appendTimeout + ": if it landed,"
                                    + " it is at position " + inDoubt + " with writer " + writerId() + " sequence "
                                    + seq,
                            null);
                }
                throw new OperationTimeoutException(
                        path,
                        "append to " + path + " did not complete within appendTimeout " + appendTimeout
                                + ": other appenders took each position it tried first (the last was " + t
                                + "); nothing was written",
                        null);
            }
        }
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

    /** The numeric children of a znode, listed asynchronously (empty if it does not exist). */
    private CompletableFuture<List<Long>> listInBackground(String parent) {
        CompletableFuture<List<Long>> out = new CompletableFuture<>();
        try {
            coordinator
                    .curatorFramework()
                    .getChildren()
                    .inBackground((client, event) -> {
                        List<String> names = event.getChildren();
                        if (event.getResultCode() == KeeperException.Code.OK.intValue() && names != null) {
                            out.complete(ChildNames.numericAscending(names));
                        } else {
                            out.complete(List.of());
                        }
                    })
                    .forPath(parent);
        } catch (Exception e) {
            out.complete(List.of());
        }
        return out;
    }

    /**
     * A later tail than {@code known} when the listing shows znodes after it in the same segment:
     * the last of them is read for its size. Only a hint: the next attempt's create checks it.
     */
    private Tail skipAhead(Meta m, Tail known, CompletableFuture<List<Long>> listed) throws InterruptedException {
        List<Long> starts;
        try {
            starts = listed.get(coordinator.sessionTimeout().toMillis() * 3 + 10_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return known;
        }
        if (starts.isEmpty() || starts.get(starts.size() - 1) < known.end()) {
            return known;
        }
        long last = starts.get(starts.size() - 1);
        Optional<LogZnode> record = readRecord(nodePath(m, last));
        return record.isPresent() ? new Tail(last, last + record.get().extent(), 0) : known;
    }

    private void awaitConnection(long deadline, long position, long seq, StateSyncException cause)
            throws InterruptedException {
        long remaining = deadline - System.nanoTime();
        try {
            if (remaining <= 0) {
                throw new OperationTimeoutException(path, "deadline passed", cause);
            }
            coordinator.awaitConnected(Duration.ofNanos(remaining));
        } catch (OperationTimeoutException timeout) {
            throw new ConnectionLossException(
                    path,
                    "append to " + path + " has an unknown outcome after " + appendTimeout + ": if it landed, it is"
                            + " at position " + position + " with writer " + new UUID(writerHigh, writerLow)
                            + " sequence " + seq,
                    cause);
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

    private List<CuratorOp> ops(Meta m, Tail tail, List<long[]> packs, List<byte[]> encoded, long seq) {
        CuratorFramework c = coordinator.curatorFramework();
        List<CuratorOp> ops = new ArrayList<>(packs.size() * 3 + 1);
        long t = tail.end();
        try {
            if (tail.lastStart() < 0) {
                // The log had no znode: it must still have none (the meta is unchanged).
                ops.add(c.transactionOp()
                        .check()
                        .withVersion(tail.metaVersion())
                        .forPath(metaPath));
            } else if (t % m.segmentSize() == 0) {
                // Opening a segment: the previous znode must still exist, so that a writer with an
                // old view can never re-create a truncated segment.
                ops.add(c.transactionOp().check().forPath(nodePath(m, tail.lastStart())));
            }
            int index = 0;
            for (long[] pack : packs) {
                long p = pack[0];
                int count = (int) pack[1];
                long segment = p / m.segmentSize();
                if (p % m.segmentSize() == 0) {
                    if (segment % m.groupSize() == 0) {
                        ops.add(c.transactionOp()
                                .create()
                                .withMode(CreateMode.PERSISTENT)
                                .forPath(groupPath(m, segment / m.groupSize()), new byte[0]));
                    }
                    ops.add(c.transactionOp()
                            .create()
                            .withMode(CreateMode.PERSISTENT)
                            .forPath(segmentPath(m, segment), new byte[0]));
                }
                byte[] data = PackFormat.encode(writerHigh, writerLow, seq, encoded.subList(index, index + count));
                ops.add(c.transactionOp()
                        .create()
                        .withMode(CreateMode.PERSISTENT)
                        .forPath(nodePath(m, p), data));
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

        static LogZnode of(byte[] data) {
            try {
                return new LogZnode(PackFormat.decode(data), null);
            } catch (IllegalArgumentException e) {
                return new LogZnode(null, String.valueOf(e.getMessage()));
            }
        }
    }

    private Optional<LogZnode> readRecord(String nodePath) throws InterruptedException {
        return Nodes.read(coordinator, nodePath).map(v -> LogZnode.of(v.value()));
    }

    /** Finds the end of the log by listing the last group, segment and znode. */
    Tail findTail(Meta m) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Meta fresh = freshMeta();
            List<Long> groups = numericChildren(logDir);
            Collections.reverse(groups);
            Tail found = null;
            outer:
            for (long g : groups) {
                List<Long> segments = numericChildren(groupPath(m, g));
                Collections.reverse(segments);
                for (long s : segments) {
                    List<Long> starts = inSegment(m, s, numericChildren(segmentPath(m, s)));
                    if (starts.isEmpty()) {
                        continue;
                    }
                    long last = starts.get(starts.size() - 1);
                    Optional<LogZnode> record = readRecord(nodePath(m, last));
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
    List<Long> numericChildren(String parent) throws InterruptedException {
        List<String> names;
        try {
            names = coordinator.curatorFramework().getChildren().forPath(parent);
        } catch (KeeperException.NoNodeException e) {
            return new ArrayList<>();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, parent);
        }
        return ChildNames.numericAscending(names);
    }

    // ---------------------------------------------------------------- read

    /**
     * Reads the events of one segment from a position: at most {@code max}, all in the segment
     * of {@code from}. With a watcher, also arms a watch that fires when the segment gains a znode
     * (or, if it does not exist yet, when it is created).
     */
    SegmentRead readSegment(Meta m, long from, int max, @Nullable CuratorWatcher watcher, CuratorFramework client)
            throws InterruptedException {
        long segment = from / m.segmentSize();
        String segPath = segmentPath(m, segment);
        List<String> names;
        try {
            names = watcher == null
                    ? client.getChildren().forPath(segPath)
                    : client.getChildren().usingWatcher(watcher).forPath(segPath);
        } catch (KeeperException.NoNodeException e) {
            boolean exists = watcher != null && existsWatched(client, segPath, watcher) != null;
            if (!exists) {
                // No segment here. If a later segment holds records, this one was deleted by another
                // client (appenders create segments in order, and a new one only after the znode
                // before it): a gap up to that record. Checked again after the listing, so that a
                // segment an appender has created meanwhile is read, not taken for a gap.
                long after = firstRecordAfter(m, segment);
                if (after >= 0 && !existsNow(segPath)) {
                    return new SegmentRead(List.of(), false, false, EventDecodingException.gap(segPath, from, after));
                }
            }
            return new SegmentRead(List.of(), exists, false);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, segPath);
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
        List<Versioned<byte[]>> data = readAll(paths);
        List<RawEvent> out = new ArrayList<>();
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
            LogZnode record = LogZnode.of(v.value());
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
                    out.add(new RawEvent(pos, events.get(j), paths.get(i), v.czxid(), v.mzxid()));
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
    private long firstRecordAfter(Meta m, long segment) throws InterruptedException {
        for (long g : numericChildren(logDir)) {
            if (g < segment / m.groupSize()) {
                continue;
            }
            for (long s : numericChildren(groupPath(m, g))) {
                if (s <= segment) {
                    continue;
                }
                List<Long> starts = inSegment(m, s, numericChildren(segmentPath(m, s)));
                if (!starts.isEmpty()) {
                    return starts.get(0);
                }
            }
        }
        return -1;
    }

    private boolean existsNow(String p) throws InterruptedException {
        try {
            return coordinator.curatorFramework().checkExists().forPath(p) != null;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, p);
        }
    }

    /** The starts that belong to a segment (a foreign znode named outside its range is not the log's). */
    private static List<Long> inSegment(Meta m, long segment, List<Long> starts) {
        long lo = segment * m.segmentSize();
        long hi = lo + m.segmentSize();
        starts.removeIf(p -> p < lo || p >= hi);
        return starts;
    }

    private static @Nullable Stat existsWatched(CuratorFramework client, String p, CuratorWatcher watcher)
            throws InterruptedException {
        try {
            return client.checkExists().usingWatcher(watcher).forPath(p);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, p);
        }
    }

    /** Reads several znodes with pipelined requests. A missing znode is a NO_NODE error. */
    private List<Versioned<byte[]>> readAll(List<String> paths) throws InterruptedException {
        int n = paths.size();
        AtomicReferenceArray<Versioned<byte[]>> results = new AtomicReferenceArray<>(n);
        AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(n);
        CuratorFramework c = coordinator.curatorFramework();
        for (int i = 0; i < n; i++) {
            int index = i;
            String p = paths.get(i);
            try {
                c.getData()
                        .inBackground((client, event) -> {
                            if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                                byte[] d = event.getData();
                                results.set(index, Nodes.versioned(d == null ? new byte[0] : d, event.getStat()));
                            } else {
                                error.compareAndSet(
                                        null,
                                        KeeperException.create(KeeperException.Code.get(event.getResultCode()), p));
                            }
                            done.countDown();
                        })
                        .forPath(p);
            } catch (Exception e) {
                error.compareAndSet(null, e);
                done.countDown();
            }
        }
        long waitMs = coordinator.sessionTimeout().toMillis() * 3 + 10_000;
        if (!done.await(waitMs, TimeUnit.MILLISECONDS)) {
            throw new ConnectionLossException(path, "reading event log " + path + " timed out", null);
        }
        Throwable e = error.get();
        if (e != null) {
            throw ZkErrors.translate(e, null);
        }
        List<Versioned<byte[]>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(results.get(i));
        }
        return out;
    }

    /** Reads up to max events from a position, across segments. */
    List<RawEvent> read(long from, int max) throws InterruptedException {
        Meta m = layout();
        Meta fresh = freshMeta();
        if (from < fresh.earliest()) {
            throw new HistoryTruncatedException(path, from, fresh.earliest());
        }
        List<RawEvent> out = new ArrayList<>();
        long next = from;
        try {
            while (out.size() < max) {
                SegmentRead r = readSegment(m, next, max - out.size(), null, coordinator.curatorFramework());
                out.addAll(r.events());
                EventDecodingException bad = r.bad();
                if (bad != null && out.size() < max) {
                    checkNotTruncated(bad.position());
                    throw bad;
                }
                if (r.events().isEmpty()) {
                    break;
                }
                next = out.get(out.size() - 1).position() + 1;
            }
        } catch (StateSyncException e) {
            if (e.reason() == StateSyncException.Reason.NO_NODE) {
                Meta now = freshMeta();
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
    void checkNotTruncated(long position) throws InterruptedException {
        Meta now = freshMeta();
        if (position < now.earliest()) {
            throw new HistoryTruncatedException(path, position, now.earliest());
        }
    }

    // ---------------------------------------------------------------- retention

    /** Truncates the log before a position; see {@link EventLog#truncateBefore(long)}. */
    void truncateBefore(long before) throws InterruptedException {
        Meta m = layout();
        Tail tail;
        while (true) {
            Meta fresh = freshMeta();
            if (before <= fresh.earliest()) {
                return;
            }
            tail = findTail(m);
            if (before > tail.end()) {
                throw new IllegalArgumentException(
                        "cannot truncate " + path + " before position " + before + ": the log ends at " + tail.end());
            }
            Meta updated = new Meta(fresh.segmentSize(), fresh.groupSize(), before, fresh.version());
            try {
                Nodes.write(coordinator, metaPath, updated.encode(), fresh.version());
                break;
            } catch (StateSyncException e) {
                if (e.reason() != StateSyncException.Reason.VERSION_CONFLICT) {
                    throw e;
                }
            }
        }
        deleteBelow(m, before, tail);
    }

    /**
     * Deletes whole segments below a position, never the segment of the log's last znode (the
     * next appender's check needs it).
     */
    private void deleteBelow(Meta m, long before, Tail tail) throws InterruptedException {
        long lastSegment = tail.lastStart() < 0 ? -1 : tail.lastStart() / m.segmentSize();
        CuratorFramework c = coordinator.curatorFramework();
        for (long g : numericChildren(logDir)) {
            boolean groupDone = true;
            for (long s : numericChildren(groupPath(m, g))) {
                if ((s + 1) * m.segmentSize() > before || s >= lastSegment) {
                    groupDone = false;
                    break;
                }
                String segPath = segmentPath(m, s);
                List<Long> starts = numericChildren(segPath);
                List<CuratorOp> ops = new ArrayList<>();
                try {
                    for (long p : starts) {
                        ops.add(c.transactionOp().delete().forPath(segPath + "/" + p));
                        if (ops.size() >= 500) {
                            Nodes.transaction(coordinator, ops);
                            ops = new ArrayList<>();
                        }
                    }
                    ops.add(c.transactionOp().delete().forPath(segPath));
                } catch (Exception e) {
                    throw ZkErrors.translate(e, segPath);
                }
                try {
                    Nodes.transaction(coordinator, ops);
                } catch (StateSyncException e) {
                    if (e.reason() != StateSyncException.Reason.NO_NODE) {
                        throw e;
                    }
                    // another truncation deleted it first
                }
            }
            long groupEndSegment = (g + 1) * m.groupSize();
            if (!groupDone || groupEndSegment > lastSegment || groupEndSegment * m.segmentSize() > before) {
                return;
            }
            try {
                Nodes.delete(coordinator, groupPath(m, g), -1);
            } catch (StateSyncException e) {
                if (e.reason() != StateSyncException.Reason.NOT_EMPTY) {
                    throw e;
                }
            }
        }
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
