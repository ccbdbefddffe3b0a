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
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.eventlog.LogStore.Meta;
import io.statesync.recipes.internal.ChildNames;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.Segments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appends of one {@link LogStore}, and what it knows of the end of the log. Owns the packing of
 * a batch into records that never cross a segment (one {@code multi} for all of them, guarded so
 * that no position is taken twice and no truncated segment is created again), the writer id and
 * sequence number stored in every record, and the resolution of an attempt whose reply was lost:
 * the retry targets the same position and recognises its own record there. Thread-safe.
 */
final class LogAppender {
    /** Under the store's name, where the log's append messages have always been. */
    private static final Logger LOG = LoggerFactory.getLogger(LogStore.class);

    /**
     * What an appender knows of the end of the log: the start of the last znode ({@code -1} if the
     * log has none) and the next free position; {@code metaVersion} is the meta version seen when
     * the log had no znode.
     */
    record Tail(long lastStart, long end, int metaVersion) {}

    private final LogStore store;
    private final Coordinator coordinator;
    private final String path;
    private final Segments segments;
    private final long writerHigh;
    private final long writerLow;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<@Nullable Tail> tailHint = new AtomicReference<>();

    LogAppender(LogStore store) {
        this.store = store;
        this.coordinator = store.coordinator;
        this.path = store.path;
        this.segments = store.segments;
        UUID writer = UUID.randomUUID();
        this.writerHigh = writer.getMostSignificantBits();
        this.writerLow = writer.getLeastSignificantBits();
    }

    /** This appender's writer id, stored in every znode it appends. */
    UUID writerId() {
        return new UUID(writerHigh, writerLow);
    }

    /** The sequence number of this appender's most recent append (0 before the first). */
    long lastSequence() {
        return sequence.get();
    }

    /**
     * Appends encoded events atomically (one multi) and returns the position of the first. Every
     * request and every wait runs against the deadline.
     *
     * @param encoded the encoded events, at least one
     * @param d the call's deadline
     */
    long append(List<byte[]> encoded, Deadline d) throws InterruptedException {
        // Size first, before any I/O (the layout is read, or created, on first use): against the
        // segment size known so far, then again if the log turns out to have smaller segments.
        int assumedSegmentSize = store.assumedSegmentSize();
        checkSize(encoded, assumedSegmentSize);
        if (Thread.interrupted()) {
            throw new InterruptedException("append to " + path + " not started: the thread was interrupted");
        }
        String before = "append to " + path;
        Meta m = store.layout(d, before, Outcome.NOT_APPLIED);
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
                store.multi(ops, d, sending);
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
                                listInBackground(segments.segmentPath(m, t / m.segmentSize()));
                        Optional<LogZnode> at = readRecord(segments.path(m, t), d, what, outcome);
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
                                    readRecord(segments.path(m, inDoubt), d, describe(inDoubt, seq), Outcome.UNKNOWN);
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
            ZkAccess zk = store.zk();
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
        Optional<LogZnode> record = readRecord(segments.path(m, last), d, what, outcome);
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
            store.zk().backoff(losses - 1, d, path, what, Outcome.UNKNOWN);
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
                ops.add(c.check(tail.metaVersion(), store.metaPath));
            } else if (t % m.segmentSize() == 0) {
                // Opening a segment: the previous znode must still exist, so that a writer with an
                // old view can never re-create a truncated segment.
                ops.add(c.check(-1, segments.path(m, tail.lastStart())));
            }
            int index = 0;
            for (long[] pack : packs) {
                long p = pack[0];
                int count = (int) pack[1];
                byte[] data = PackFormat.encode(writerHigh, writerLow, seq, encoded.subList(index, index + count));
                segments.addCreates(ops, c, m, p, data);
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

    private Optional<LogZnode> readRecord(String nodePath, Deadline d, String what, Outcome outcome) {
        return store.readNode(nodePath, d, what, outcome).map(v -> LogZnode.of(nodePath, v.value()));
    }

    /** Finds the end of the log by listing the last group, segment and znode. */
    Tail findTail(Meta m, Deadline d, String what, Outcome outcome) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Meta fresh = store.freshMeta(d, what, outcome);
            List<Long> groups = store.numericChildren(store.logDir, d, what, outcome);
            Collections.reverse(groups);
            Tail found = null;
            outer:
            for (long g : groups) {
                List<Long> inGroup = store.numericChildren(segments.groupPath(g), d, what, outcome);
                Collections.reverse(inGroup);
                for (long s : inGroup) {
                    List<Long> starts = LogStore.inSegment(
                            m, s, store.numericChildren(segments.segmentPath(m, s), d, what, outcome));
                    if (starts.isEmpty()) {
                        continue;
                    }
                    long last = starts.get(starts.size() - 1);
                    Optional<LogZnode> record = readRecord(segments.path(m, last), d, what, outcome);
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
}
