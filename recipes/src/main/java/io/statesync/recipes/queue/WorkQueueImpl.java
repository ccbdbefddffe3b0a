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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.DecodingException;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ZkAccess;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The implementation of {@link WorkQueue}. */
final class WorkQueueImpl<T> implements WorkQueue<T>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueueImpl.class);
    /** Room kept in the znode limit so that any item fits a dead-letter record with its reason. */
    static final int DEAD_LETTER_RESERVE = 1024;

    private static final int MAX_DETAIL_CHARS = 300;
    /** How long {@code close()} waits for its claims' releases before returning. */
    static final long CLOSE_WAIT_MILLIS = 1_000;
    /** At most this many abandoned passes (still blocked in I/O) before takes stop starting new ones. */
    private static final int MAX_STRANDED_PASSES = 2;

    final Coordinator coordinator;
    final QueueStore store;
    final Codec<T> codec;
    final int maxDeliveries;
    private final long capacity;
    final Duration operationTimeout;
    private final long writerHigh;
    private final long writerLow;
    private final String writerPath;
    private final AtomicLong sequence = new AtomicLong();
    private final Lifecycle lifecycle;
    private final ListenerSet<StateListener<Long>> depthListeners;
    private final ListenerSet<StateListener<DeadLetter<T>>> deadListeners;
    private final Set<ClaimImpl<T>> held = ConcurrentHashMap.newKeySet();
    private final ConnectionListener connectionListener = this::onConnection;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    /** The watches of the depth and dead-letter refresh: on the tail, removal and dead-tail counters. */
    private final WatchSet refreshWatches;
    /** The watches a waiting take or offer sets: the counters and the claim segments it scanned. */
    private final WatchSet signalWatches;

    private final Object signal = new Object();
    /** Guarded by {@link #signal}: bumped on every watch event and connection transition. */
    private long changes;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: the depth last delivered. */
    private @Nullable Versioned<Long> lastDepth;
    /** Guarded by {@link #lock}: the next dead-letter id to deliver, or -1 before the first refresh. */
    private long nextDeadToDeliver = -1;

    private final Object cacheLock = new Object();
    /** Guarded by {@link #cacheLock}: candidates listed by this instance's last scan, in order. */
    private final ArrayDeque<Long> cache = new ArrayDeque<>();

    /** The lowest item segment that may still hold items; only ever increases. */
    private final AtomicLong headSegment = new AtomicLong();

    private volatile @Nullable ExecutorService refresher;
    /** Runs each take's pass of I/O, so that the caller waits for it only up to its deadline. */
    private volatile @Nullable ExecutorService takers;
    /** Passes whose take returned before they ended (blocked behind a dead connection). */
    private final AtomicInteger strandedPasses = new AtomicInteger();

    private volatile QueueStore.@Nullable Counter tailHint;

    WorkQueueImpl(
            Coordinator coordinator,
            String path,
            Codec<T> codec,
            int segmentSize,
            int groupSize,
            int maxDeliveries,
            long capacity,
            Duration operationTimeout) {
        this.coordinator = coordinator;
        this.store = new QueueStore(coordinator, path, segmentSize, groupSize);
        this.codec = codec;
        this.maxDeliveries = maxDeliveries;
        this.capacity = capacity;
        this.operationTimeout = operationTimeout;
        UUID writer = UUID.randomUUID();
        this.writerHigh = writer.getMostSignificantBits();
        this.writerLow = writer.getLeastSignificantBits();
        this.writerPath = store.writersDir + "/" + writer;
        this.lifecycle = new Lifecycle("WorkQueue " + path);
        this.depthListeners = new ListenerSet<>("WorkQueue " + path, coordinator);
        this.deadListeners = new ListenerSet<>("WorkQueue " + path + " dead letters", coordinator);
        ZkAccess access = coordinator.internalAccess();
        this.refreshWatches = new WatchSet(
                access,
                event -> {
                    if (event.getType() != Watcher.Event.EventType.None) {
                        scheduleRefresh();
                    }
                    signalChange();
                },
                4);
        this.signalWatches = new WatchSet(access, event -> signalChange(), 16);
        coordinator.internalRecipes().register("WorkQueue", path, this);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        lifecycle.start();
        ZkAccess access = coordinator.internalAccess();
        ExecutorService ex =
                Executors.newSingleThreadExecutor(r -> access.newThread("statesync-queue-" + store.path, r));
        refresher = ex;
        AtomicInteger takerCount = new AtomicInteger();
        takers = Executors.newCachedThreadPool(
                r -> access.newThread("statesync-queue-take-" + takerCount.incrementAndGet() + "-" + store.path, r));
        coordinator.addListener(connectionListener, Runnable::run);
        scheduleRefresh();
    }

    @Override
    public LifecycleState state() {
        return lifecycle.state();
    }

    @Override
    public void close() {
        LifecycleState before = lifecycle.close();
        if (before == LifecycleState.CLOSED) {
            return;
        }
        depthListeners.close();
        deadListeners.close();
        if (before == LifecycleState.STARTED) {
            coordinator.removeListener(connectionListener);
            ExecutorService t = takers;
            if (t != null) {
                t.shutdownNow(); // a pass that claims after this gives its claim back (newClaim)
            }
            // Nothing here blocks on the network: the claims' releases and the writer znode's delete
            // go out in the background, and close waits for their replies at most CLOSE_WAIT_MILLIS.
            // A release that does not land then is done by the session's end (the claims and the
            // writer znode are ephemeral).
            List<ClaimImpl<T>> claims = List.copyOf(held);
            CountDownLatch replies = new CountDownLatch(claims.size() + 1);
            for (ClaimImpl<T> c : claims) {
                c.releaseInBackground(replies::countDown);
            }
            ExecutorService ex = refresher;
            if (ex != null) {
                ex.shutdownNow();
            }
            refreshWatches.removeAll();
            signalWatches.removeAll();
            try {
                ZkAccess access = coordinator.internalAccess();
                CompletableFuture<?> unused = ZkAccess.delete(access.handle(), access.fullPath(writerPath), -1)
                        .whenComplete((reply, failure) -> replies.countDown());
            } catch (RuntimeException e) {
                replies.countDown();
                LOG.debug("work queue {}: could not delete writer znode {} on close", store.path, writerPath, e);
            }
            try {
                if (!replies.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.info(
                            "work queue {} closed with {} claim release(s) or its writer znode's delete unanswered;"
                                    + " the session's end releases them",
                            store.path,
                            replies.getCount());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        signalChange();
    }

    @Override
    public String path() {
        return store.path;
    }

    /**
     * UP (a lost claim is redelivered, as the queue promises). Details: the claims this instance
     * holds; the depth and the next dead-letter id as of the last refresh, known only while a depth
     * or dead-letter listener is registered (the queue reads them for its listeners).
     */
    @Override
    public Health describe() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("claimsHeld", held.size());
        synchronized (lock) {
            Versioned<Long> depth = lastDepth;
            if (depth != null && depthListeners.size() > 0) {
                details.put("depth", depth.value());
            }
            if (nextDeadToDeliver >= 0) {
                details.put("nextDeadLetterId", nextDeadToDeliver);
            }
        }
        if (capacity != Long.MAX_VALUE) {
            details.put("capacity", capacity);
        }
        details.put("takesStranded", strandedPasses.get());
        return new Health(Health.Status.UP, "holding " + held.size() + " claim(s)", details);
    }

    @Override
    public String toString() {
        return "WorkQueue{" + store.path + ", " + lifecycle.state() + '}';
    }

    // ---------------------------------------------------------------- listeners

    @Override
    public void addListener(StateListener<Long> listener) {
        addListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public void addListener(StateListener<Long> listener, Executor executor) {
        if (lifecycle.state() == LifecycleState.CLOSED) {
            throw new IllegalStateException("WorkQueue " + store.path + " is closed; cannot add a listener");
        }
        synchronized (lock) {
            depthListeners.add(listener, executor);
            Versioned<Long> known = lastDepth;
            if (known != null) {
                StateChange<Long> initial = StateChange.of(store.path, ChangeKind.INITIAL, null, known);
                depthListeners.enqueueTo(listener, initial, l -> l.onChange(initial));
            }
        }
        depthListeners.dispatch();
        scheduleRefresh();
    }

    @Override
    public boolean removeListener(StateListener<Long> listener) {
        return depthListeners.remove(listener);
    }

    @Override
    public void addDeadLetterListener(StateListener<DeadLetter<T>> listener) {
        addDeadLetterListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public void addDeadLetterListener(StateListener<DeadLetter<T>> listener, Executor executor) {
        if (lifecycle.state() == LifecycleState.CLOSED) {
            throw new IllegalStateException("WorkQueue " + store.path + " is closed; cannot add a listener");
        }
        deadListeners.add(listener, executor);
        scheduleRefresh();
    }

    @Override
    public boolean removeDeadLetterListener(StateListener<DeadLetter<T>> listener) {
        return deadListeners.remove(listener);
    }

    private void onConnection(ConnectionEvent event) {
        if (event.kind() == ConnectionEvent.Kind.LOST
                || (event.kind() == ConnectionEvent.Kind.RECONNECTED && event.isNewSession())) {
            // The session is gone, and every claim (an ephemeral znode of it) with it.
            for (ClaimImpl<T> c : held) {
                c.markLost();
            }
        }
        depthListeners.publish(event, l -> l.onConnection(event));
        deadListeners.publish(event, l -> l.onConnection(event));
        if (event.isConnected()) {
            scheduleRefresh();
        }
        signalChange();
    }

    private void signalChange() {
        synchronized (signal) {
            changes++;
            signal.notifyAll();
        }
    }

    private long changes() {
        synchronized (signal) {
            return changes;
        }
    }

    /** Waits until a change is signalled after {@code seen}, or the deadline or a slice passed. */
    private void awaitChange(long seen, Deadline deadline) throws InterruptedException {
        synchronized (signal) {
            while (changes == seen && lifecycle.isStarted()) {
                long remaining = TakeClock.nextWaitNanos(deadline);
                if (remaining <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, remaining);
                if (remaining == TakeClock.WAIT_SLICE_NANOS) {
                    return;
                }
            }
        }
    }

    private void scheduleRefresh() {
        ExecutorService ex = refresher;
        if (ex == null || !lifecycle.isStarted() || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            ex.execute(this::refresh);
        } catch (RejectedExecutionException e) {
            refreshQueued.set(false);
        }
    }

    /** Re-reads depth and the dead-letter tail (re-arming watches) and delivers what changed. */
    private void refresh() {
        refreshQueued.set(false);
        if (!lifecycle.isStarted()) {
            return;
        }
        boolean wantDepth = depthListeners.size() > 0;
        boolean wantDead = deadListeners.size() > 0;
        if (!wantDepth && !wantDead) {
            synchronized (lock) {
                nextDeadToDeliver = -1;
            }
            return;
        }
        // One pass, against the queue's operation timeout: behind a dead connection it ends by then,
        // and the reconnection schedules the next.
        Deadline d = coordinator.internalAccess().deadline(operationTimeout);
        String what = "refresh of work queue " + store.path;
        try {
            QueueStore.Layout m = store.layout(d, what, Outcome.NOT_APPLIED);
            QueueStore.Counter tail =
                    store.readCounterWatched(store.tailPath, refreshWatches, d, what, Outcome.NOT_APPLIED);
            QueueStore.Counter removed =
                    store.readCounterWatched(store.removedPath, refreshWatches, d, what, Outcome.NOT_APPLIED);
            QueueStore.Counter deadTail =
                    store.readCounterWatched(store.deadTailPath, refreshWatches, d, what, Outcome.NOT_APPLIED);
            long depth = QueueStore.depth(tail, removed);
            Versioned<Long> now = Versioned.of(
                    depth, Math.max(0, tail.version()), tail.czxid(), Math.max(tail.mzxid(), removed.mzxid()));
            long from;
            synchronized (lock) {
                from = nextDeadToDeliver < 0 ? deadTail.value() : nextDeadToDeliver;
            }
            List<DeadLetter<T>> arrivals = from < deadTail.value()
                    ? readDeadLetters(
                            m,
                            from,
                            deadTail.value(),
                            Integer.MAX_VALUE,
                            d,
                            "read of the dead letters of work queue " + store.path)
                    : List.of();
            synchronized (lock) {
                Versioned<Long> last = lastDepth;
                if (last == null) {
                    lastDepth = now;
                    StateChange<Long> initial = StateChange.of(store.path, ChangeKind.INITIAL, null, now);
                    depthListeners.enqueue(initial, l -> l.onChange(initial));
                } else if (now.mzxid() > last.mzxid() && !now.value().equals(last.value())) {
                    lastDepth = now;
                    StateChange<Long> updated = StateChange.of(store.path, ChangeKind.UPDATED, last, now);
                    depthListeners.enqueue(updated, l -> l.onChange(updated));
                }
                if (nextDeadToDeliver < 0 || nextDeadToDeliver == from) {
                    for (DeadLetter<T> letter : arrivals) {
                        Versioned<DeadLetter<T>> v = Versioned.of(letter, 0, deadTail.mzxid(), deadTail.mzxid());
                        StateChange<DeadLetter<T>> created =
                                StateChange.of(store.deadPath(m, letter.id()), ChangeKind.CREATED, null, v);
                        deadListeners.enqueue(created, l -> l.onChange(created));
                    }
                    nextDeadToDeliver = Math.max(deadTail.value(), from);
                }
            }
            depthListeners.dispatch();
            deadListeners.dispatch();
        } catch (RuntimeException e) {
            // Retried on the next watch event or reconnection.
            LOG.debug("work queue {}: refresh failed; will retry on the next event", store.path, e);
        }
    }

    // ---------------------------------------------------------------- offer

    @Override
    public long offer(T item) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        return offerAll(List.of(item), Duration.ZERO);
    }

    @Override
    public long offer(T item, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(item, "item");
        return offerAll(List.of(item), timeout);
    }

    @Override
    public long offerAll(List<? extends T> items) throws InterruptedException {
        return offerAll(items, Duration.ZERO);
    }

    @Override
    public long offerAll(List<? extends T> items, Duration timeout) throws InterruptedException {
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
            int size = PackFormat.HEADER_BYTES + PackFormat.PER_EVENT_BYTES + encoded.length + DEAD_LETTER_RESERVE;
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
                    long seen = changes();
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
                        awaitChange(seen, d);
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
                    long p = next + i;
                    if (p % m.segmentSize() == 0) {
                        long segment = p / m.segmentSize();
                        if (segment % m.groupSize() == 0) {
                            ops.add(c.create(
                                    CreateMode.PERSISTENT, store.itemGroupPath(segment / m.groupSize()), new byte[0]));
                        }
                        ops.add(c.create(CreateMode.PERSISTENT, store.itemSegmentPath(m, segment), new byte[0]));
                    }
                    ops.add(c.create(CreateMode.PERSISTENT, store.itemPath(m, p), records.get(i)));
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

    // ---------------------------------------------------------------- take

    @Override
    public Optional<Claim<T>> take(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.requireStarted();
        // Each pass of I/O runs on a taker thread; this thread waits for it up to the deadline plus
        // the slack, and the pass itself runs against that deadline, so a dead connection cannot hold either.
        TakeClock clock = new TakeClock(coordinator.internalAccess().ticker(), timeout);
        boolean arm = false;
        while (true) {
            long seen = changes();
            boolean tried = false;
            if (coordinator.isConnected() && strandedPasses.get() < MAX_STRANDED_PASSES) {
                tried = true;
                ClaimImpl<T> claim = pass(arm, clock.pass());
                if (claim != null) {
                    return Optional.of(claim);
                }
            }
            if (clock.expired()) {
                return Optional.empty();
            }
            if (tried && !arm) {
                // Scan again with watches armed, so that a change after this scan wakes the wait.
                arm = true;
                continue;
            }
            // Not connected (no I/O until the connection is back: onConnection signals it), or
            // waiting for a change the armed watches report.
            awaitChange(seen, clock.take());
            lifecycle.requireStarted();
        }
    }

    /**
     * Runs one pass (the cached candidates, then a scan) on a taker thread and waits for it until
     * the deadline. Returns its claim, or null if it found none, lost the connection, or ran out of
     * time; a pass that ends after its take returned gives back any claim it made.
     */
    private @Nullable ClaimImpl<T> pass(boolean arm, Deadline passDeadline) throws InterruptedException {
        ExecutorService ex = takers;
        if (ex == null) {
            throw new IllegalStateException("WorkQueue " + store.path + " is not started");
        }
        // The pass's own deadline is the one its take waits for it until: past it, the pass ends too.
        Pass p = new Pass(arm, passDeadline);
        Future<Boolean> f;
        try {
            f = ex.submit(p);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("WorkQueue " + store.path + " is closed", e);
        }
        try {
            f.get(passDeadline.remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return p.abandon();
        } catch (InterruptedException e) {
            ClaimImpl<T> late = p.abandon();
            if (late != null) {
                // Given back on a taker thread: the interrupted caller does not wait for the release.
                try {
                    ex.execute(late::close);
                } catch (RejectedExecutionException closed) {
                    late.close();
                }
            }
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StateSyncException sse) {
                if (sse.reason() == StateSyncException.Reason.CONNECTION_LOSS
                        || sse.reason() == StateSyncException.Reason.SESSION_EXPIRED
                        || sse.reason() == StateSyncException.Reason.TIMEOUT) {
                    // No item this pass (it lost the connection, or ran out of its time, the take's);
                    // the loop waits for the connection or ends with the take's deadline.
                    return null;
                }
                throw sse;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            if (cause instanceof InterruptedException) {
                return null; // the taker was interrupted by close()
            }
            throw new StateSyncException(
                    StateSyncException.Reason.OTHER,
                    store.path,
                    "take from " + store.path + " failed: " + cause,
                    cause);
        }
        return p.result();
    }

    /** One pass of a take, run on a taker thread; its take may abandon it. */
    private final class Pass implements Callable<Boolean> {
        private final boolean arm;
        private final Deadline deadline;
        private final Object lock = new Object();
        /** Guarded by {@link #lock}. */
        private boolean done;
        /** Guarded by {@link #lock}. */
        private boolean abandoned;
        /** Guarded by {@link #lock}. */
        private @Nullable ClaimImpl<T> result;

        Pass(boolean arm, Deadline deadline) {
            this.arm = arm;
            this.deadline = deadline;
        }

        @Override
        public Boolean call() throws InterruptedException {
            ClaimImpl<T> claim = null;
            try {
                claim = fromCache(deadline);
                if (claim == null) {
                    claim = scan(arm, deadline);
                }
                return claim != null;
            } finally {
                boolean wasAbandoned;
                synchronized (lock) {
                    done = true;
                    wasAbandoned = abandoned;
                    if (!wasAbandoned) {
                        result = claim;
                    }
                }
                if (wasAbandoned) {
                    strandedPasses.decrementAndGet();
                    if (claim != null) {
                        LOG.info(
                                "work queue {}: a take returned before its claim on position {} landed; giving it"
                                        + " back",
                                store.path,
                                claim.position());
                        claim.close();
                    }
                    signalChange();
                }
            }
        }

        /** The take stops waiting: the claim if the pass has just made one, else null (given back later). */
        @Nullable
        ClaimImpl<T> abandon() {
            synchronized (lock) {
                if (done) {
                    return result;
                }
                abandoned = true;
                strandedPasses.incrementAndGet();
            }
            return null;
        }

        @Nullable
        ClaimImpl<T> result() {
            synchronized (lock) {
                return result;
            }
        }
    }

    /**
     * One pass from the head segment: claims the first available item, or returns null. Every
     * request against the pass's deadline.
     */
    private @Nullable ClaimImpl<T> scan(boolean arm, Deadline d) throws InterruptedException {
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
            ClaimImpl<T> claim = claimFirst(m, candidates, d);
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
    private @Nullable ClaimImpl<T> claimFirst(QueueStore.Layout m, List<Long> candidates, Deadline d)
            throws InterruptedException {
        List<Long> later = new ArrayList<>();
        boolean[] collided = new boolean[1];
        int i = 0;
        while (i < candidates.size()) {
            collided[0] = false;
            ClaimImpl<T> claim = attempt(m, candidates.get(i), collided, d);
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
            ClaimImpl<T> claim = attempt(m, p, collided, d);
            if (claim != null) {
                return claim;
            }
        }
        return null;
    }

    /** Tries the candidates this instance listed last; null when they are used up. */
    private @Nullable ClaimImpl<T> fromCache(Deadline d) throws InterruptedException {
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
            ClaimImpl<T> claim = attempt(m, p, collided, d);
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
    private @Nullable ClaimImpl<T> attempt(QueueStore.Layout m, long p, boolean[] collided, Deadline d)
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
            deadLetter(
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
            deadLetter(
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
            deadLetter(
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
                return newClaim(m, p, value, version + 1, data, session);
            } catch (StateSyncException e) {
                switch (e.reason()) {
                    case NODE_EXISTS -> {
                        // Held by another consumer, or ours landed and Curator's retry of it failed.
                        if (isOurs(claimPath, token, d, what)) {
                            return newClaim(m, p, value, version + 1, data, session);
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
                                ? newClaim(m, p, value, version + 1, data, session)
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

    private ClaimImpl<T> newClaim(QueueStore.Layout m, long p, T value, int deliveries, byte[] data, long session) {
        ClaimImpl<T> claim = new ClaimImpl<>(this, m, p, value, deliveries, data, session);
        held.add(claim);
        if (!lifecycle.isStarted()) {
            // Closed while claiming: give it back at once.
            claim.close();
        }
        return claim;
    }

    void forget(ClaimImpl<T> claim) {
        held.remove(claim);
    }

    /**
     * Moves an item to the dead-letter queue, atomically with its removal. With {@code ours}, the
     * caller holds the item's claim; without, the move takes (and drops) a claim in the same
     * {@code multi}, so it cannot race a consumer that holds one.
     *
     * @return {@code true} if the item is gone from the queue (moved by this call or by someone else)
     */
    boolean deadLetter(
            QueueStore.Layout m,
            long p,
            byte[] itemData,
            int itemVersion,
            DeadLetter.Cause cause,
            String detail,
            @Nullable ClaimImpl<T> ours,
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
                if (d % m.segmentSize() == 0) {
                    long segment = d / m.segmentSize();
                    if (segment % m.groupSize() == 0) {
                        ops.add(c.create(
                                CreateMode.PERSISTENT, store.deadGroupPath(segment / m.groupSize()), new byte[0]));
                    }
                    ops.add(c.create(CreateMode.PERSISTENT, store.deadSegmentPath(m, segment), new byte[0]));
                }
                ops.add(c.create(CreateMode.PERSISTENT, store.deadPath(m, d), record));
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

    // ---------------------------------------------------------------- reads

    @Override
    public long size() throws InterruptedException {
        return size(operationTimeout);
    }

    @Override
    public long size(Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException("size of " + store.path + " not read: the thread was interrupted");
        }
        String what = "size of work queue " + store.path;
        store.layout(d, what, Outcome.NOT_APPLIED);
        QueueStore.Counter tail = store.readCounter(store.tailPath, d, what, Outcome.NOT_APPLIED);
        QueueStore.Counter removed = store.readCounter(store.removedPath, d, what, Outcome.NOT_APPLIED);
        return QueueStore.depth(tail, removed);
    }

    @Override
    public List<DeadLetter<T>> deadLetters(long fromId, int max) throws InterruptedException {
        return deadLetters(fromId, max, operationTimeout);
    }

    @Override
    public List<DeadLetter<T>> deadLetters(long fromId, int max, Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (fromId < 0) {
            throw new IllegalArgumentException("fromId must be >= 0, was " + fromId);
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException("dead letters of " + store.path + " not read: the thread was interrupted");
        }
        String what = "read of the dead letters of work queue " + store.path;
        QueueStore.Layout m = store.layout(d, what, Outcome.NOT_APPLIED);
        QueueStore.Counter deadTail = store.readCounter(store.deadTailPath, d, what, Outcome.NOT_APPLIED);
        return readDeadLetters(m, fromId, deadTail.value(), max, d, what);
    }

    private List<DeadLetter<T>> readDeadLetters(
            QueueStore.Layout m, long from, long end, int max, Deadline d, String what) {
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
        List<byte[]> parts;
        try {
            parts = PackFormat.decode(p, data).events();
        } catch (IllegalArgumentException e) {
            throw new DecodingException(p, -1, data.length, e);
        }
        if (parts.size() < 2) {
            throw new DecodingException(p, -1, data.length, new IllegalArgumentException("no dead-letter header"));
        }
        long position = -1;
        DeadLetter.Cause cause = DeadLetter.Cause.UNDECODABLE;
        int deliveries = 0;
        String detail = "";
        for (String line : new String(parts.get(1), StandardCharsets.UTF_8).split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1);
            try {
                switch (line.substring(0, eq)) {
                    case "position" -> position = Long.parseLong(value);
                    case "cause" -> cause = DeadLetter.Cause.valueOf(value);
                    case "deliveries" -> deliveries = Integer.parseInt(value);
                    case "detail" -> detail = value;
                    default -> {}
                }
            } catch (IllegalArgumentException e) {
                throw new DecodingException(p, -1, data.length, e);
            }
        }
        byte[] raw = parts.get(0);
        byte[] encoded = raw;
        try {
            encoded = PackFormat.decode(p, raw).events().get(0);
        } catch (IllegalArgumentException e) {
            // not a queue record: keep the raw bytes
        }
        T value = null;
        try {
            value = codec.decode(encoded);
        } catch (RuntimeException e) {
            // undecodable: the dead letter carries the bytes only
        }
        return new DeadLetter<>(id, position, cause, detail, deliveries, encoded, value);
    }

    @Override
    public boolean deleteDeadLetter(long id) throws InterruptedException {
        return deleteDeadLetter(id, operationTimeout);
    }

    @Override
    public boolean deleteDeadLetter(long id, Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0, was " + id);
        }
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException("dead letter " + id + " of " + store.path + " not deleted: interrupted");
        }
        String what = "delete of dead letter " + id + " of work queue " + store.path;
        String p = store.deadPath(store.layout(d, what, Outcome.NOT_APPLIED), id);
        // Repeated after a lost reply: a delete that landed then answers NO_NODE, reported as false.
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
