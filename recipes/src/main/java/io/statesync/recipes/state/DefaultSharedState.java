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
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.VersionConflictException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.AbstractRecipe;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RecipeRegistry;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.WriterMarker;
import io.statesync.recipes.state.StateView.Base;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.zookeeper.KeeperException;
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
final class DefaultSharedState<T> extends AbstractRecipe<T> implements SharedState<T>, RecipeRegistry.Reporting {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSharedState.class);
    private static final byte[] EMPTY = new byte[0];
    /** Conflicts in a row after which an update takes a turn (see {@link Turns}), at most. */
    private static final int TAKE_TURN_AFTER = 8;
    /** The cap of the random pause after the first conflict; it doubles with each further one. */
    private static final long BACKOFF_UNIT_NANOS = TimeUnit.MICROSECONDS.toNanos(300);

    private final ZkAccess access;
    private final String path;
    private final String fullPath;
    private final WriterMarker marker;
    private final Codec<T> codec;
    private final T initialValue;
    private final int maxUpdateAttempts;
    private final int takeTurnAfter;
    private final long maxBackoffNanos;
    private final StateView<T> view;
    private final Turns turns;
    private final Telemetry.Probe probe;

    private final WriteQueue<T> writes;
    /** Confined to the combiner (one thread at a time; handed over under the queue's lock). */
    private final BatchWriter<T> writer;

    DefaultSharedState(
            Coordinator coordinator,
            String path,
            Codec<T> codec,
            T initialValue,
            byte[] initialBytes,
            int maxUpdateAttempts,
            Duration maxBackoff) {
        super(coordinator, "SharedState " + path);
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
        this.view = new StateView<>(coordinator, path, codec, initialValue, initialBytes, lifecycle, listeners, lock);
        this.writer = new BatchWriter<>(coordinator, path, marker, turns, view, listeners, probe);
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
        coordinator.internalRecipes().register("SharedState", path, this);
    }

    // ---------------------------------------------------------------- lifecycle and listeners

    @Override
    protected void doStart() {
        if (coordinator.isConnected()) {
            view.attach();
        }
    }

    @Override
    protected void doClose(LifecycleState previous) {
        if (previous != LifecycleState.STARTED) {
            return;
        }
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
    protected void onConnection(ConnectionEvent event) {
        view.onConnection(event);
    }

    @Override
    protected void replayInitial(StateListener<T> listener) {
        view.replayInitial(listener);
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
        ZkAccess.Reply r =
                probe.observe("read", () -> view.readFresh(deadline, "read of " + path, Outcome.NOT_APPLIED));
        Stat stat = r.stat();
        if (r.rc() != 0 || stat == null) {
            return Optional.empty();
        }
        byte[] raw = r.data();
        byte[] data = raw == null ? EMPTY : raw;
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
        writer.batchDeadline = deadline;
        writer.batchWhat = batch.size() == 1
                ? batch.get(0).what
                : batch.get(0).what + " (combined with " + (batch.size() - 1) + " more)";
        writer.inDoubt = false;
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
            if (writer.inDoubt) {
                marker.forget(); // the marker's version is unknown: read it again before the next write
            }
            writer.inDoubt = false;
        }
    }

    private Base<T> freshBase() {
        ZkAccess.Reply r = view.readFresh(writer.batchDeadline, writer.batchWhat, writer.outcome());
        Stat stat = r.stat();
        if (r.rc() != 0 || stat == null) {
            return new Base<>(false, -1, -1, initialValue);
        }
        byte[] raw = r.data();
        byte[] data = raw == null ? EMPTY : raw;
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
        @Nullable Base<T> lost = null; // the base of the write that lost last
        int conflicts = 0;
        while (!live.isEmpty()) {
            if (awaitTurn()) {
                base = newer(base, view.localBase()); // others wrote meanwhile: compute on their value
            }
            // A change announced and not read yet would make this write lose: wait for the read
            // already in flight for it (no request) and compute on its value.
            view.awaitAnnouncedChange(courtesyBound());
            base = newer(base, view.localBase());
            if (base != null && base == lost) {
                base = null; // the view has nothing newer than the value the write lost on: read it
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
            Versioned<byte[]> written = writer.write(base.exists ? base.version : -1, base.czxid, data);
            if (written != null) {
                writer.contention = Math.max(0, writer.contention - 1);
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
            writer.contention = 8;
            if (conflicts >= takeTurnAfter) {
                takeTurn(); // lost several times in a row: queue up, the others hold back
            } else {
                // Back off, a random time doubling with each loss: the server's capacity goes to
                // the writes that can land instead of to writes bound to lose again.
                backoffAfterConflict(conflicts);
            }
            // Retry on the value that won: its event came before the losing write's reply, which
            // started the read of it (or the event did); the next round waits for that read.
            lost = base;
        }
    }

    /**
     * Sleeps before attempt {@code conflicts + 1}: a random time up to {@link #BACKOFF_UNIT_NANOS}
     * doubling per conflict, capped at {@code maxBackoff} and at the batch's deadline.
     */
    private void backoffAfterConflict(int conflicts) {
        long cap = Math.min(maxBackoffNanos, BACKOFF_UNIT_NANOS << Math.min(conflicts - 1, 20));
        try {
            if (!writer.batchDeadline.sleep(ThreadLocalRandom.current().nextLong(Math.max(1, cap)))) {
                throw writer.batchDeadline.expired(path, writer.batchWhat, writer.outcome());
            }
        } catch (InterruptedException e) {
            throw Deadline.interrupted(path, writer.batchWhat, writer.outcome());
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
        return access.deadline(Duration.ofNanos(maxBackoffNanos)).min(writer.batchDeadline);
    }

    private void takeTurn() {
        try {
            ZooKeeper zk = access.handle();
            turns.take(zk, writer.batchDeadline);
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
        Versioned<byte[]> written =
                writer.write(expected.version(), expected.czxid(), Objects.requireNonNull(op.nextBytes));
        writes.finish(op, Optional.ofNullable(written), null);
    }

    private void runDelete(WriteOp<T> op) {
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            CompletableFuture<Integer> reply = new CompletableFuture<>();
            writer.inDoubt = true;
            zk.delete(fullPath, -1, (rc, p, ctx) -> reply.complete(rc), null);
            int rc = writer.awaitReply(reply);
            if (rc == 0) {
                writer.inDoubt = false;
                writes.finish(op, true, null);
                return;
            }
            if (rc == KeeperException.Code.NONODE.intValue()) {
                writer.inDoubt = false;
                // After a lost reply this may be our own first attempt; either way the node is gone.
                writes.finish(op, losses > 0, null);
                return;
            }
            if (ZkAccess.isLoss(rc)) {
                access.backoff(++losses, writer.batchDeadline, path, writer.batchWhat, writer.outcome());
                continue;
            }
            writer.inDoubt = false;
            throw ZkAccess.error(rc, path);
        }
    }
}
