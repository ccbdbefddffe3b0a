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
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.Versioned;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.WatchSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.Watcher;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The implementation of {@link WorkQueue}. */
final class DefaultWorkQueue<T> extends AbstractRecipe<Long> implements WorkQueue<T>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultWorkQueue.class);

    /** How long {@code close()} waits for its claims' releases before returning. */
    static final long CLOSE_WAIT_MILLIS = 1_000;
    /** At most this many abandoned passes (still blocked in I/O) before takes stop starting new ones. */
    private static final int MAX_STRANDED_PASSES = 2;

    final QueueStore store;
    final Codec<T> codec;
    final int maxDeliveries;
    final long capacity;
    final Duration operationTimeout;
    final DeadLetters<T> deadLetters;
    final Telemetry.Probe probe;
    private final Offers<T> offers;
    private final Claims<T> claims;
    private final TakePasses<T> passes;
    final long writerHigh;
    final long writerLow;
    final String writerPath;
    /** This writer's sequence: each offer, dead-letter record and claim token takes the next. */
    final AtomicLong sequence = new AtomicLong();

    private final ListenerSet<StateListener<DeadLetter<T>>> deadListeners;
    private final Set<DefaultClaim<T>> held = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    /** The watches of the depth and dead-letter refresh: on the tail, removal and dead-tail counters. */
    private final WatchSet refreshWatches;
    /** The watches a waiting take or offer sets: the counters and the claim segments it scanned. */
    final WatchSet signalWatches;

    private final Object signal = new Object();
    /** Guarded by {@link #signal}: bumped on every watch event and connection transition. */
    private long changes;

    /** Guarded by {@link #lock}: the depth last delivered. */
    private @Nullable Versioned<Long> lastDepth;
    /** Guarded by {@link #lock}: the next dead-letter id to deliver, or -1 before the first refresh. */
    private long nextDeadToDeliver = -1;

    private volatile @Nullable ExecutorService refresher;
    /** Runs each take's pass of I/O, so that the caller waits for it only up to its deadline. */
    private volatile @Nullable ExecutorService takers;

    /**
     * A work queue as its builder describes it (the builder has checked every option).
     *
     * @param b the builder
     */
    DefaultWorkQueue(WorkQueue.Builder<T> b) {
        super(b.coordinator, "WorkQueue " + b.path);
        Coordinator coordinator = b.coordinator;
        String path = b.path;
        this.store = new QueueStore(coordinator, path, b.segmentSize, b.groupSize);
        this.codec = b.codec;
        this.maxDeliveries = b.maxDeliveries;
        this.capacity = b.capacity;
        this.operationTimeout = b.operationTimeout;
        UUID writer = UUID.randomUUID();
        this.writerHigh = writer.getMostSignificantBits();
        this.writerLow = writer.getLeastSignificantBits();
        this.probe = coordinator.internalTelemetry().probe("WorkQueue " + path, path);
        this.deadLetters = new DeadLetters<>(coordinator, store, codec, writerHigh, writerLow, sequence, probe);
        this.writerPath = store.writersDir + "/" + writer;
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
        this.offers = new Offers<>(this, lifecycle, signalWatches);
        this.claims = new Claims<>(this);
        this.passes = new TakePasses<>(claims, store.path, this::signalChange);
        coordinator.internalRecipes().register("WorkQueue", path, this);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    protected void doStart() {
        ZkAccess access = coordinator.internalAccess();
        ExecutorService ex =
                Executors.newSingleThreadExecutor(r -> access.newThread("statesync-queue-" + store.path, r));
        refresher = ex;
        AtomicInteger takerCount = new AtomicInteger();
        takers = Executors.newCachedThreadPool(
                r -> access.newThread("statesync-queue-take-" + takerCount.incrementAndGet() + "-" + store.path, r));
        scheduleRefresh();
    }

    @Override
    protected void doClose(LifecycleState before) {
        deadListeners.close();
        if (before == LifecycleState.STARTED) {
            ExecutorService t = takers;
            if (t != null) {
                t.shutdownNow(); // a pass that claims after this gives its claim back (newClaim)
            }
            // Nothing here blocks on the network: the claims' releases and the writer znode's delete
            // go out in the background, and close waits for their replies at most CLOSE_WAIT_MILLIS.
            // A release that does not land then is done by the session's end (the claims and the
            // writer znode are ephemeral).
            List<DefaultClaim<T>> claims = List.copyOf(held);
            CountDownLatch replies = new CountDownLatch(claims.size() + 1);
            for (DefaultClaim<T> c : claims) {
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
        details.put(ReportKeys.CLAIMS_HELD, held.size());
        synchronized (lock) {
            Versioned<Long> depth = lastDepth;
            if (depth != null && listeners.size() > 0) {
                details.put(ReportKeys.DEPTH, depth.value());
            }
            if (nextDeadToDeliver >= 0) {
                details.put("nextDeadLetterId", nextDeadToDeliver);
            }
        }
        if (capacity != Long.MAX_VALUE) {
            details.put("capacity", capacity);
        }
        details.put("takesStranded", passes.stranded());
        return new Health(Health.Status.UP, "holding " + held.size() + " claim(s)", details);
    }

    @Override
    public String toString() {
        return "WorkQueue{" + store.path + ", " + lifecycle.state() + '}';
    }

    // ---------------------------------------------------------------- listeners

    /** INITIAL with the depth last read, if any; a refresh reads it (again) for the new listener. */
    @Override
    protected void replayInitial(StateListener<Long> listener) {
        Versioned<Long> known = lastDepth;
        if (known != null) {
            StateChange<Long> initial = StateChange.of(store.path, ChangeKind.INITIAL, null, known);
            listeners.enqueueTo(listener, initial, l -> l.onChange(initial));
        }
        scheduleRefresh();
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

    @Override
    protected void onConnection(ConnectionEvent event) {
        if (event.kind() == ConnectionEvent.Kind.LOST
                || (event.kind() == ConnectionEvent.Kind.RECONNECTED && event.isNewSession())) {
            // The session is gone, and every claim (an ephemeral znode of it) with it.
            for (DefaultClaim<T> c : held) {
                c.markLost();
            }
        }
        listeners.publish(event, l -> l.onConnection(event));
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

    long changes() {
        synchronized (signal) {
            return changes;
        }
    }

    /** Waits until a change is signalled after {@code seen}, or the deadline or a slice passed. */
    void awaitChange(long seen, Deadline deadline) throws InterruptedException {
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
        boolean wantDepth = listeners.size() > 0;
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
                    ? deadLetters.read(
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
                    listeners.enqueue(initial, l -> l.onChange(initial));
                } else if (now.mzxid() > last.mzxid() && !now.value().equals(last.value())) {
                    lastDepth = now;
                    StateChange<Long> updated = StateChange.of(store.path, ChangeKind.UPDATED, last, now);
                    listeners.enqueue(updated, l -> l.onChange(updated));
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
            listeners.dispatch();
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
        return probe.observe("offer", () -> offers.offer(items, timeout));
    }

    // ---------------------------------------------------------------- take

    @Override
    public Optional<Claim<T>> take(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.requireStarted();
        return probe.observe("take", () -> takeOnce(timeout));
    }

    private Optional<Claim<T>> takeOnce(Duration timeout) throws InterruptedException {
        // Each pass of I/O runs on a taker thread; this thread waits for it up to the deadline plus
        // the slack, and the pass itself runs against that deadline, so a dead connection cannot hold either.
        TakeClock clock = new TakeClock(coordinator.internalAccess().ticker(), timeout);
        boolean arm = false;
        while (true) {
            long seen = changes();
            boolean tried = false;
            if (coordinator.isConnected() && passes.stranded() < MAX_STRANDED_PASSES) {
                tried = true;
                DefaultClaim<T> claim = pass(arm, clock.pass());
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
     * the deadline (see {@link TakePasses#run}).
     */
    private @Nullable DefaultClaim<T> pass(boolean arm, Deadline passDeadline) throws InterruptedException {
        return passes.run(takers, arm, passDeadline);
    }

    /** Forgets the cached candidates, so that the next take re-reads from the head. */
    void clearCache() {
        claims.clearCache();
    }

    DefaultClaim<T> newClaim(QueueStore.Layout m, long p, T value, int deliveries, byte[] data, long session) {
        DefaultClaim<T> claim = new DefaultClaim<>(this, m, p, value, deliveries, data, session);
        if (deliveries > 1) {
            probe.count(Telemetry.Event.REDELIVERY);
        }
        held.add(claim);
        if (!lifecycle.isStarted()) {
            // Closed while claiming: give it back at once.
            claim.close();
        }
        return claim;
    }

    void forget(DefaultClaim<T> claim) {
        held.remove(claim);
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
        return deadLetters.read(m, fromId, deadTail.value(), max, d, what);
    }

    @Override
    public boolean deleteDeadLetter(long id) throws InterruptedException {
        return deleteDeadLetter(id, operationTimeout);
    }

    @Override
    public boolean deleteDeadLetter(long id, Duration timeout) throws InterruptedException {
        return onDeadLetter(id, timeout, "delete", "deleted", (m, d, what) -> deadLetters.delete(m, id, d, what));
    }

    @Override
    public long requeueDeadLetter(long id) throws InterruptedException {
        return requeueDeadLetter(id, operationTimeout);
    }

    @Override
    public long requeueDeadLetter(long id, Duration timeout) throws InterruptedException {
        return onDeadLetter(
                id, timeout, "requeue", "requeued", (m, d, what) -> deadLetters.requeue(m, id, capacity, d));
    }

    /** What is done to one dead letter, on the queue's layout, within the call's deadline. */
    private interface DeadLetterOp<R> {
        R apply(QueueStore.Layout m, Deadline d, String what);
    }

    /**
     * Checks the timeout, the id, that the queue is started and the thread not interrupted, reads the
     * queue's layout and applies {@code op} to dead letter {@code id}; {@code action} and {@code done}
     * name it in messages.
     */
    private <R> R onDeadLetter(long id, Duration timeout, String action, String done, DeadLetterOp<R> op)
            throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0, was " + id);
        }
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException(
                    "dead letter " + id + " of " + store.path + " not " + done + ": interrupted");
        }
        String what = action + " of dead letter " + id + " of work queue " + store.path;
        return op.apply(store.layout(d, what, Outcome.NOT_APPLIED), d, what);
    }

    @Override
    public long purgeDeadLetters() throws InterruptedException {
        return purgeDeadLetters(operationTimeout);
    }

    @Override
    public long purgeDeadLetters(Duration timeout) throws InterruptedException {
        Deadline d = coordinator.internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException("dead letters of " + store.path + " not purged: interrupted");
        }
        String what = "purge of the dead letters of work queue " + store.path;
        return deadLetters.purge(store.layout(d, what, Outcome.NOT_APPLIED), d);
    }
}
