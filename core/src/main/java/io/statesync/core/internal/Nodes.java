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
package io.statesync.core.internal;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.jspecify.annotations.Nullable;

/**
 * Guarded znode operations: every one validates its path and (for writes) the value size and the
 * size of the whole request as ZooKeeper reads it ({@link RequestSize}) before anything is sent, and
 * translates ZooKeeper's errors into statesync's typed errors. Recipes build on these rather than
 * calling Curator directly, so that the guards hold everywhere.
 *
 * <p>A request that the server would answer by dropping the connection (one over its {@code
 * jute.maxbuffer}) is therefore never sent, so it is never sent again by a retry either.
 *
 * <p>Every operation goes through the coordinator's {@link ZkAccess}: bounded by the coordinator's
 * operation timeout, a read, write or delete repeated after a lost connection by its one retry
 * loop, a {@code multi} sent once. A recipe's own retry loop calls {@link ZkAccess} with its own
 * deadline instead, so that no retrying call is nested in another.
 */
public final class Nodes {
    private Nodes() {}

    /**
     * Reads a node.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @return the raw data with its version and zxids, or empty if the node does not exist
     * @throws InterruptedException if the thread was interrupted before the read was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes first, or the
     *     thread is interrupted while waiting (its interrupt flag set again); nothing was changed
     * @throws io.statesync.core.ConnectionLossException if the connection stays lost past the retry
     *     policy's retries
     * @throws StateSyncException typed by cause (access denied, connection loss, ...)
     */
    public static Optional<Versioned<byte[]>> read(Coordinator coordinator, String path) throws InterruptedException {
        ZPaths.validate(path);
        ZkAccess access = coordinator.internalAccess();
        Deadline d = before(access);
        return access.read(path, d, "read", OperationTimeoutException.Outcome.NOT_APPLIED);
    }

    /**
     * Creates a node, and any missing parents as container nodes.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @param data the data
     * @param mode persistent, ephemeral, sequential...
     * @return the created value
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes first, or the
     *     thread is interrupted while waiting (its interrupt flag set again); whether the write took
     *     effect is unknown
     * @throws io.statesync.core.ConnectionLossException if the connection stays lost past the retry
     *     policy's retries; whether the write took effect is unknown
     * @throws IllegalArgumentException if the path is invalid ({@link ZPaths#validate}); nothing sent
     * @throws ValueTooLargeException if the data is over the coordinator's value limit, or the
     *     request (path with namespace and chroot, data, ACL, headers) or its reply is over {@code
     *     jute.maxbuffer}; nothing sent
     * @throws StateSyncException NODE_EXISTS, ACCESS_DENIED, CONNECTION_LOSS, ...
     */
    public static Versioned<byte[]> create(Coordinator coordinator, String path, byte[] data, CreateMode mode)
            throws InterruptedException {
        ZPaths.validate(path);
        coordinator.checkValueSize(path, data);
        RequestSize.checkCreate(coordinator, path, data, mode);
        ZkAccess access = coordinator.internalAccess();
        Deadline d = before(access);
        String full = access.fullPath(path);
        access.createParents(full, d, path, "create", OperationTimeoutException.Outcome.UNKNOWN);
        ZkAccess.Reply r = access.call(
                d,
                path,
                "create",
                OperationTimeoutException.Outcome.UNKNOWN,
                zk -> access.create(zk, full, data, mode));
        Stat stat = r.statOrThrow(path);
        return versioned(data, stat);
    }

    /**
     * Writes a node's data if its version matches.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @param data the new data
     * @param expectedVersion the version the caller read, or -1 for any
     * @return the written value
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes first, or the
     *     thread is interrupted while waiting (its interrupt flag set again); whether the write took
     *     effect is unknown
     * @throws io.statesync.core.ConnectionLossException if the connection stays lost past the retry
     *     policy's retries; whether the write took effect is unknown
     * @throws IllegalArgumentException if the path is invalid ({@link ZPaths#validate}); nothing sent
     * @throws ValueTooLargeException if the data is over the coordinator's value limit, or the
     *     request (path with namespace and chroot, data, headers) is over {@code jute.maxbuffer};
     *     nothing sent
     * @throws StateSyncException VERSION_CONFLICT, NO_NODE, ACCESS_DENIED, CONNECTION_LOSS, ...
     */
    public static Versioned<byte[]> write(Coordinator coordinator, String path, byte[] data, int expectedVersion)
            throws InterruptedException {
        ZPaths.validate(path);
        coordinator.checkValueSize(path, data);
        RequestSize.checkSetData(coordinator, path, data);
        ZkAccess access = coordinator.internalAccess();
        Deadline d = before(access);
        String full = access.fullPath(path);
        ZkAccess.Reply r = access.call(
                d,
                path,
                "write",
                OperationTimeoutException.Outcome.UNKNOWN,
                zk -> ZkAccess.setData(zk, full, data, expectedVersion));
        Stat stat = r.statOrThrow(path);
        return versioned(data, stat);
    }

