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
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.WatchSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.jspecify.annotations.Nullable;

/**
 * A work queue's search for an item to claim, run by a take's pass of I/O: the candidates the
 * last scan listed (tried first), the scan of the item segments from the lowest that may still
 * hold items, and one claim attempt (an ephemeral claim znode and the item's delivery count in one
 * {@code multi}). An item that cannot be delivered (not a record, undecodable, out of deliveries)
 * goes to the dead letters on the way. Thread-safe.
 */
final class Claims<T> {
    private final DefaultWorkQueue<T> queue;
    private final Coordinator coordinator;
    private final QueueStore store;
    private final Codec<T> codec;
    private final int maxDeliveries;
    private final Duration operationTimeout;
    private final DeadLetters<T> deadLetters;
    private final long writerHigh;
    private final long writerLow;
    private final AtomicLong sequence;
    private final WatchSet signalWatches;
    private final Object cacheLock = new Object();
    /** Guarded by {@link #cacheLock}: candidates listed by this instance's last scan, in order. */
    private final ArrayDeque<Long> cache = new ArrayDeque<>();
    /** The lowest item segment that may still hold items; only ever increases. */
    private final AtomicLong headSegment = new AtomicLong();

    /**
     * The claim search of a queue, once the queue's own fields are set.
     *
     * @param queue the queue: its store, codec, delivery limit, dead letters, writer id and sequence
     */
    Claims(DefaultWorkQueue<T> queue) {
        this.queue = queue;
        this.coordinator = queue.coordinator();
        this.store = queue.store;
        this.codec = queue.codec;
        this.maxDeliveries = queue.maxDeliveries;
        this.operationTimeout = queue.operationTimeout;
        this.deadLetters = queue.deadLetters;
        this.writerHigh = queue.writerHigh;
        this.writerLow = queue.writerLow;
        this.sequence = queue.sequence;
        this.signalWatches = queue.signalWatches;
    }

    /**
     * One pass from the head segment: claims the first available item, or returns null. Every
     * request against the pass's deadline.
     */
    @Nullable
    DefaultClaim<T> scan(boolean arm, Deadline d) throws InterruptedException {
        String what = "take from " + store.path;
        Outcome o = Outcome.NOT_APPLIED;
        QueueStore.Layout m = store.layout(d, what, o);
        @Nullable WatchSet watches = arm ? signalWatches : null;
        QueueStore.Counter tail = watches != null
                ? store.readCounterWatched(store.tailPath, watches, d, what, o)
                : store.readCounter(store.tailPath, d, what, o);
        long end = tail.value();
        long s = headSegment.get();
        boolean headMoving = true;
        while (s * m.segmentSize() < end) {
            List<Long> items = store.children(store.itemSegmentPath(m, s), null, d, what, o);
            if (items == null) {
                long found = nextExistingSegment(m, s, end, d, what);
                if (found < 0) {
                    if (headMoving) {
                        advanceHead(end / m.segmentSize());
                    }
                    return null;
                }
                s = found;
                continue;
            }
            if (items.isEmpty()) {
                if ((s + 1) * m.segmentSize() <= end) {
                    // Every position of the segment was assigned and none is left: it is done.
                    store.deleteQuietly(store.itemSegmentPath(m, s), d, what);
                    long group = s / m.groupSize();
                    if ((group + 1) * m.groupSize() * (long) m.segmentSize() <= end) {
                        // A finished group goes with its last segment (fails harmlessly while
                        // other segments of it still hold items).
                        store.deleteQuietly(store.itemGroupPath(group), d, what);
                    }
                    if (headMoving) {
                        advanceHead(s + 1);
                    }
                }
                s++;
                continue;
            }
            if (headMoving) {
                advanceHead(s);
                headMoving = false;
            }
            List<Long> claimed = store.children(store.claimSegmentPath(m, s), watches, d, what, o);
            Set<Long> taken = claimed == null ? Set.of() : new HashSet<>(claimed);
            List<Long> candidates = new ArrayList<>(items.size());
            for (long p : items) {
                if (!taken.contains(p)) {
                    candidates.add(p);
                }
            }
            DefaultClaim<T> claim = claimFirst(m, candidates, d);
            if (claim != null) {
                return claim;
            }
            s++;
        }
        return null;
    }

