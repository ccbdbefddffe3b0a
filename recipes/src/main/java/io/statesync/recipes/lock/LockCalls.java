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
package io.statesync.recipes.lock;

import io.statesync.core.internal.Deadline;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock engine's ZooKeeper calls, sent asynchronously on the raw handle and turned into futures,
 * and the waits for them against a caller's {@link Deadline}: a future fails with the {@link
 * KeeperException} of the answer's code. Stateless.
 */
final class LockCalls {
    private static final Logger LOG = LoggerFactory.getLogger(LockCalls.class);

    private LockCalls() {}

    static boolean isConnectionError(KeeperException e) {
        return e.code() == KeeperException.Code.CONNECTIONLOSS
                || e.code() == KeeperException.Code.OPERATIONTIMEOUT
                || e.code() == KeeperException.Code.REQUESTTIMEOUT;
    }

    static final class Created {
        final String path;
        final Stat stat;

        Created(String path, Stat stat) {
            this.path = path;
            this.stat = stat;
        }
    }

    /**
     * Creates the ephemeral sequential znode {@code prefix<sequence>} holding {@code data} (empty
     * for a lock or read-write lock; a semaphore's lease records its {@code maxLeases}).
     */
    static CompletableFuture<Created> create(ZooKeeper zk, String prefix, byte[] data, List<ACL> acl) {
        CompletableFuture<Created> f = new CompletableFuture<>();
        zk.create(
                prefix,
                data,
                acl,
                CreateMode.EPHEMERAL_SEQUENTIAL,
                (rc, p, ctx, created, stat) -> {
                    if (rc == KeeperException.Code.OK.intValue() && created != null && stat != null) {
                        f.complete(new Created(created, stat));
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return f;
    }

    /**
     * Lists the queue at {@code zkPath}, setting {@code watcher}, or the watch of {@code watching}
     * (which is told when the answer arrives).
     */
    static CompletableFuture<List<String>> children(
            ZooKeeper zk, String zkPath, @Nullable Watcher watcher, @Nullable Attempt watching) {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        zk.getChildren(
                zkPath,
                watching == null ? watcher : watching.watch(zkPath),
                (rc, p, ctx, children) -> {
                    if (watching != null) {
                        watching.answered(zkPath, rc == KeeperException.Code.OK.intValue());
                    }
                    if (rc == KeeperException.Code.OK.intValue() && children != null) {
                        f.complete(children);
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return f;
    }

    static CompletableFuture<Optional<Stat>> exists(ZooKeeper zk, Attempt.WatchedPath watched) {
        CompletableFuture<Optional<Stat>> f = new CompletableFuture<>();
        zk.exists(
                watched.path,
                watched.watcher,
                (rc, p, ctx, stat) -> {
                    watched.attempt.answered(
                            watched.path,
                            rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NONODE.intValue());
                    if (rc == KeeperException.Code.OK.intValue() && stat != null) {
                        f.complete(Optional.of(stat));
                    } else if (rc == KeeperException.Code.NONODE.intValue()) {
                        f.complete(Optional.empty());
                    } else {
                        f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                    }
                },
                null);
        return f;
    }

    static <T> T await(CompletableFuture<T> future, Deadline deadline)
            throws InterruptedException, KeeperException, TimeoutException {
        try {
            return deadline.await(future);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KeeperException ke) {
                throw ke;
            }
            throw new IllegalStateException("unexpected failure of a ZooKeeper call", cause);
        }
    }

    /** Waits until {@code future} is done, however it ends, or the deadline passed. */
    static void awaitDone(CompletableFuture<?> future, Deadline deadline) throws InterruptedException {
        try {
            deadline.await(future);
        } catch (ExecutionException | TimeoutException e) {
            // judged by the caller, from the future it waits for next
        }
    }

    /** Waits for a delete; {@code true} if it was confirmed in time. */
    static boolean awaitQuietly(CompletableFuture<Void> future, Deadline waitBy) {
        try {
            waitBy.await(future);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("delete not confirmed within {}; it goes on in the background", waitBy);
        }
        return false;
    }
}
