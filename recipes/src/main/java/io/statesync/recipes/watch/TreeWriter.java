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
package io.statesync.recipes.watch;

import io.statesync.core.Codec;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.RequestSize;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.FreshRead;
import io.statesync.recipes.internal.WriterMarker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * The writes of a {@link StateTree}: one at a time per instance (the {@link WriterMarker} resolves
 * one write in doubt at a time). A write's reply is applied to the tree's view on the event thread
 * before the caller hears of it; a lost reply is resolved the way a shared state resolves it: an
 * unconditional put by reading the key back (our bytes there: landed), a compare-and-set by the
 * marker's version in the same session, by an unmoved key in a new one.
 */
final class TreeWriter<T> {

    private final Coordinator coordinator;
    private final ZkAccess access;
    private final Codec<T> codec;
    private final WriterMarker marker;
    private final Lifecycle lifecycle;
    private final DefaultStateTree<T> tree;
    // Writes of this instance go one at a time: the marker resolves one write in doubt at a time.
    private final ReentrantLock writeLock = new ReentrantLock();

    TreeWriter(
            Coordinator coordinator,
            Codec<T> codec,
            WriterMarker marker,
            Lifecycle lifecycle,
            DefaultStateTree<T> tree) {
        this.coordinator = coordinator;
        this.access = coordinator.internalAccess();
        this.codec = codec;
        this.marker = marker;
        this.lifecycle = lifecycle;
        this.tree = tree;
    }

    private String keyPath(String key) {
        return tree.keyPath(key);
    }

    private String keyFull(String key) {
        return tree.keyFull(key);
    }

    private ZkAccess.Reply readFresh(ZooKeeper zk, String key, Deadline deadline, String what, Outcome outcome) {
        return tree.readFresh(zk, key, deadline, what, outcome);
    }

    /** Applies a write's reply on the event thread, then completes the caller's future. */
    private void onWritten(
            ZooKeeper zk, String key, int rc, @Nullable Stat stat, byte[] data, CompletableFuture<ZkAccess.Reply> f) {
        if (rc == 0 && stat != null) {
            tree.applyWritten(zk, key, stat, data);
        }
        f.complete(new ZkAccess.Reply(rc, data, stat));
    }

    private ZkAccess.Reply setData(ZooKeeper zk, String key, byte[] data, int version, Deadline deadline, String what) {
        CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
        zk.setData(keyFull(key), data, version, (rc, p, ctx, stat) -> onWritten(zk, key, rc, stat, data, f), null);
        return ZkAccess.await(f, deadline, keyPath(key), what, Outcome.UNKNOWN);
    }

    private ZkAccess.Reply create(ZooKeeper zk, String key, byte[] data, Deadline deadline, String what) {
        CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
        zk.create(
                keyFull(key),
                data,
                access.acl(),
                CreateMode.PERSISTENT,
                (rc, p, ctx, name, stat) -> onWritten(zk, key, rc, stat, data, f),
                null);
        return ZkAccess.await(f, deadline, keyPath(key), what, Outcome.UNKNOWN);
    }

