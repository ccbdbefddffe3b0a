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
package io.statesync.recipes.internal;

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RequestSize;
import io.statesync.core.internal.ZkAccess;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.jspecify.annotations.Nullable;

/**
 * The operations of one {@code multi}, built on the coordinator's ZooKeeper access: paths with the
 * namespace, the coordinator's ACL, and the request sent as one asynchronous {@code multi} whose
 * reply is awaited against the caller's deadline. Nothing here goes through a Curator call (which
 * would run Curator's own retry loop, and on a coordinator's first use its namespace set-up).
 * Stateless apart from the access; thread-safe.
 */
public final class RawOps {
    private final Coordinator coordinator;
    private final ZkAccess zk;
    private final int maxValueBytes;
    private final String namespacePrefix;

    /**
     * Creates the operations helper of one coordinator.
     *
     * @param coordinator the connection
     */
    public RawOps(Coordinator coordinator) {
        this.coordinator = coordinator;
        this.zk = coordinator.internalAccess();
        this.maxValueBytes = coordinator.maxValueBytes();
        String full = zk.fullPath("/x");
        this.namespacePrefix = full.substring(0, full.length() - 2);
    }

    /**
     * A create.
     *
     * @param mode the create mode
     * @param path the path, relative to the namespace
     * @param data the data
     * @return the operation, with the namespace and the coordinator's ACL
     */
    public Op create(CreateMode mode, String path, byte[] data) {
        return Op.create(zk.fullPath(path), data, zk.acl(), mode);
    }

    /**
     * A create of an empty znode.
     *
     * @param mode the create mode
     * @param path the path, relative to the namespace
     * @return the operation
     */
    public Op create(CreateMode mode, String path) {
        return create(mode, path, new byte[0]);
    }

    /**
     * A version-checked write of data.
     *
     * @param version the expected version, or -1 for any
     * @param path the path, relative to the namespace
     * @param data the data
     * @return the operation
     */
    public Op setData(int version, String path, byte[] data) {
        return Op.setData(zk.fullPath(path), data, version);
    }

    /**
     * A check of a znode's version.
     *
     * @param version the expected version, or -1 for existence only
     * @param path the path, relative to the namespace
     * @return the operation
     */
    public Op check(int version, String path) {
        return Op.check(zk.fullPath(path), version);
    }

    /**
     * A version-checked delete.
     *
     * @param version the expected version, or -1 for any
     * @param path the path, relative to the namespace
     * @return the operation
     */
    public Op delete(int version, String path) {
        return Op.delete(zk.fullPath(path), version);
    }

    /**
     * The path of an operation as the recipe knows it: without the namespace.
     *
     * @param op the operation
     * @return its path relative to the namespace
     */
    public String relative(Op op) {
        String p = op.getPath();
        if (namespacePrefix.isEmpty() || !p.startsWith(namespacePrefix)) {
            return p;
        }
        String rest = p.substring(namespacePrefix.length());
        return rest.isEmpty() ? "/" : rest;
    }

    /**
     * Sends the operations as one {@code multi}.
     *
     * @param ops the operations
     * @param fallbackPath the path to name when no operation is to blame (a lost reply)
     * @return the error of the first operation that failed (typed, naming its path without the
     *     namespace), CONNECTION_LOSS or SESSION_EXPIRED if the reply was lost, or an empty slot on
     *     success; completed on ZooKeeper's event thread
     */
    public CompletableFuture<@Nullable StateSyncException> send(List<Op> ops, String fallbackPath) {
        CompletableFuture<@Nullable StateSyncException> reply = new CompletableFuture<>();
        zk.handle().multi(ops, (rc, at, ctx, results) -> reply.complete(error(ops, rc, results, fallbackPath)), null);
        return reply;
    }

    private @Nullable StateSyncException error(
            List<Op> ops, int rc, @Nullable List<OpResult> results, String fallbackPath) {
        if (rc == KeeperException.Code.OK.intValue()) {
            return null;
        }
        if (results != null) {
            for (int i = 0; i < results.size() && i < ops.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult e
                        && e.getErr() != KeeperException.Code.OK.intValue()
                        && e.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return ZkAccess.error(e.getErr(), relative(ops.get(i)));
                }
            }
        }
        return ZkAccess.error(rc, fallbackPath);
    }

    /**
     * Sends the operations as one {@code multi}, once (a lost reply is the caller's to resolve),
     * and waits for the reply until the deadline.
     *
     * @param ops the operations
     * @param d the caller's deadline
     * @param path the path to name in errors
     * @param what the operation, for errors
     * @throws ValueTooLargeException if the data of all operations together is over the
     *     coordinator's {@code maxValueBytes}, or the whole request is over ZooKeeper's packet
     *     limit; nothing was sent
     * @throws StateSyncException typed by the first operation that failed, naming its path;
     *     CONNECTION_LOSS or SESSION_EXPIRED if the reply was lost
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted (its
     *     interrupt flag set again), with the outcome unknown
     */
    public void multi(List<Op> ops, Deadline d, String path, String what) {
        long total = 0;
        for (Op op : ops) {
            Record request = op.toRequestRecord();
            if (request instanceof CreateRequest create) {
                total += create.getData() == null ? 0 : create.getData().length;
            } else if (request instanceof SetDataRequest set) {
                total += set.getData() == null ? 0 : set.getData().length;
            }
        }
        if (total > maxValueBytes && !ops.isEmpty()) {
            throw new ValueTooLargeException(
                    relative(ops.get(0)), (int) Math.min(Integer.MAX_VALUE, total), maxValueBytes);
        }
        if (!ops.isEmpty() && zk.mayReachPacketLimit(total)) {
            RequestSize.checkMulti(coordinator, ops, relative(ops.get(0)));
        }
        StateSyncException error =
                ZkAccess.await(send(ops, path), d, path, what, OperationTimeoutException.Outcome.UNKNOWN);
        if (error != null) {
            throw error;
        }
    }
}
