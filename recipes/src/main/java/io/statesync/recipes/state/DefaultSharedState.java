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
package io.statesync.recipes.state;

import io.statesync.core.Codec;
import io.statesync.core.ConnectionListener;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.VersionConflictException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.RequestSize;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.FreshRead;
import io.statesync.recipes.internal.WriterMarker;
import io.statesync.recipes.state.StateView.Base;
import io.statesync.recipes.state.StateView.DataReply;
import io.statesync.recipes.state.WriteQueue.OpKind;
import io.statesync.recipes.state.WriteQueue.WriteOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The implementation of {@link SharedState}: the public face and the writer. The local view (what
 * {@link #get()} returns and listeners hear) is {@link StateView}'s.
 *
 * <p>Writes are combined: callers queue operations, one caller at a time (the combiner) takes every
 * queued function, applies them in order and writes once. Each write is a {@code multi} of the
 * value write and a version-checked write of this instance's marker znode; when a reply is lost, the
 * marker's version says whether the write landed.
 */
final class DefaultSharedState<T> implements SharedState<T>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSharedState.class);
    private static final byte[] EMPTY = new byte[0];
    /** Conflicts in a row after which an update takes a turn (see {@link Turns}), at most. */
    private static final int TAKE_TURN_AFTER = 8;
    /** The cap of the random pause after the first conflict; it doubles with each further one. */
    private static final long BACKOFF_UNIT_NANOS = TimeUnit.MICROSECONDS.toNanos(300);

    private final Coordinator coordinator;
    private final ZkAccess access;
    private final String path;
    private final String fullPath;
    private final WriterMarker marker;
    private final Codec<T> codec;
    private final T initialValue;
    private final int maxUpdateAttempts;
    private final int takeTurnAfter;
    private final long maxBackoffNanos;
    private final Lifecycle lifecycle;
    private final ListenerSet<StateListener<T>> listeners;
    private final StateView<T> view;
    private final ConnectionListener connectionListener;
    private final Turns turns;
    private final Telemetry.Probe probe;

    private final WriteQueue<T> writes;

    // Confined to the combiner (one thread at a time; handed over under queueLock).

    DefaultSharedState(
            Coordinator coordinator,
            String path,
            Codec<T> codec,
            T initialValue,
            byte[] initialBytes,
            int maxUpdateAttempts,
            Duration maxBackoff) {
        this.coordinator = coordinator;
        this.access = coordinator.internalAccess();
        this.path = path;
        this.fullPath = access.fullPath(path);
        this.marker = new WriterMarker(coordinator);
        this.codec = codec;
        this.initialValue = initialValue;
        this.maxUpdateAttempts = maxUpdateAttempts;
        this.takeTurnAfter = Math.max(1, Math.min(TAKE_TURN_AFTER, maxUpdateAttempts / 4));
        this.maxBackoffNanos = maxBackoff.toNanos();
        this.turns = new Turns(coordinator, path);
        this.probe = coordinator.internalTelemetry().probe("SharedState " + path, path);
        this.batchDeadline = access.deadline(Duration.ZERO);
        this.lifecycle = new Lifecycle("SharedState " + path);
        this.listeners = new ListenerSet<>("SharedState " + path, coordinator);
        this.view = new StateView<>(coordinator, path, codec, initialValue, initialBytes, lifecycle, listeners);
        this.writes = new WriteQueue<>(path, new WriteQueue.Writer<>() {
            @Override
            public void runBatch(List<WriteOp<T>> batch) {
                DefaultSharedState.this.runBatch(batch);
            }

            @Override
            public void combined() {
                listeners.dispatch();
            }
        });
        this.connectionListener = view::onConnection;
        coordinator.internalRecipes().register("SharedState", path, this);
    }

    // ---------------------------------------------------------------- lifecycle and listeners

    @Override
    public void start() {
        lifecycle.start();
        coordinator.addListener(connectionListener, Runnable::run);
        if (coordinator.isConnected()) {
            view.attach();
        }
    }

    @Override
    public LifecycleState state() {
        return lifecycle.state();
    }

    @Override
    public void close() {
        LifecycleState previous = lifecycle.close();
        if (previous == LifecycleState.CLOSED) {
            return;
        }
        listeners.close();
        if (previous != LifecycleState.STARTED) {
            return;
        }
        coordinator.removeListener(connectionListener);
        turns.detach();
        ZooKeeper zk = view.detach();
        if (zk != null) {
            try {
                marker.deleteQuietly(zk);
            } catch (RuntimeException e) {
                LOG.debug("SharedState {}: cleanup on close failed", path, e);
            }
        }
    }

    @Override
    public void addListener(StateListener<T> listener) {
        addListener(listener, coordinator.listenerExecutor());
    }

    @Override
    public void addListener(StateListener<T> listener, Executor executor) {
        view.addListener(listener, executor);
    }

    @Override
    public boolean removeListener(StateListener<T> listener) {
        return listeners.remove(listener);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Optional<Versioned<T>> get() {
        return Optional.ofNullable(view.current());
    }

    @Override
    public boolean awaitInitialized(Duration timeout) throws InterruptedException {
        return view.awaitInitialized(timeout);
    }

    /** UP once the first read is in; DEGRADED before (get() is empty). Details: the value's version. */
    @Override
    public Health describe() {
        Versioned<T> v = view.current();
        boolean initialized = view.isInitialized();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("initialized", initialized);
        details.put("exists", v != null);
        if (v != null) {
            details.put(ReportKeys.VERSION, v.version());
            details.put("mzxid", v.mzxid());
        }
        details.put("listeners", listeners.size());
        if (lifecycle.isStarted() && !initialized) {
            return new Health(Health.Status.DEGRADED, "its first read has not completed; get() is empty", details);
        }
        return new Health(
                Health.Status.UP, v == null ? "the value does not exist" : "holding version " + v.version(), details);
    }

    @Override
    public String toString() {
        return "SharedState{" + path + ", " + lifecycle.state() + ", " + view.current() + '}';
    }

    @Override
    public Optional<Versioned<T>> read() throws InterruptedException {
        return read(coordinator.operationTimeout());
    }

    @Override
    public Optional<Versioned<T>> read(Duration timeout) throws InterruptedException {
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        DataReply r = probe.observe("read", () -> view.readFresh(deadline, "read of " + path, Outcome.NOT_APPLIED));
        Stat stat = r.stat;
        if (r.rc != 0 || stat == null) {
            return Optional.empty();
        }
        byte[] data = r.data == null ? EMPTY : r.data;
        T value = Codecs.decode(codec, path, stat.getVersion(), data);
        return Optional.of(Versioned.of(value, stat.getVersion(), stat.getCzxid(), stat.getMzxid()));
    }

    // ---------------------------------------------------------------- writing: the combining queue

    @Override
    public Versioned<T> set(T value) throws InterruptedException {
        return set(value, coordinator.operationTimeout());
    }

    @Override
    public Versioned<T> set(T value, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        coordinator.checkValueSize(path, codec.encode(value));
        lifecycle.requireStarted();
        return cast(probe.observe(
                "set",
                () -> writes.submit(
                        new WriteOp<>(OpKind.FUNCTION, x -> value, null, null, deadline, "set of " + path))));
    }

    @Override
    public Versioned<T> update(UnaryOperator<T> function) throws InterruptedException {
        return update(function, coordinator.operationTimeout());
    }

    @Override
    public Versioned<T> update(UnaryOperator<T> function, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(function, "function");
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        return cast(probe.observe(
                "update",
                () -> writes.submit(
                        new WriteOp<>(OpKind.FUNCTION, function, null, null, deadline, "update of " + path))));
    }

    @SuppressWarnings("unchecked")
    private Versioned<T> cast(Object result) {
        return (Versioned<T>) result;
    }

    @Override
    public Optional<Versioned<T>> compareAndSet(Versioned<T> expected, T next) throws InterruptedException {
        return compareAndSet(expected, next, coordinator.operationTimeout());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<Versioned<T>> compareAndSet(Versioned<T> expected, T next, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        byte[] bytes = codec.encode(next);
        coordinator.checkValueSize(path, bytes);
        lifecycle.requireStarted();
        Optional<Versioned<byte[]>> written = (Optional<Versioned<byte[]>>) probe.observe(
                "compareAndSet",
                () -> writes.submit(
                        new WriteOp<>(OpKind.CAS, null, expected, bytes, deadline, "compareAndSet of " + path)));
        return written.map(w -> w.withValue(next));
    }

    @Override
    public boolean delete() throws InterruptedException {
        return delete(coordinator.operationTimeout());
    }

    @Override
    public boolean delete(Duration timeout) throws InterruptedException {
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        lifecycle.requireStarted();
        return (Boolean) probe.observe(
                "delete",
                () -> writes.submit(new WriteOp<>(OpKind.DELETE, null, null, null, deadline, "delete of " + path)));
    }

    private void runBatch(List<WriteOp<T>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Deadline deadline = batch.get(0).deadline;
        for (WriteOp<T> op : batch) {
            deadline = deadline.min(op.deadline);
        }
        batchDeadline = deadline;
        batchWhat = batch.size() == 1
                ? batch.get(0).what
                : batch.get(0).what + " (combined with " + (batch.size() - 1) + " more)";
        inDoubt = false;
        try {
            switch (batch.get(0).kind) {
                case FUNCTION -> runFunctions(batch);
                case CAS -> runCompareAndSet(batch.get(0));
                case DELETE -> runDelete(batch.get(0));
            }
        } catch (RuntimeException e) {
            for (WriteOp<T> op : batch) {
                if (!writes.isDone(op)) {
                    writes.finish(op, null, e);
                }
            }
        } finally {
            if (inDoubt) {
                marker.forget(); // the marker's version is unknown: read it again before the next write
            }
            inDoubt = false;
        }
    }

    /** What running out of time or being interrupted now means for the batch. */
    private Outcome outcome() {
        return inDoubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
    }

    /** Waits for a reply until the batch's deadline. */
    private <R> R awaitReply(CompletableFuture<R> reply) {
        return ZkAccess.await(reply, batchDeadline, path, batchWhat, outcome());
    }

    /** The base a pipelined read gives, or {@code null} if it failed (then a fresh read is made). */
    private @Nullable Base<T> baseOf(@Nullable DataReply r) {
        if (r == null) {
            return null;
        }
        Stat stat = r.stat;
        if (r.rc == KeeperException.Code.NONODE.intValue()) {
            return new Base<>(false, -1, -1, initialValue);
        }
        if (r.rc != 0 || stat == null) {
            return null;
        }
        byte[] data = r.data == null ? EMPTY : r.data;
        return new Base<>(
                true, stat.getCzxid(), stat.getVersion(), Codecs.decode(codec, path, stat.getVersion(), data));
    }

    private Base<T> freshBase() {
        DataReply r = view.readFresh(batchDeadline, batchWhat, outcome());
        Stat stat = r.stat;
        if (r.rc != 0 || stat == null) {
            return new Base<>(false, -1, -1, initialValue);
        }
        byte[] data = r.data == null ? EMPTY : r.data;
        return new Base<>(
                true, stat.getCzxid(), stat.getVersion(), Codecs.decode(codec, path, stat.getVersion(), data));
    }

    private void runFunctions(List<WriteOp<T>> ops) {
        try {
            applyAndWrite(new ArrayList<>(ops));
        } finally {
            releaseTurn();
        }
    }

    /**
     * Applies the functions to the latest known value and writes the result, again on a fresh value
     * after each conflict, backing off; after {@link #takeTurnAfter} conflicts in a row it takes a
     * turn.
     */
    private void applyAndWrite(List<WriteOp<T>> live) {
        Base<T> base = view.localBase();
        int conflicts = 0;
        while (!live.isEmpty()) {
            if (awaitTurn()) {
                base = newer(base, view.localBase()); // others wrote meanwhile: compute on their value
            }
            if (base == null) {
                base = freshBase();
            }
            T value = base.value;
            List<T> results = new ArrayList<>(live.size());
            Iterator<WriteOp<T>> it = live.iterator();
            while (it.hasNext()) {
                WriteOp<T> op = it.next();
                try {
                    T next = Objects.requireNonNull(op.function).apply(value);
                    if (next == null) {
                        throw new NullPointerException("the update function of " + path + " returned null");
                    }
                    value = next;
                    results.add(next);
                } catch (RuntimeException e) {
                    it.remove();
                    writes.finish(op, null, e);
                }
            }
            if (live.isEmpty()) {
                return;
            }
            byte[] data = codec.encode(value);
            if (data.length > coordinator.maxValueBytes()) {
                // Refuse the last function (the one that made the value what it is) and recompute.
                WriteOp<T> last = live.remove(live.size() - 1);
                writes.finish(last, null, new ValueTooLargeException(path, data.length, coordinator.maxValueBytes()));
                continue;
            }
            prefetched = null;
            Versioned<byte[]> written = write(base.exists ? base.version : -1, base.czxid, data);
            if (written != null) {
                contention = Math.max(0, contention - 1);
                for (int i = 0; i < live.size(); i++) {
                    writes.finish(live.get(i), written.withValue(results.get(i)), null);
                }
                return;
            }
            conflicts++;
            probe.count(Telemetry.Event.CONFLICT);
            if (conflicts >= maxUpdateAttempts) {
                VersionConflictException e = new VersionConflictException(
                        path, "update of " + path + " lost to other writers " + conflicts + " times in a row", null);
                for (WriteOp<T> op : live) {
                    writes.finish(op, null, e);
                }
                return;
            }
            contention = 8;
            if (conflicts >= takeTurnAfter) {
                takeTurn(); // lost several times in a row: queue up, the others hold back
            } else {
                // Back off, a random time doubling with each loss: the server's capacity goes to
                // the writes that can land instead of to writes bound to lose again.
                backoffAfterConflict(conflicts);
            }
            // Retry at once on the value read right behind the losing write, or on the local value
            // if that is newer by now.
            base = newer(baseOf(prefetched), view.localBase());
        }
    }

    /**
     * Sleeps before attempt {@code conflicts + 1}: a random time up to {@link #BACKOFF_UNIT_NANOS}
     * doubling per conflict, capped at {@code maxBackoff} and at the batch's deadline.
     */
    private void backoffAfterConflict(int conflicts) {
        long cap = Math.min(maxBackoffNanos, BACKOFF_UNIT_NANOS << Math.min(conflicts - 1, 20));
        try {
            if (!batchDeadline.sleep(ThreadLocalRandom.current().nextLong(Math.max(1, cap)))) {
                throw batchDeadline.expired(path, batchWhat, outcome());
            }
        } catch (InterruptedException e) {
            throw Deadline.interrupted(path, batchWhat, outcome());
        }
    }

    /**
     * Holds back while other writers' turns come first ({@link Turns#awaitTurn}); if it had to, then
     * also until the read their writes triggered is back, so the local value is theirs.
     *
     * @return whether it held back
     */
    private boolean awaitTurn() {
        ZooKeeper zk;
        try {
            zk = access.handle();
        } catch (StateSyncException e) {
            return false; // no handle: the write finds out and waits for one
        }
        turns.attach(zk);
        if (!turns.awaitTurn(zk, courtesyBound())) {
            return false;
        }
        view.awaitReadInFlight(courtesyBound());
        return true;
    }

    /** The longest a writer holds back as a courtesy: {@code maxBackoff}, within the batch's deadline. */
    private Deadline courtesyBound() {
        return access.deadline(Duration.ofNanos(maxBackoffNanos)).min(batchDeadline);
    }

    private void takeTurn() {
        try {
            ZooKeeper zk = access.handle();
            turns.take(zk, batchDeadline);
            probe.count(Telemetry.Event.TURN_TAKEN);
            if (turns.holds(zk)) {
                // The ticket's reply came after the events of every write before it: once the read
                // those triggered is back, the local value is as new as any write can be that does not
                // respect the turn, and the turn's first write is unlikely to lose.
                view.awaitReadInFlight(courtesyBound());
            }
        } catch (StateSyncException e) {
            LOG.debug("SharedState {}: no turn taken", path, e);
        }
    }

    private void releaseTurn() {
        try {
            turns.release(access.handle());
        } catch (StateSyncException e) {
            LOG.debug("SharedState {}: turn not given up (it goes with the session)", path, e);
        }
    }

    /** The newer of two bases of one incarnation; {@code a} if they cannot be compared. */
    private @Nullable Base<T> newer(@Nullable Base<T> a, @Nullable Base<T> b) {
        if (a == null) {
            return b;
        }
        if (b != null && a.exists && b.exists && a.czxid == b.czxid && b.version > a.version) {
            return b;
        }
        return a;
    }

    private void runCompareAndSet(WriteOp<T> op) {
        Versioned<T> expected = Objects.requireNonNull(op.expected);
        if (view.otherIncarnation(expected.czxid())) {
            writes.finish(op, Optional.empty(), null); // a different incarnation of the node: cannot match
            return;
        }
        awaitTurn();
        Versioned<byte[]> written = write(expected.version(), expected.czxid(), Objects.requireNonNull(op.nextBytes));
        writes.finish(op, Optional.ofNullable(written), null);
    }

    private void runDelete(WriteOp<T> op) {
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            CompletableFuture<Integer> reply = new CompletableFuture<>();
            inDoubt = true;
            zk.delete(fullPath, -1, (rc, p, ctx) -> reply.complete(rc), null);
            int rc = awaitReply(reply);
            if (rc == 0) {
                inDoubt = false;
                writes.finish(op, true, null);
                return;
            }
            if (rc == KeeperException.Code.NONODE.intValue()) {
                inDoubt = false;
                // After a lost reply this may be our own first attempt; either way the node is gone.
                writes.finish(op, losses > 0, null);
                return;
            }
            if (ZkAccess.isLoss(rc)) {
                access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                continue;
            }
            inDoubt = false;
            throw ZkAccess.error(rc, path);
        }
    }

    // ---------------------------------------------------------------- writing: one write, resolved

    private enum Resolution {
        LANDED,
        RETRY_SAME,
        CONFLICT,
        FRESH_SESSION,
        UNKNOWN,
        LOSS
    }

    private @Nullable Versioned<byte[]> landed;
    // Confined to the combiner: the deadline and name of the batch being written, and whether a
    // request of it was sent whose outcome is not known yet.
    private Deadline batchDeadline;
    private String batchWhat = "";
    private boolean inDoubt;
    // Confined to the combiner: recent conflicts (decays with each write that lands), and the read
    // pipelined behind the last write when it was contended.
    private int contention;
    private @Nullable DataReply prefetched;

    /**
     * Writes {@code data} if the node is at {@code expectedVersion} (or, for -1, creates it), in one
     * multi with a version-checked write of the marker.
     *
     * @return the written value, or {@code null} on a conflict (the node moved, or exists/absent
     *     against expectation)
     */
    private @Nullable Versioned<byte[]> write(int expectedVersion, long expectedCzxid, byte[] data) {
        coordinator.checkValueSize(path, data);
        boolean doubt = false;
        long doubtSession = 0;
        int doubtMarker = 0;
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            if (doubt) {
                Resolution r = resolve(zk, expectedVersion, expectedCzxid, data, doubtSession, doubtMarker);
                if (r != Resolution.LOSS)
                    probe.count(
                            r == Resolution.LANDED
                                    ? Telemetry.Event.UNKNOWN_LANDED
                                    : r == Resolution.UNKNOWN
                                            ? Telemetry.Event.UNKNOWN_UNRESOLVED
                                            : Telemetry.Event.UNKNOWN_NOT_LANDED);
                switch (r) {
                    case LANDED -> {
                        inDoubt = false;
                        return Objects.requireNonNull(landed);
                    }
                    case CONFLICT -> {
                        inDoubt = false;
                        return null;
                    }
                    case FRESH_SESSION -> {
                        doubt = false;
                        inDoubt = false;
                    }
                    case UNKNOWN ->
                        throw new ConnectionLossException(
                                path,
                                "the session ended while a write to " + path
                                        + " was in flight and the node moved since; whether the write landed is"
                                        + " unknown, and it was not retried",
                                null);
                    case LOSS -> {
                        access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                        continue;
                    }
                    case RETRY_SAME -> inDoubt = false;
                }
            }
            if (!marker.ensure(zk, batchDeadline, path, batchWhat, outcome())) {
                access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                continue;
            }
            int mv = marker.version();
            inDoubt = true;
            MultiReply reply = multi(zk, expectedVersion, data, mv);
            if (!ZkAccess.isLoss(reply.rc) && !doubt) {
                inDoubt = false; // answered: landed, or refused as a whole
            }
            if (reply.rc == 0) {
                inDoubt = false;
                turns.released();
                marker.landed(mv);
                return Objects.requireNonNull(reply.written);
            }
            if (ZkAccess.isLoss(reply.rc)) {
                if (!doubt) {
                    doubt = true;
                    doubtSession = zk.getSessionId();
                    doubtMarker = mv;
                }
                access.backoff(++losses, batchDeadline, path, batchWhat, outcome());
                continue;
            }
            int valueRc = reply.opError(0);
            int markerRc = reply.opError(1);
            if (reply.opError(2) == KeeperException.Code.NONODE.intValue()) {
                turns.released(); // the ticket is gone (with an old session): write without it
                continue;
            }
            if (valueRc == KeeperException.Code.BADVERSION.intValue()
                    || valueRc == KeeperException.Code.NONODE.intValue()
                    || valueRc == KeeperException.Code.NODEEXISTS.intValue()) {
                if (valueRc == KeeperException.Code.NONODE.intValue() && expectedVersion < 0) {
                    createParents();
                    continue;
                }
                if (doubt) {
                    continue; // resolve: it may be our own earlier attempt that moved the node
                }
                return null;
            }
            if (markerRc == KeeperException.Code.BADVERSION.intValue() && doubt) {
                continue; // the marker moved: our earlier attempt landed; resolve says so
            }
            if (markerRc == KeeperException.Code.NONODE.intValue()
                    || markerRc == KeeperException.Code.BADVERSION.intValue()) {
                marker.forget(); // the marker went with an old session: make a new one
                continue;
            }
            throw ZkAccess.error(reply.rc, path);
        }
    }

    private void createParents() {
        access.createParents(fullPath, batchDeadline, path, batchWhat, outcome());
    }

    private static final class MultiReply {
        final int rc;
        final @Nullable List<OpResult> results;
        final @Nullable Versioned<byte[]> written;

        MultiReply(int rc, @Nullable List<OpResult> results, @Nullable Versioned<byte[]> written) {
            this.rc = rc;
            this.results = results;
            this.written = written;
        }

        int opError(int i) {
            return ZkAccess.opError(results, i);
        }
    }

    private MultiReply multi(ZooKeeper zk, int expectedVersion, byte[] data, int mv) {
        List<Op> ops = new ArrayList<>(3);
        ops.add(
                expectedVersion < 0
                        ? Op.create(fullPath, data, access.acl(), CreateMode.PERSISTENT)
                        : Op.setData(fullPath, data, expectedVersion));
        ops.add(marker.write(mv));
        String ticket = turns.held(zk);
        if (ticket != null) {
            ops.add(Op.delete(ticket, -1)); // the turn ends with the write that lands
        }
        if (access.mayReachPacketLimit(data.length)) {
            RequestSize.checkMulti(coordinator, ops, path); // nothing sent yet: refused as a whole
        }
        view.writeSent();
        if (contention == 0
                && zk.getState() == ZooKeeper.States.CONNECTED
                && batchDeadline.remainingNanos() > syncReplyBoundNanos()) {
            // Uncontended: wait for the reply on this thread, woken straight by the client's I/O
            // thread. The reply is applied here rather than in order on the event thread, which the
            // mzxid rule makes safe: an event or read that overtakes it is newer and wins.
            int rc = 0;
            List<OpResult> results;
            try {
                results = zk.multi(ops);
            } catch (KeeperException e) {
                rc = e.code().intValue();
                results = e.getResults();
            } catch (InterruptedException e) {
                // Interrupted while waiting: the request stays queued on the connection and may
                // still land; the caller hears that the outcome is unknown.
                onMultiReply(zk, KeeperException.Code.CONNECTIONLOSS.intValue(), null, data, false);
                throw Deadline.interrupted(path, batchWhat, Outcome.UNKNOWN);
            }
            prefetched = null;
            return onMultiReply(zk, rc, results, data, false);
        }
        CompletableFuture<MultiReply> reply = new CompletableFuture<>();
        zk.multi(ops, (rc, p, ctx, results) -> reply.complete(onMultiReply(zk, rc, results, data, true)), null);
        // Contended: pipeline a read behind the write. It costs no extra round trip, and if the write
        // loses, its reply (processed after the write) is the fresh base for the retry.
        CompletableFuture<DataReply> read = new CompletableFuture<>();
        view.readBehindWrite(zk, read);
        MultiReply result = awaitReply(reply);
        prefetched = result.rc != 0 ? awaitQuietly(read) : null;
        return result;
    }

    /**
     * How long a blocking call on a connected handle can take at most before the client gives up on
     * the connection (its read timeout, two thirds of the negotiated session timeout), with a
     * margin: only with more time than this left is the reply waited for on the caller's thread.
     */
    private long syncReplyBoundNanos() {
        return access.sessionTimeout().toNanos() * 3 / 4;
    }

    /** Waits for a reply that helps but is not needed, until the batch's deadline; null if none came. */
    private <R> @Nullable R awaitQuietly(CompletableFuture<R> reply) {
        try {
            return batchDeadline.await(reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the next wait reports it, with the outcome then known
            return null;
        } catch (TimeoutException | ExecutionException e) {
            return null;
        }
    }

    /**
     * A multi reply: applies a landed write before anyone hears of it. On the event thread it also
     * hands the changes to the listeners; on a caller's thread {@link WriteQueue#submit} does, once the caller
     * is no longer the combiner.
     */
    private MultiReply onMultiReply(
            ZooKeeper zk, int rc, @Nullable List<OpResult> results, byte[] data, boolean dispatch) {
        Versioned<byte[]> written = null;
        if (rc == 0 && results != null && results.size() >= 2) {
            Stat markerStat = ((OpResult.SetDataResult) results.get(1)).getStat();
            OpResult first = results.get(0);
            long zxid = markerStat.getMzxid();
            if (first instanceof OpResult.SetDataResult setData) {
                Stat s = setData.getStat();
                written = Versioned.of(data, s.getVersion(), s.getCzxid(), s.getMzxid());
            } else {
                written = Versioned.of(data, 0, zxid, zxid);
            }
        }
        boolean reread = view.writeReplied(zk, written, data);
        if (dispatch) {
            listeners.dispatch();
        }
        if (reread) {
            view.read(zk, null);
        }
        return new MultiReply(rc, results, written);
    }

    /**
     * Decides whether a write whose reply was lost landed. Same session: the marker's version says
     * (it moves only with a write of ours, and every write checks it). New session: the marker is
     * gone with the old one; only an unmoved node proves the write did not land.
     */
    private Resolution resolve(
            ZooKeeper zk, int expectedVersion, long expectedCzxid, byte[] data, long session, int mv) {
        if (zk.getSessionId() == session) {
            CompletableFuture<DataReply> node = new CompletableFuture<>();
            FreshRead.barrier(zk, fullPath);
            CompletableFuture<DataReply> markerRead =
                    marker.read(zk).thenApply(r -> new DataReply(r.rc(), r.data(), r.stat()));
            view.read(zk, node);
            DataReply m = awaitReply(markerRead);
            DataReply n = awaitReply(node);
            if (ZkAccess.isLoss(m.rc) || ZkAccess.isLoss(n.rc)) {
                return Resolution.LOSS;
            }
            Stat ms = m.stat;
            if (m.rc == 0 && ms != null) {
                if (ms.getVersion() == mv + 1) {
                    marker.landed(mv);
                    long zxid = ms.getMzxid();
                    landed = expectedVersion < 0
                            ? Versioned.of(data, 0, zxid, zxid)
                            : Versioned.of(data, expectedVersion + 1, expectedCzxid, zxid);
                    return Resolution.LANDED;
                }
                if (ms.getVersion() == mv) {
                    return unmoved(n, expectedVersion, expectedCzxid) ? Resolution.RETRY_SAME : Resolution.CONFLICT;
                }
            }
            marker.forget();
        }
        DataReply n = view.readFresh(batchDeadline, batchWhat, outcome());
        marker.forget();
        return unmoved(n, expectedVersion, expectedCzxid) ? Resolution.FRESH_SESSION : Resolution.UNKNOWN;
    }

    private static boolean unmoved(DataReply node, int expectedVersion, long expectedCzxid) {
        Stat s = node.stat;
        if (expectedVersion < 0) {
            return node.rc == KeeperException.Code.NONODE.intValue();
        }
        return node.rc == 0 && s != null && s.getCzxid() == expectedCzxid && s.getVersion() == expectedVersion;
    }
}
