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
import io.statesync.core.DecodingException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.DeadLetterRecord;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.RawOps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue's dead letters ({@code P/deadtail}, {@code P/dead/{g}/{s}/{d}}): the move of an item
 * there, atomically with its removal from the queue, and the reads and deletes of the records.
 * Thread-safe.
 *
 * <p>A record is a {@link PackFormat} record of the queue's writer with two parts: the item's data
 * (cut to fit, see {@link #DEAD_LETTER_RESERVE}) and {@code key=value} lines: {@code position},
 * {@code cause}, {@code deliveries}, {@code detail}.
 */
final class DeadLetters<T> {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultWorkQueue.class);
    /** Room kept in the znode limit so that any item fits a dead-letter record with its reason. */
    static final int DEAD_LETTER_RESERVE = 1024;

    private static final int MAX_DETAIL_CHARS = 300;

    private final Coordinator coordinator;
    private final QueueStore store;
    private final Codec<T> codec;
    private final long writerHigh;
    private final long writerLow;
    private final AtomicLong sequence;
    private final Telemetry.Probe probe;

    /**
     * @param sequence the queue writer's sequence, shared with its offers (each record takes the next)
     * @param probe the queue's probe, which counts the items moved here
     */
    DeadLetters(
            Coordinator coordinator,
            QueueStore store,
            Codec<T> codec,
            long writerHigh,
            long writerLow,
            AtomicLong sequence,
            Telemetry.Probe probe) {
        this.probe = probe;
        this.coordinator = coordinator;
        this.store = store;
        this.codec = codec;
        this.writerHigh = writerHigh;
        this.writerLow = writerLow;
        this.sequence = sequence;
    }

    /**
     * Moves an item to the dead-letter queue, atomically with its removal. With {@code ours}, the
     * caller holds the item's claim; without, the move takes (and drops) a claim in the same
     * {@code multi}, so it cannot race a consumer that holds one.
     *
     * @return {@code true} if the item is gone from the queue (moved by this call or by someone else)
     */
    boolean move(
            QueueStore.Layout m,
            long p,
            byte[] itemData,
            int itemVersion,
            DeadLetter.Cause cause,
            String detail,
            @Nullable DefaultClaim<T> ours,
            Deadline deadline) {
        String itemPath = store.itemPath(m, p);
        String claimPath = store.claimPath(m, p);
        String shortDetail =
                detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) + "..." : detail;
        int limit = coordinator.maxValueBytes();
        byte[] kept = itemData;
        if (kept.length + DEAD_LETTER_RESERVE > limit) {
            kept = Arrays.copyOf(kept, Math.max(0, limit - DEAD_LETTER_RESERVE));
            shortDetail += " (data truncated from " + itemData.length + " bytes)";
        }
        int deliveries = itemVersion;
        byte[] meta = ("position=" + p + "\ncause=" + cause.name() + "\ndeliveries=" + deliveries + "\ndetail="
                        + shortDetail.replace('\n', ' ') + "\n")
                .getBytes(StandardCharsets.UTF_8);
        long seq = sequence.incrementAndGet();
        byte[] record = PackFormat.encode(writerHigh, writerLow, seq, List.of(kept, meta));
        RawOps c = new RawOps(coordinator);
        String what = "move of the item at " + itemPath + " to the dead-letter queue";
        // Whether an attempt was sent and its reply lost.
        boolean inDoubt = false;
        for (int attempt = 0; ; attempt++) {
            Outcome outcome = inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
            QueueStore.Counter deadTail = store.readCounter(store.deadTailPath, deadline, what, outcome);
            long d = deadTail.value();
            List<Op> ops = new ArrayList<>();
            try {
                if (ours == null) {
                    ops.add(c.create(CreateMode.EPHEMERAL, claimPath));
                }
                ops.add(c.delete(-1, claimPath));
                ops.add(c.delete(itemVersion, itemPath));
                ops.add(c.setData(
                        deadTail.version(),
                        store.deadTailPath,
                        Long.toString(d + 1).getBytes(StandardCharsets.US_ASCII)));
                store.dead().addCreates(ops, c, m, d, record);
                ops.add(c.setData(-1, store.removedPath, new byte[0]));
            } catch (Exception e) {
                throw ZkErrors.translate(e, itemPath);
            }
            try {
                store.multi(ops, deadline, what);
                LOG.warn(
                        "work queue {}: item at position {} moved to dead letter {}: {} ({})",
                        store.path,
                        p,
                        d,
                        cause,
                        shortDetail);
                probe.count(
                        cause == DeadLetter.Cause.UNDECODABLE
                                ? Telemetry.Event.DEAD_LETTER_UNDECODABLE
                                : Telemetry.Event.DEAD_LETTER_EXHAUSTED);
                return true;
            } catch (StateSyncException e) {
                String at = e.path();
                switch (e.reason()) {
                    case VERSION_CONFLICT -> {
                        if (!store.deadTailPath.equals(at)) {
                            return false; // the item changed: someone else claimed it
                        }
                    }
                    case NODE_EXISTS -> {
                        if (claimPath.equals(at)) {
                            return false; // a consumer holds it
                        }
                        // the dead-letter slot was taken: re-read the dead tail
                    }
                    case NO_NODE -> {
                        if (itemPath.equals(at)) {
                            return true; // already gone (perhaps by this very move, retried by Curator)
                        }
                        if (claimPath.equals(at)) {
                            if (ours != null) {
                                return false; // our claim is gone with our session
                            }
                            store.createIfAbsent(
                                    store.claimSegmentPath(m, p / m.segmentSize()),
                                    new byte[0],
                                    CreateMode.CONTAINER,
                                    deadline,
                                    what,
                                    outcome);
                        } else {
                            throw e;
                        }
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        inDoubt = true;
                        store.awaitConnection(deadline, e, what, Outcome.UNKNOWN);
                        if (store.read(itemPath, deadline, what, Outcome.UNKNOWN)
                                .isEmpty()) {
                            return true;
                        }
                        if (ours != null && ours.sessionId() != coordinator.sessionId()) {
                            return false;
                        }
                    }
                    default -> throw e;
                }
            }
            if (attempt > 100 || deadline.passed()) {
                throw new StateSyncException(
                        StateSyncException.Reason.TIMEOUT,
                        itemPath,
                        "could not move the item at " + itemPath + " to the dead-letter queue",
                        null);
            }
        }
    }

    List<DeadLetter<T>> read(QueueStore.Layout m, long from, long end, int max, Deadline d, String what) {
        List<DeadLetter<T>> out = new ArrayList<>();
        for (long id = from; id < end && out.size() < max; id++) {
            String p = store.deadPath(m, id);
            Optional<Versioned<byte[]>> v = store.read(p, d, what, Outcome.NOT_APPLIED);
            if (v.isPresent()) {
                out.add(decodeDeadLetter(p, id, v.get().value()));
            }
        }
        return out;
    }

    private DeadLetter<T> decodeDeadLetter(String p, long id, byte[] data) {
        DeadLetterRecord r = decodeRecord(p, data);
        T value = null;
        try {
            value = codec.decode(r.encoded());
        } catch (RuntimeException e) {
            // undecodable: the dead letter carries the bytes only
        }
        return new DeadLetter<>(id, r.position(), cause(p, r, data), r.detail(), r.deliveries(), r.encoded(), value);
    }

    private static DeadLetterRecord decodeRecord(String p, byte[] data) {
        try {
            return DeadLetterRecord.decode(p, data);
        } catch (IllegalArgumentException e) {
            throw new DecodingException(p, -1, data.length, e);
        }
    }

    private static DeadLetter.Cause cause(String p, DeadLetterRecord r, byte[] data) {
        try {
            return DeadLetter.Cause.valueOf(r.cause());
        } catch (IllegalArgumentException e) {
            throw new DecodingException(p, -1, data.length, e);
        }
    }

    /**
     * Puts dead letter {@code id} back at the tail of the queue, in one {@code multi} with its
     * removal from the dead-letter queue: the item's original data gets a new position, and its
     * delivery count starts again at 0. A reply lost to a connection loss is resolved by the new
     * item's record, which names this writer and sequence.
     *
     * @param capacity the queue's capacity ({@code Long.MAX_VALUE}: unbounded)
     * @return the item's new position
     * @throws NoSuchElementException if there is no dead letter {@code id} (never one, or already
     *     requeued, purged or deleted, perhaps by a concurrent call)
     * @throws QueueFullException if the queue is at its capacity; nothing was written
     */
    long requeue(QueueStore.Layout m, long id, long capacity, Deadline d) {
        String deadPath = store.deadPath(m, id);
        String what = "requeue of dead letter " + id + " of work queue " + store.path;
        Optional<Versioned<byte[]>> found = store.read(deadPath, d, what, Outcome.NOT_APPLIED);
        if (found.isEmpty()) {
            throw notDead(id);
        }
        int deadVersion = found.get().version();
        byte[] encoded = decodeRecord(deadPath, found.get().value()).encoded();
        long seq = sequence.incrementAndGet();
        byte[] record = PackFormat.encode(writerHigh, writerLow, seq, List.of(encoded));
        RawOps c = new RawOps(coordinator);
        boolean inDoubt = false;
        for (int attempt = 0; ; attempt++) {
            Outcome outcome = inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
            QueueStore.Counter tail = store.readCounter(store.tailPath, d, what, outcome);
            long next = tail.value();
            List<Op> ops = new ArrayList<>();
            try {
                ops.add(c.setData(
                        tail.version(), store.tailPath, Long.toString(next + 1).getBytes(StandardCharsets.US_ASCII)));
                if (capacity != Long.MAX_VALUE) {
                    QueueStore.Counter removed = store.readCounter(store.removedPath, d, what, outcome);
                    long depth = QueueStore.depth(tail, removed);
                    if (depth + 1 > capacity) {
                        if (inDoubt) {
                            throw d.expired(store.path, what, Outcome.UNKNOWN);
                        }
                        throw new QueueFullException(store.path, capacity, depth, 1);
                    }
                    ops.add(c.check(removed.version(), store.removedPath));
                }
                ops.add(c.delete(deadVersion, deadPath));
                store.items().addCreates(ops, c, m, next, record);
            } catch (StateSyncException e) {
                throw e;
            } catch (Exception e) {
                throw ZkErrors.translate(e, deadPath);
            }
            try {
                store.multi(ops, d, what + " (if it landed, the item is at position " + next + ")");
                LOG.info("work queue {}: dead letter {} requeued at position {}", store.path, id, next);
                return next;
            } catch (StateSyncException e) {
                String at = e.path();
                switch (e.reason()) {
                    case VERSION_CONFLICT, NODE_EXISTS -> {
                        if (deadPath.equals(at)) {
                            throw notDead(id);
                        }
                        // the tail or the removal counter moved: read them again
                    }
                    case NO_NODE -> {
                        if (!deadPath.equals(at)) {
                            throw e;
                        }
                        if (inDoubt && landed(m, next, seq, d, what)) {
                            return next;
                        }
                        throw notDead(id);
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        inDoubt = true;
                        store.awaitConnection(d, e, what, Outcome.UNKNOWN);
                        if (landed(m, next, seq, d, what)) {
                            return next;
                        }
                        if (store.read(deadPath, d, what, Outcome.UNKNOWN).isPresent()) {
                            inDoubt = false; // still dead, and not ours at that position: it did not land
                        } else {
                            throw new ConnectionLossException(
                                    store.path,
                                    what + " has an unknown outcome: its reply was lost and the dead letter is gone;"
                                            + " if it landed, the item was at position " + next,
                                    e);
                        }
                    }
                    default -> throw e;
                }
            }
            if (attempt > 100 || d.passed()) {
                throw d.expired(store.path, what, inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED);
            }
        }
    }

    /** Whether the item at {@code position} is the record of this writer's write {@code seq}. */
    private boolean landed(QueueStore.Layout m, long position, long seq, Deadline d, String what) {
        String p = store.itemPath(m, position);
        Optional<Versioned<byte[]>> at = store.read(p, d, what, Outcome.UNKNOWN);
        if (at.isEmpty()) {
            return false;
        }
        try {
            return PackFormat.decode(p, at.get().value()).writtenBy(writerHigh, writerLow, seq);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private NoSuchElementException notDead(long id) {
        return new NoSuchElementException("work queue " + store.path + " has no dead letter " + id
                + ": never one, or already requeued, purged or deleted");
    }

    /**
     * Deletes every dead letter there is when it lists them; one delete per letter, so a concurrent
     * purge, requeue or delete takes some of them and this call counts only its own.
     *
     * @return how many this call deleted
     */
    long purge(QueueStore.Layout m, Deadline d) {
        String what = "purge of the dead letters of work queue " + store.path;
        long deleted = 0;
        List<Long> groups = store.children(store.deadDir, null, d, what, Outcome.UNKNOWN);
        for (long g : groups == null ? List.<Long>of() : groups) {
            List<Long> segments = store.children(store.deadGroupPath(g), null, d, what, Outcome.UNKNOWN);
            for (long s : segments == null ? List.<Long>of() : segments) {
                List<Long> ids = store.children(store.deadSegmentPath(m, s), null, d, what, Outcome.UNKNOWN);
                for (long id : ids == null ? List.<Long>of() : ids) {
                    if (delete(m, id, d, what)) {
                        deleted++;
                    }
                }
            }
        }
        if (deleted > 0) {
            LOG.info("work queue {}: {} dead letters purged", store.path, deleted);
        }
        return deleted;
    }

    /**
     * Deletes a dead letter; repeated after a lost reply: a delete that landed then answers
     * NO_NODE, reported as false.
     *
     * @return whether this call deleted it
     */
    boolean delete(QueueStore.Layout m, long id, Deadline d, String what) {
        String p = store.deadPath(m, id);
        ZkAccess.Reply r = store.delete(p, -1, d, what, Outcome.UNKNOWN);
        if (r.ok()) {
            return true;
        }
        if (r.noNode()) {
            return false;
        }
        throw ZkAccess.error(r.rc(), p);
    }
}