    /** Takes the instance's write lock within the deadline: the marker serves one write at a time. */
    private void lockWrites(Deadline deadline, String keyPath, String what) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException(what + " not started: the thread was interrupted");
        }
        if (!writeLock.tryLock(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
            throw deadline.expired(keyPath, what, Outcome.NOT_APPLIED);
        }
    }

    Versioned<T> put(String key, T value, Duration timeout) throws InterruptedException {
        ZPaths.validateKey(key);
        Objects.requireNonNull(value, "value");
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        byte[] data = codec.encode(value);
        String keyPath = keyPath(key);
        coordinator.checkValueSize(keyPath, data);
        lifecycle.requireStarted();
        String what = "put of " + keyPath;
        if (access.mayReachPacketLimit(data.length)) {
            RequestSize.checkCreate(coordinator, keyPath, data, CreateMode.PERSISTENT);
            RequestSize.checkSetData(coordinator, keyPath, data);
        }
        lockWrites(deadline, keyPath, what);
        try {
            int losses = 0;
            boolean rootChecked = false;
            boolean doubt = false;
            while (true) {
                ZooKeeper zk = access.handle();
                Outcome outcome = doubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
                if (doubt) {
                    // The reply of an earlier attempt was lost: if the key holds our bytes, the key is
                    // as this unconditional write would leave it, and it is not sent twice.
                    ZkAccess.Reply now = readFresh(zk, key, deadline, what, outcome);
                    if (ZkAccess.isLoss(now.rc())) {
                        access.backoff(++losses, deadline, keyPath, what, outcome);
                        continue;
                    }
                    Stat s = now.stat();
                    if (now.rc() == 0 && s != null && Arrays.equals(now.data(), data)) {
                        tree.probe.count(Telemetry.Event.UNKNOWN_LANDED);
                        return DefaultStateTree.written(value, s);
                    }
                    tree.probe.count(Telemetry.Event.UNKNOWN_NOT_LANDED);
                    doubt = false;
                }
                ZkAccess.Reply r = setData(zk, key, data, -1, deadline, what);
                if (r.rc() == KeeperException.Code.NONODE.intValue()) {
                    r = create(zk, key, data, deadline, what);
                    if (r.rc() == KeeperException.Code.NODEEXISTS.intValue()) {
                        continue;
                    }
                    if (r.rc() == KeeperException.Code.NONODE.intValue() && !rootChecked) {
                        rootChecked = true;
                        access.createParents(keyFull(key), deadline, keyPath, what, Outcome.NOT_APPLIED);
                        continue;
                    }
                }
                Stat stat = r.stat();
                if (r.rc() == 0 && stat != null) {
                    return DefaultStateTree.written(value, stat);
                }
                if (ZkAccess.isLoss(r.rc())) {
                    doubt = true;
                    access.backoff(++losses, deadline, keyPath, what, Outcome.UNKNOWN);
                    continue;
                }
                throw ZkAccess.error(r.rc(), keyPath);
            }
        } finally {
            writeLock.unlock();
        }
    }

    Optional<Versioned<T>> compareAndSet(String key, Versioned<T> expected, T next, Duration timeout)
            throws InterruptedException {
        ZPaths.validateKey(key);
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        byte[] data = codec.encode(next);
        String keyPath = keyPath(key);
        coordinator.checkValueSize(keyPath, data);
        lifecycle.requireStarted();
        String what = "compareAndSet of " + keyPath;
        lockWrites(deadline, keyPath, what);
        try {
            int losses = 0;
            boolean doubt = false;
            long doubtSession = 0;
            int doubtMarker = 0;
            while (true) {
                ZooKeeper zk = access.handle();
                Outcome outcome = doubt ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
                if (doubt) {
                    if (zk.getSessionId() == doubtSession) {
                        // Same session: the marker moved if and only if the write landed.
                        FreshRead.barrier(zk, keyFull(key));
                        CompletableFuture<ZkAccess.Reply> markerRead = marker.read(zk);
                        ZkAccess.Reply m = ZkAccess.await(markerRead, deadline, keyPath, what, outcome);
                        ZkAccess.Reply now = readFresh(zk, key, deadline, what, outcome);
                        if (ZkAccess.isLoss(m.rc()) || ZkAccess.isLoss(now.rc())) {
                            access.backoff(++losses, deadline, keyPath, what, outcome);
                            continue;
                        }
                        Stat ms = m.stat();
                        if (m.ok() && ms != null && ms.getVersion() == doubtMarker + 1) {
                            marker.landed(doubtMarker);
                            tree.probe.count(Telemetry.Event.UNKNOWN_LANDED);
                            return Optional.of(
                                    Versioned.of(next, expected.version() + 1, expected.czxid(), ms.getMzxid()));
                        }
                        if (m.ok() && ms != null && ms.getVersion() == doubtMarker) {
                            tree.probe.count(Telemetry.Event.UNKNOWN_NOT_LANDED);
                            if (!unmoved(now, expected)) {
                                return Optional.empty(); // did not land, and the key moved: a conflict
                            }
                            doubt = false; // did not land, nothing moved: send it again
                        } else {
                            marker.forget();
                        }
                    }
                    if (doubt) {
                        // A new session: the marker went with the old one; only an unmoved key proves
                        // that the write did not land.
                        ZkAccess.Reply now = readFresh(zk, key, deadline, what, outcome);
                        if (ZkAccess.isLoss(now.rc())) {
                            access.backoff(++losses, deadline, keyPath, what, outcome);
                            continue;
                        }
                        if (!unmoved(now, expected)) {
                            tree.probe.count(Telemetry.Event.UNKNOWN_UNRESOLVED);
                            throw new ConnectionLossException(
                                    keyPath,
                                    "the session ended while a compare-and-set of " + keyPath
                                            + " was in flight and the key moved since; whether it landed is"
                                            + " unknown, and it was not retried",
                                    null);
                        }
                        tree.probe.count(Telemetry.Event.UNKNOWN_NOT_LANDED);
                        doubt = false;
                    }
                    outcome = Outcome.NOT_APPLIED;
                }
                if (!marker.ensure(zk, deadline, keyPath, what, outcome)) {
                    access.backoff(++losses, deadline, keyPath, what, outcome);
                    continue;
                }
                int mv = marker.version();
                List<Op> ops = List.of(Op.setData(keyFull(key), data, expected.version()), marker.write(mv));
                if (access.mayReachPacketLimit(data.length)) {
                    RequestSize.checkMulti(coordinator, ops, keyPath);
                }
                CompletableFuture<MultiReply> f = new CompletableFuture<>();
                zk.multi(
                        ops,
                        (rc, p, ctx, results) -> {
                            if (rc == 0 && results != null && results.get(0) instanceof OpResult.SetDataResult r) {
                                tree.applyWritten(zk, key, r.getStat(), data);
                            }
                            f.complete(new MultiReply(rc, results));
                        },
                        null);
                MultiReply r = ZkAccess.await(f, deadline, keyPath, what, Outcome.UNKNOWN);
                if (r.rc() == 0 && r.results != null && r.results.get(0) instanceof OpResult.SetDataResult ok) {
                    marker.landed(mv);
                    return Optional.of(DefaultStateTree.written(next, ok.getStat()));
                }
                if (ZkAccess.isLoss(r.rc())) {
                    if (!doubt) {
                        doubt = true;
                        doubtSession = zk.getSessionId();
                        doubtMarker = mv;
                    }
                    access.backoff(++losses, deadline, keyPath, what, Outcome.UNKNOWN);
                    continue;
                }
                int keyRc = r.opError(0);
                int markerRc = r.opError(1);
                if (keyRc == KeeperException.Code.BADVERSION.intValue()
                        || keyRc == KeeperException.Code.NONODE.intValue()) {
                    tree.probe.count(Telemetry.Event.CONFLICT);
                    return Optional.empty();
                }
                if (markerRc == KeeperException.Code.NONODE.intValue()
                        || markerRc == KeeperException.Code.BADVERSION.intValue()) {
                    marker.forget(); // the marker went with an old session: make a new one
                    continue;
                }
                throw ZkAccess.error(keyRc != 0 ? keyRc : r.rc(), keyPath);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private static boolean unmoved(ZkAccess.Reply now, Versioned<?> expected) {
        Stat s = now.stat();
        return now.rc() == 0 && s != null && s.getCzxid() == expected.czxid() && s.getVersion() == expected.version();
    }

    /** A {@code multi} reply: its code and per-operation results. */
    private record MultiReply(int rc, @Nullable List<OpResult> results) {
        int opError(int i) {
            return ZkAccess.opError(results, i);
        }
    }

    boolean remove(String key, Duration timeout) throws InterruptedException {
        ZPaths.validateKey(key);
        Deadline deadline = access.deadline(Deadline.checkTimeout(timeout, "timeout"));
        String keyPath = keyPath(key);
        lifecycle.requireStarted();
        String what = "remove of " + keyPath;
        if (Thread.interrupted()) {
            throw new InterruptedException(what + " not started: the thread was interrupted");
        }
        int losses = 0;
        while (true) {
            ZooKeeper zk = access.handle();
            CompletableFuture<Integer> f = new CompletableFuture<>();
            zk.delete(keyFull(key), -1, (rc, p, ctx) -> f.complete(rc), null);
            int rc = ZkAccess.await(f, deadline, keyPath, what, Outcome.UNKNOWN);
            if (rc == 0) {
                return true;
            }
            if (rc == KeeperException.Code.NONODE.intValue()) {
                return losses > 0; // after a lost reply, our own first attempt may have deleted it
            }
            if (ZkAccess.isLoss(rc)) {
                access.backoff(++losses, deadline, keyPath, what, Outcome.UNKNOWN);
                continue;
            }
            throw ZkAccess.error(rc, keyPath);
        }
    }
}
