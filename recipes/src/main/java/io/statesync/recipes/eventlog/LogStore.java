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
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Nodes;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.ChildNames;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.Segments;
import io.statesync.recipes.internal.StoredEvent;
import io.statesync.recipes.internal.WatchSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of one event log: its layout and its reads, with its appends in {@link LogAppender}
 * and its truncation in {@link LogRetention}. Shared by {@link DefaultEventLog}, its subscriptions
 * and {@link DefaultEventSourcedState}. Thread-safe.
 *
 * <p>Layout under the log's path {@code P} (the positions laid out by {@link Segments}):
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
    /** The positions under {@code P/log}. */
    final Segments segments;

    private final int requestedSegmentSize;
    private final int requestedGroupSize;
    private final Duration appendTimeout;
    private final Segments.Lazy<Meta> layout = new Segments.Lazy<>();
    private final LogAppender appender;
    private final LogRetention retention;

    LogStore(Coordinator coordinator, String path, int segmentSize, int groupSize, Duration appendTimeout) {
        this.coordinator = coordinator;
        this.path = path;
        this.logDir = ZPaths.join(path, "log");
        this.metaPath = ZPaths.join(path, "meta");
        this.snapshotsDir = ZPaths.join(path, "snapshots");
        this.segments = new Segments(logDir);
        this.requestedSegmentSize = segmentSize;
        this.requestedGroupSize = groupSize;
        this.appendTimeout = appendTimeout;
        this.appender = new LogAppender(this);
        this.retention = new LogRetention(this, appender);
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

    ZkAccess zk() {
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
    void multi(List<Op> ops, Deadline d, String what) {
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

    /**
     * The segment size an append checks its size against before any request: the log's once known,
     * the configured one before.
     */
    int assumedSegmentSize() {
        Meta known = layout.known();
        return known != null ? known.segmentSize() : requestedSegmentSize;
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

    /** The starts that belong to a segment (a foreign znode named outside its range is not the log's). */
    static List<Long> inSegment(Meta m, long segment, List<Long> starts) {
        long lo = segment * m.segmentSize();
        long hi = lo + m.segmentSize();
        starts.removeIf(p -> p < lo || p >= hi);
        return starts;
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
        String segPath = segments.segmentPath(m, segment);
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
            boolean exists = watches != null && exists(segPath, watches, d, what, outcome);
            if (!exists) {
                // No segment here. If a later segment holds records, this one was deleted by another
                // client (appenders create segments in order, and a new one only after the znode
                // before it): a gap up to that record. Checked again after the listing, so that a
                // segment an appender has created meanwhile is read, not taken for a gap.
                long after = firstRecordAfter(m, segment, d, what, outcome);
                if (after >= 0 && !exists(segPath, null, d, what, outcome)) {
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
            paths.add(segments.path(m, starts.get(i)));
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
            for (long s : numericChildren(segments.groupPath(g), d, what, outcome)) {
                if (s <= segment) {
                    continue;
                }
                List<Long> starts = inSegment(m, s, numericChildren(segments.segmentPath(m, s), d, what, outcome));
                if (!starts.isEmpty()) {
                    return starts.get(0);
                }
            }
        }
        return -1;
    }

    /**
     * Whether a znode exists; with watches, arming an existence watch on it (set whether or not it
     * does), counted in the set.
     */
    private boolean exists(String p, @Nullable WatchSet watches, Deadline d, String what, Outcome outcome) {
        ZkAccess zk = zk();
        String full = zk.fullPath(p);
        ZkAccess.Reply r = zk.call(
                d,
                p,
                what,
                outcome,
                h -> watches != null && watches.arming(h, full)
                        ? ZkAccess.exists(h, full, watches.watcher())
                        : ZkAccess.exists(h, full));
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

    /** The append timeout: the default deadline of an append without its own. */
    @Override
    public Duration appendTimeout() {
        return appendTimeout;
    }

    /** Appends encoded events atomically; see {@link LogAppender#append}. */
    @Override
    public long append(List<byte[]> encoded, Deadline d) throws InterruptedException {
        return appender.append(encoded, d);
    }

    /** Truncates the log before a position; see {@link LogRetention#truncateBefore}. */
    @Override
    public void truncateBefore(long before, Deadline d) throws InterruptedException {
        retention.truncateBefore(before, d);
    }

    @Override
    public long endPosition(Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        String what = "read of the end of event log " + path;
        return appender.findTail(layout(d, what, Outcome.NOT_APPLIED), d, what, Outcome.NOT_APPLIED)
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
        return appender.writerId();
    }

    /** The sequence number of this store's most recent append (0 before the first). */
    long lastSequence() {
        return appender.lastSequence();
    }
}