    private void advanceHead(long segment) {
        headSegment.accumulateAndGet(segment, Math::max);
    }

    /** The first item segment at or after {@code s} that exists, or -1; removes finished groups. */
    private long nextExistingSegment(QueueStore.Layout m, long s, long end, Deadline d, String what) {
        List<Long> groups = store.children(store.itemsDir, null, d, what, Outcome.NOT_APPLIED);
        if (groups == null) {
            return -1;
        }
        long g0 = s / m.groupSize();
        for (long g : groups) {
            if (g < g0) {
                continue;
            }
            List<Long> segments = store.children(store.itemGroupPath(g), null, d, what, Outcome.NOT_APPLIED);
            if (segments == null) {
                continue;
            }
            for (long seg : segments) {
                if (seg >= s) {
                    return seg;
                }
            }
            if (segments.isEmpty() && (g + 1) * m.groupSize() * (long) m.segmentSize() <= end) {
                store.deleteQuietly(store.itemGroupPath(g), d, what);
            }
        }
        return -1;
    }

    /**
     * Tries candidates in position order and claims the first it can; the ones after it are kept
     * for this instance's next take. After a collision with another consumer it skips a few
     * candidates (trying them last), so that consumers listing the same segment spread out instead
     * of all racing for the same item; a lone consumer never collides and keeps strict order.
     */
    private @Nullable DefaultClaim<T> claimFirst(QueueStore.Layout m, List<Long> candidates, Deadline d)
            throws InterruptedException {
        List<Long> later = new ArrayList<>();
        boolean[] collided = new boolean[1];
        int i = 0;
        while (i < candidates.size()) {
            collided[0] = false;
            DefaultClaim<T> claim = attempt(m, candidates.get(i), collided, d);
            if (claim != null) {
                List<Long> rest = new ArrayList<>(later);
                rest.addAll(candidates.subList(i + 1, candidates.size()));
                synchronized (cacheLock) {
                    cache.clear();
                    cache.addAll(rest);
                }
                return claim;
            }
            if (collided[0]) {
                int skip = ThreadLocalRandom.current().nextInt(4);
                int to = Math.min(candidates.size(), i + 1 + skip);
                later.addAll(candidates.subList(i + 1, to));
                i = to;
            } else {
                i++;
            }
        }
        for (long p : later) {
            DefaultClaim<T> claim = attempt(m, p, collided, d);
            if (claim != null) {
                return claim;
            }
        }
        return null;
    }

    /** Tries the candidates this instance listed last; null when they are used up. */
    @Nullable
    DefaultClaim<T> fromCache(Deadline d) throws InterruptedException {
        QueueStore.Layout m = store.layout(d, "take from " + store.path, Outcome.NOT_APPLIED);
        boolean[] collided = new boolean[1];
        while (true) {
            Long p;
            synchronized (cacheLock) {
                p = cache.pollFirst();
            }
            if (p == null) {
                return null;
            }
            DefaultClaim<T> claim = attempt(m, p, collided, d);
            if (claim != null) {
                return claim;
            }
        }
    }

    /** Forgets the cached candidates, so that the next take re-reads from the head. */
    void clearCache() {
        synchronized (cacheLock) {
            cache.clear();
        }
    }

