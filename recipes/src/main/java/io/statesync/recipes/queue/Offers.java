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

import io.statesync.core.Codec;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.WatchSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue's producer side: an offer of one or more items as one {@code multi} (the tail's
 * compare-and-set, the capacity check, this writer's sequence, the item znodes), and the
 * resolution of an offer whose reply was lost, through this writer's ephemeral znode
 * {@code P/writers/{uuid}} (it holds the sequence of the last offer that landed). Thread-safe.
 */
final class Offers<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultWorkQueue.class);

    private final DefaultWorkQueue<T> queue;
    private final Coordinator coordinator;
    private final QueueStore store;
    private final Codec<T> codec;
    private final Duration operationTimeout;
    private final Lifecycle lifecycle;
    private final long capacity;
    private final long writerHigh;
    private final long writerLow;
    private final String writerPath;
    private final AtomicLong sequence;
    private final WatchSet signalWatches;
    /** The tail as this writer last set it, or null: saves a read when no one else offered since. */
    private volatile QueueStore.@Nullable Counter tailHint;

    /**
     * The producer side of a queue, once the queue's own fields are set.
     *
     * @param queue the queue: its store, codec, capacity, writer id and path, and sequence
     * @param lifecycle the queue's lifecycle (an offer needs it started)
     * @param signalWatches the watches that wake a wait for room
     */
    Offers(DefaultWorkQueue<T> queue, Lifecycle lifecycle, WatchSet signalWatches) {
        this.queue = queue;
        this.coordinator = queue.coordinator();
        this.store = queue.store;
        this.codec = queue.codec;
        this.operationTimeout = queue.operationTimeout;
        this.lifecycle = lifecycle;
        this.capacity = queue.capacity;
        this.writerHigh = queue.writerHigh;
        this.writerLow = queue.writerLow;
        this.writerPath = queue.writerPath;
        this.sequence = queue.sequence;
        this.signalWatches = signalWatches;
    }

    /** The whole of {@link WorkQueue#offerAll(List, Duration)}: checks, encoding, the atomic write, its resolution. */
    long offer(List<? extends T> items, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(items, "items");
        Deadline.checkTimeout(timeout, "timeout");
        // Zero: no waiting for room, the call bounded by the operation timeout; else one deadline for
        // the whole call, the wait for room included.
        Deadline d = coordinator.internalAccess().deadline(timeout.isZero() ? operationTimeout : timeout);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("offerAll needs at least one item");
        }
        if (items.size() > capacity) {
            throw new IllegalArgumentException("cannot offer " + items.size() + " items at once to work queue "
                    + store.path + " with capacity " + capacity);
        }
        lifecycle.requireStarted();
        int limit = coordinator.maxValueBytes();
        long seq = sequence.incrementAndGet();
        List<byte[]> records = new ArrayList<>(items.size());
        for (T item : items) {
            byte[] encoded = codec.encode(Objects.requireNonNull(item, "items contains null"));
            int size = PackFormat.HEADER_BYTES
                    + PackFormat.PER_EVENT_BYTES
                    + encoded.length
                    + DeadLetters.DEAD_LETTER_RESERVE;
            if (size > limit) {
                throw new ValueTooLargeException(store.itemsDir, size, limit);
            }
            records.add(PackFormat.encode(writerHigh, writerLow, seq, List.of(encoded)));
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("offer to " + store.path + " not started: the thread was interrupted");
        }
        String what = "offer to " + store.path;
        QueueStore.Layout m = store.layout(d, what, Outcome.NOT_APPLIED);
        byte[] seqBytes = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        ensureWriter(d, what, Outcome.NOT_APPLIED);
        RawOps c = new RawOps(coordinator);
        // Whether an attempt was sent and its reply lost: from then on, giving up leaves the outcome unknown.
        boolean inDoubt = false;
        while (true) {
            Outcome outcome = inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
            QueueStore.Counter tail = tailHint;
            if (tail == null) {
                tail = store.readCounter(store.tailPath, d, what, outcome);
            }
            long next = tail.value();
            int n = records.size();
            String sending = what + " (if it landed, its first item is at position " + next + ")";
            List<Op> ops = new ArrayList<>(n + 8);
            try {
                ops.add(c.setData(
                        tail.version(), store.tailPath, Long.toString(next + n).getBytes(StandardCharsets.US_ASCII)));
                if (capacity != Long.MAX_VALUE) {
                    long seen = queue.changes();
                    QueueStore.Counter removed = timeout.isZero()
                            ? store.readCounter(store.removedPath, d, what, outcome)
                            : store.readCounterWatched(store.removedPath, signalWatches, d, what, outcome);
                    long depth = QueueStore.depth(tail, removed);
                    if (depth + n > capacity) {
                        if (timeout.isZero() || d.passed()) {
                            if (inDoubt) {
                                throw d.expired(store.path, what, Outcome.UNKNOWN);
                            }
                            throw new QueueFullException(store.path, capacity, depth, n);
                        }
                        queue.awaitChange(seen, d);
                        if (d.passed()) {
                            // No room seen within the timeout (what freed up meanwhile is not read).
                            if (inDoubt) {
                                throw d.expired(store.path, what, Outcome.UNKNOWN);
                            }
                            throw new QueueFullException(store.path, capacity, depth, n);
                        }
                        tailHint = null;
                        continue;
                    }
                    ops.add(c.check(removed.version(), store.removedPath));
                }
                ops.add(c.setData(-1, writerPath, seqBytes));
                for (int i = 0; i < n; i++) {
                    store.items().addCreates(ops, c, m, next + i, records.get(i));
                }
            } catch (StateSyncException e) {
                throw e;
            } catch (Exception e) {
                throw ZkErrors.translate(e, store.path);
            }
            try {
                store.multi(ops, d, sending);
                // The compare-and-set from version v succeeded, so the tail is now at version v + 1.
                tailHint = new QueueStore.Counter(next + n, tail.version() + 1, tail.czxid(), tail.mzxid());
                return next;
            } catch (OperationTimeoutException e) {
                tailHint = null;
                throw e; // the deadline passed, or an interrupt, with the offer sent: unknown outcome
            } catch (StateSyncException e) {
                tailHint = null;
                switch (e.reason()) {
                    case VERSION_CONFLICT -> {
                        // Someone else offered first, or an earlier attempt of ours landed.
                        if (writerSaw(seqBytes, d, what, outcome)) {
                            LOG.info(
                                    "offer {} to {} had landed at position {} before its reply was lost",
                                    seq,
                                    store.path,
                                    next);
                            return next;
                        }
                    }
                    case NO_NODE -> {
                        if (!writerPath.equals(e.path())) {
                            throw e;
                        }
                        // The writer znode went with an expired session.
                        if (resolveAfterSessionLoss(m, next, tail, seq, d, what, outcome)) {
                            return next;
                        }
                        writerSession = 0;
                        ensureWriter(d, what, outcome);
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        inDoubt = true;
                        store.awaitConnection(
                                d,
                                new ConnectionLossException(
                                        store.path,
                                        "offer to " + store.path + " has an unknown outcome after " + d.timeout()
                                                + ": if it landed, its first item is at position " + next,
                                        e),
                                sending,
                                Outcome.UNKNOWN);
                        if (writerSaw(seqBytes, d, sending, Outcome.UNKNOWN)) {
                            LOG.info(
                                    "offer {} to {} had landed at position {} before the connection was lost",
                                    seq,
                                    store.path,
                                    next);
                            return next;
                        }
                        if (!writerExists(d, sending, Outcome.UNKNOWN)) {
                            if (resolveAfterSessionLoss(m, next, tail, seq, d, sending, Outcome.UNKNOWN)) {
                                return next;
                            }
                            writerSession = 0;
                            ensureWriter(d, sending, Outcome.UNKNOWN);
                        }
                        // Still unseen with the writer znode of this session in place: it did not land.
                        inDoubt = false;
                    }
                    default -> throw e;
                }
            }
            if (d.passed()) {
                throw d.expired(store.path, what, inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED);
            }
        }
    }

    /**
     * Creates this writer's ephemeral znode if this session does not have it yet. It starts empty:
     * only an offer's own {@code multi} writes its sequence there.
     */
    private void ensureWriter(Deadline d, String what, Outcome outcome) {
        long session = coordinator.sessionId();
        if (session != 0 && session == writerSession) {
            return; // made or seen in this session; if it is gone anyway, the offer's multi says so (NO_NODE)
        }
        if (!writerExists(d, what, outcome)) {
            store.createIfAbsent(writerPath, new byte[0], CreateMode.EPHEMERAL, d, what, outcome);
        }
        writerSession = session;
    }

    /** The session in which this writer's znode was last made or seen, or 0. */
    private volatile long writerSession;

    private boolean writerExists(Deadline d, String what, Outcome outcome) {
        return store.read(writerPath, d, what, outcome).isPresent();
    }

    /** Whether this writer's znode records the given offer sequence as landed. */
    private boolean writerSaw(byte[] seqBytes, Deadline d, String what, Outcome outcome) {
        Optional<Versioned<byte[]>> w = store.read(writerPath, d, what, outcome);
        return w.isPresent() && Arrays.equals(w.get().value(), seqBytes);
    }

    /**
     * After the session that ran an offer ended, decides from the item at its position whether it
     * landed: {@code true} if it did, {@code false} if it certainly did not.
     *
     * @throws ConnectionLossException if that cannot be decided (the item at the position is gone)
     */
    private boolean resolveAfterSessionLoss(
            QueueStore.Layout m, long next, QueueStore.Counter tail, long seq, Deadline d, String what, Outcome o) {
        Optional<Versioned<byte[]>> at = store.read(store.itemPath(m, next), d, what, o);
        if (at.isPresent()) {
            try {
                return PackFormat.decode(store.itemPath(m, next), at.get().value())
                        .writtenBy(writerHigh, writerLow, seq);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        QueueStore.Counter now = store.readCounter(store.tailPath, d, what, o);
        if (now.version() == tail.version()) {
            return false;
        }
        throw new ConnectionLossException(
                store.path,
                "offer to " + store.path + " has an unknown outcome: the session ended while it was in flight and the"
                        + " item at position " + next + " has since been consumed; if the offer landed, its first item"
                        + " was at that position",
                null);
    }
}