    /**
     * Deletes a node if its version matches.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @param expectedVersion the version the caller read, or -1 for any
     * @return {@code true} if deleted, {@code false} if it did not exist
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes first, or the
     *     thread is interrupted while waiting (its interrupt flag set again); whether the write took
     *     effect is unknown
     * @throws io.statesync.core.ConnectionLossException if the connection stays lost past the retry
     *     policy's retries; whether the write took effect is unknown
     * @throws StateSyncException VERSION_CONFLICT, NOT_EMPTY, ACCESS_DENIED, ...
     */
    public static boolean delete(Coordinator coordinator, String path, int expectedVersion)
            throws InterruptedException {
        ZPaths.validate(path);
        ZkAccess access = coordinator.internalAccess();
        Deadline d = before(access);
        String full = access.fullPath(path);
        ZkAccess.Reply r = access.call(
                d,
                path,
                "delete",
                OperationTimeoutException.Outcome.UNKNOWN,
                zk -> ZkAccess.delete(zk, full, expectedVersion));
        if (r.noNode()) {
            return false;
        }
        if (!r.ok()) {
            throw ZkAccess.error(r.rc(), path);
        }
        return true;
    }

    /**
     * The coordinator's operation timeout from now, unless the thread is already interrupted:
     * nothing has been sent yet, so an interrupt here is reported as such.
     */
    private static Deadline before(ZkAccess access) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before anything was sent");
        }
        return access.defaultDeadline();
    }

    /**
     * The versioned form of raw data and its stat.
     *
     * @param data the data
     * @param stat the znode stat
     * @return the value with the stat's version, czxid and mzxid
     */
    public static Versioned<byte[]> versioned(byte[] data, Stat stat) {
        return Versioned.of(data, stat.getVersion(), stat.getCzxid(), stat.getMzxid());
    }

    /**
     * Runs operations as one ZooKeeper {@code multi}: all of them land, or none. The data of all
     * operations together must fit the coordinator's value limit, and the whole request as ZooKeeper
     * reads it (every path with the namespace and chroot, data, ACLs, a header per operation) and
     * its reply must fit {@code jute.maxbuffer} (a {@code multi} is one request); both are measured
     * before anything is sent. Build the operations with {@code
     * coordinator.curatorFramework().transactionOp()}.
     *
     * <p>Sent once, never retried: a {@code multi} of creates is not safe to repeat (a resend of one
     * that landed would fail, or land twice). A dropped connection surfaces as {@link
     * io.statesync.core.ConnectionLossException} with the outcome unknown, and the caller resolves it
     * (for example by reading back an id it wrote). The wait for the reply is bounded by the
     * coordinator's operation timeout.
     *
     * @param coordinator the connection
     * @param ops the operations, in order
     * @return the results, in order
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes before the
     *     reply, or the thread is interrupted while waiting (its interrupt flag set again); whether
     *     the operations landed is unknown
     * @throws IllegalArgumentException if {@code ops} is empty
     * @throws ValueTooLargeException if the data of all operations is over the value limit, or the
     *     request or its reply is over {@code jute.maxbuffer}; names the first operation's path and
     *     the measured size; nothing sent
     * @throws StateSyncException typed by the first operation that failed, naming its path
     */
    public static List<OpResult> transaction(Coordinator coordinator, List<CuratorOp> ops) throws InterruptedException {
        return guardedTransaction(
                coordinator, null, ops, path -> ZkErrors.translate(KeeperException.Code.NONODE, path, null));
    }

    /**
     * Runs a {@link GuardedWrite} as one {@code multi} with a check that the guard znode (the lock
     * holder's or the leader's own) still exists; see {@link #guardedTransaction}.
     *
     * @param coordinator the connection
     * @param guardPath the znode that must still exist
     * @param write the operations; at least one
     * @param onGuardLost makes the error for a missing guard, given its path
     * @return the results of the write's operations, in order
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes before the
     *     reply, or the thread is interrupted while waiting (its interrupt flag set again); whether
     *     the operations landed is unknown
     * @throws IllegalArgumentException if the write has no operation, or the guard's path is invalid
     * @throws ValueTooLargeException as {@link #guardedTransaction}; nothing sent
     * @throws StateSyncException the guard's error, or typed by the first operation that failed
     */
    public static List<OpResult> guardedWrite(
            Coordinator coordinator,
            String guardPath,
            GuardedWrite write,
            Function<String, StateSyncException> onGuardLost)
            throws InterruptedException {
        CuratorFramework curator = coordinator.curatorFramework();
        List<CuratorOp> ops = new ArrayList<>();
        try {
            for (GuardedWrite.Operation op : write.operations()) {
                ops.add(
                        switch (op.kind()) {
                            case CREATE ->
                                curator.transactionOp()
                                        .create()
                                        .withMode(CreateMode.PERSISTENT)
                                        .forPath(op.path(), op.data());
                            case SET_DATA ->
                                curator.transactionOp()
                                        .setData()
                                        .withVersion(op.expectedVersion())
                                        .forPath(op.path(), op.data());
                            case DELETE ->
                                curator.transactionOp()
                                        .delete()
                                        .withVersion(op.expectedVersion())
                                        .forPath(op.path());
                            case CHECK ->
                                curator.transactionOp()
                                        .check()
                                        .withVersion(op.expectedVersion())
                                        .forPath(op.path());
                        });
            }
        } catch (Exception e) {
            throw ZkErrors.translate(e, null);
        }
        return guardedTransaction(coordinator, guardPath, ops, onGuardLost);
    }

    /**
     * Runs operations as one {@code multi} together with a check that the guard znode (a lock
     * holder's or a leader's own ephemeral node) still exists. If the guard is gone, nothing lands
     * and {@code onGuardLost} supplies the error (a lock-lost or not-leader error). Sent once, never
     * retried, like {@link #transaction}.
     *
     * @param coordinator the connection
     * @param guardPath the znode that must still exist, or {@code null} for no guard
     * @param ops the operations, in order
     * @param onGuardLost makes the error for a missing guard, given its path
     * @return the results of {@code ops}, in order (without the guard's check)
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws OperationTimeoutException if the coordinator's operation timeout passes before the
     *     reply, or the thread is interrupted while waiting (its interrupt flag set again); whether
     *     the operations landed is unknown
     * @throws IllegalArgumentException if {@code ops} is empty, or the guard's path is invalid
     * @throws ValueTooLargeException if the data of all operations is over the value limit, or the
     *     request with the guard's check, or its reply, is over {@code jute.maxbuffer}; names the
     *     first operation's path and the measured size; nothing sent
     * @throws StateSyncException the guard's error, or typed by the first operation that failed
     */
    public static List<OpResult> guardedTransaction(
            Coordinator coordinator,
            @Nullable String guardPath,
            List<CuratorOp> ops,
            Function<String, StateSyncException> onGuardLost)
            throws InterruptedException {
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs at least one operation");
        }
        long total = 0;
        for (CuratorOp op : ops) {
            total += dataLength(op.get().toRequestRecord());
        }
        if (total > coordinator.maxValueBytes()) {
            String first = ops.get(0).getTypeAndPath().getForPath();
            throw new ValueTooLargeException(
                    first,
                    (int) Math.min(Integer.MAX_VALUE, total),
                    coordinator.maxValueBytes(),
                    "the data of a multi of " + ops.size() + " operations (the first at " + first + ") is " + total
                            + " bytes, over the limit of " + coordinator.maxValueBytes() + " bytes; nothing was sent");
        }
        List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
        if (guardPath != null) {
            ZPaths.validate(guardPath);
            try {
                all.add(coordinator.curatorFramework().transactionOp().check().forPath(guardPath));
            } catch (Exception e) {
                throw ZkErrors.translate(e, guardPath);
            }
        }
        all.addAll(ops);
        List<Op> request = new ArrayList<>(all.size());
        for (CuratorOp op : all) {
            request.add(op.get());
        }
        RequestSize.checkMulti(coordinator, request, ops.get(0).getTypeAndPath().getForPath());
        ZkAccess access = coordinator.internalAccess();
        Deadline d = before(access);
        CompletableFuture<MultiReply> sent = new CompletableFuture<>();
        access.handle().multi(request, (rc, p, ctx, results) -> sent.complete(new MultiReply(rc, results)), null);
        MultiReply reply = ZkAccess.await(sent, d, guardPath, "multi", OperationTimeoutException.Outcome.UNKNOWN);
        if (reply.rc() == KeeperException.Code.OK.intValue() && reply.results() != null) {
            List<OpResult> results = reply.results();
            return guardPath == null ? results : results.subList(1, results.size());
        }
        List<OpResult> results = reply.results();
        if (results != null) {
            for (int i = 0; i < results.size() && i < all.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult error) {
                    int code = error.getErr();
                    if (code != KeeperException.Code.OK.intValue()
                            && code != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                        String path = all.get(i).getTypeAndPath().getForPath();
                        if (guardPath != null && i == 0 && code == KeeperException.Code.NONODE.intValue()) {
                            throw onGuardLost.apply(guardPath);
                        }
                        throw ZkAccess.error(code, path);
                    }
                }
            }
        }
        throw ZkAccess.error(
                reply.rc(),
                guardPath != null ? guardPath : ops.get(0).getTypeAndPath().getForPath());
    }

    private record MultiReply(int rc, @Nullable List<OpResult> results) {}

    private static int dataLength(Record request) {
        byte[] data = null;
        if (request instanceof CreateRequest create) {
            data = create.getData();
        } else if (request instanceof CreateTTLRequest createTtl) {
            data = createTtl.getData();
        } else if (request instanceof SetDataRequest setData) {
            data = setData.getData();
        }
        return data == null ? 0 : data.length;
    }
}