    /**
     * Tries to claim the item at a position; null if it is gone, taken, or moved to dead letters.
     * Its reads run against the pass's deadline; a move to the dead letters, and the resolution of
     * a claim whose reply was lost, against deadlines of their own (so that a claim in doubt is
     * resolved, and given back, even after the take stopped waiting for the pass).
     */
    private @Nullable DefaultClaim<T> attempt(QueueStore.Layout m, long p, boolean[] collided, Deadline d)
            throws InterruptedException {
        String itemPath = store.itemPath(m, p);
        String what = "take from " + store.path;
        Optional<Versioned<byte[]>> read = store.read(itemPath, d, what, Outcome.NOT_APPLIED);
        if (read.isEmpty()) {
            return null;
        }
        byte[] data = read.get().value();
        int version = read.get().version();
        byte[] encoded;
        try {
            encoded = PackFormat.decode(itemPath, data).events().get(0);
        } catch (IllegalArgumentException e) {
            deadLetters.move(
                    m,
                    p,
                    data,
                    version,
                    DeadLetter.Cause.UNDECODABLE,
                    "not a work-queue record: " + e.getMessage(),
                    null,
                    coordinator.internalAccess().deadline(operationTimeout));
            return null;
        }
        if (version >= maxDeliveries) {
            deadLetters.move(
                    m,
                    p,
                    data,
                    version,
                    DeadLetter.Cause.DELIVERIES_EXHAUSTED,
                    "delivered " + version + " times without an acknowledgement",
                    null,
                    coordinator.internalAccess().deadline(operationTimeout));
            return null;
        }
        T value;
        try {
            value = Codecs.decode(codec, itemPath, version, encoded);
        } catch (DecodingException e) {
            deadLetters.move(
                    m,
                    p,
                    data,
                    version,
                    DeadLetter.Cause.UNDECODABLE,
                    String.valueOf(e.getMessage()),
                    null,
                    coordinator.internalAccess().deadline(operationTimeout));
            return null;
        }
        String claimPath = store.claimPath(m, p);
        long session = coordinator.sessionId();
        byte[] token = (new UUID(writerHigh, writerLow) + "/" + sequence.incrementAndGet())
                .getBytes(StandardCharsets.US_ASCII);
        RawOps c = new RawOps(coordinator);
        for (int attempt = 0; attempt < 10; attempt++) {
            List<Op> ops;
            try {
                ops = List.of(c.create(CreateMode.EPHEMERAL, claimPath, token), c.setData(version, itemPath, data));
            } catch (Exception e) {
                throw ZkErrors.translate(e, claimPath);
            }
            try {
                // Runs on a taker thread, which its take stops waiting for at the take's deadline: the
                // reply is awaited until the client reports it lost (well within the granted session
                // timeout), so that a claim in doubt is resolved below and never left orphaned.
                c.multi(
                        ops,
                        coordinator
                                .internalAccess()
                                .deadline(coordinator.negotiatedSessionTimeout().multipliedBy(2)),
                        claimPath,
                        "claim of " + itemPath);
                return queue.newClaim(m, p, value, version + 1, data, session);
            } catch (StateSyncException e) {
                switch (e.reason()) {
                    case NODE_EXISTS -> {
                        // Held by another consumer, or ours landed and Curator's retry of it failed.
                        if (isOurs(claimPath, token, d, what)) {
                            return queue.newClaim(m, p, value, version + 1, data, session);
                        }
                        collided[0] = true;
                        return null;
                    }
                    case VERSION_CONFLICT -> {
                        collided[0] = true;
                        return null;
                    }
                    case NO_NODE -> {
                        if (!claimPath.equals(e.path())) {
                            return null; // the item is gone
                        }
                        store.createIfAbsent(
                                store.claimSegmentPath(m, p / m.segmentSize()),
                                new byte[0],
                                CreateMode.CONTAINER,
                                d,
                                what,
                                Outcome.NOT_APPLIED);
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        // The claim's outcome is unknown: resolved against a deadline of its own.
                        String resolving = "claim of " + itemPath;
                        Deadline resolve = coordinator.internalAccess().deadline(operationTimeout);
                        store.awaitConnection(resolve, e, resolving, Outcome.UNKNOWN);
                        return isOurs(claimPath, token, resolve, resolving)
                                ? queue.newClaim(m, p, value, version + 1, data, session)
                                : null;
                    }
                    default -> throw e;
                }
            }
        }
        return null;
    }

    private boolean isOurs(String claimPath, byte[] token, Deadline d, String what) {
        Optional<Versioned<byte[]>> claim = store.read(claimPath, d, what, Outcome.UNKNOWN);
        return claim.isPresent() && Arrays.equals(claim.get().value(), token);
    }
}
