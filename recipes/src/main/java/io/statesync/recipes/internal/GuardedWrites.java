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
import io.statesync.core.GuardedWrite;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.RequestSize;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;

/**
 * A {@link GuardedWrite} (a lock holder's or a leader's) as one asynchronous ZooKeeper {@code
 * multi} with a check that the guard znode still exists, waited for until one deadline. Sent once,
 * never resent (a resend of a {@code multi} that landed could fail or land twice); every check
 * happens before anything is sent.
 */
public final class GuardedWrites {
    private GuardedWrites() {}

    /**
     * Sends the write with the guard's check and waits for the answer until the deadline.
     *
     * @param coordinator the connection
     * @param guardPath the znode that must still exist, relative to the namespace
     * @param write the operations, paths relative to the namespace; at least one
     * @param onGuardLost makes the error for a missing guard, given its path
     * @param deadline when to stop waiting for the answer
     * @param what the operation, for errors
     * @return the results of the write's operations, in order (without the guard's check)
     * @throws InterruptedException if interrupted before anything was sent
     * @throws IllegalArgumentException if the write has no operation, or a path is invalid; nothing
     *     sent
     * @throws ValueTooLargeException if the operations' data exceed the coordinator's value limit,
     *     or the request is over {@code jute.maxbuffer}; nothing sent
     * @throws OperationTimeoutException outcome UNKNOWN, if no answer came by the deadline or the
     *     thread was interrupted while waiting (its interrupt flag set again)
     * @throws StateSyncException the guard's error, or typed by the first operation that failed
     *     (a {@code ConnectionLossException} or {@code SessionExpiredException} leaves the outcome
     *     unknown)
     */
    public static List<OpResult> write(
            Coordinator coordinator,
            String guardPath,
            GuardedWrite write,
            Function<String, StateSyncException> onGuardLost,
            Deadline deadline,
            String what)
            throws InterruptedException {
        List<GuardedWrite.Operation> operations = write.operations();
        if (operations.isEmpty()) {
            throw new IllegalArgumentException("a guarded write needs at least one operation");
        }
        ZPaths.validate(guardPath);
        ZkAccess access = coordinator.internalAccess();
        List<Op> request = new ArrayList<>(operations.size() + 1);
        List<String> paths = new ArrayList<>(operations.size() + 1);
        request.add(Op.check(access.fullPath(guardPath), -1));
        paths.add(guardPath);
        long total = 0;
        for (GuardedWrite.Operation op : operations) {
            String path = ZPaths.validate(op.path());
            String full = access.fullPath(path);
            byte[] data = op.data();
            total += data.length;
            request.add(
                    switch (op.kind()) {
                        case CREATE -> Op.create(full, data, access.acl(), CreateMode.PERSISTENT);
                        case SET_DATA -> Op.setData(full, data, op.expectedVersion());
                        case DELETE -> Op.delete(full, op.expectedVersion());
                        case CHECK -> Op.check(full, op.expectedVersion());
                    });
            paths.add(path);
        }
        String first = operations.get(0).path();
        if (total > coordinator.maxValueBytes()) {
            throw new ValueTooLargeException(
                    first,
                    (int) Math.min(Integer.MAX_VALUE, total),
                    coordinator.maxValueBytes(),
                    "the data of a guarded write of " + operations.size() + " operations (the first at " + first
                            + ") is " + total + " bytes, over the limit of " + coordinator.maxValueBytes()
                            + " bytes; nothing was sent");
        }
        if (access.mayReachPacketLimit(total)) {
            RequestSize.checkMulti(coordinator, request, first);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException(what + ": interrupted before anything was sent");
        }
        ZooKeeper zk = access.handle();
        CompletableFuture<MultiReply> reply = new CompletableFuture<>();
        zk.multi(request, (rc, p, ctx, results) -> reply.complete(new MultiReply(rc, results)), null);
        MultiReply r = ZkAccess.await(reply, deadline, guardPath, what, OperationTimeoutException.Outcome.UNKNOWN);
        List<OpResult> results = r.results;
        if (r.rc == KeeperException.Code.OK.intValue() && results != null) {
            return results.subList(1, results.size());
        }
        if (results != null) {
            for (int i = 0; i < results.size(); i++) {
                int code = ZkAccess.opError(results, i);
                if (code != 0 && code != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    if (i == 0 && code == KeeperException.Code.NONODE.intValue()) {
                        throw onGuardLost.apply(guardPath);
                    }
                    throw ZkAccess.error(code, paths.get(Math.min(i, paths.size() - 1)));
                }
            }
        }
        throw ZkAccess.error(r.rc, guardPath);
    }

    private static final class MultiReply {
        final int rc;
        final @Nullable List<OpResult> results;

        MultiReply(int rc, @Nullable List<OpResult> results) {
            this.rc = rc;
            this.results = results;
        }
    }
}
