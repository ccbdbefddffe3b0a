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

import io.statesync.core.internal.ZkAccess;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * A create sent without blocking and without retries, for a recipe's set-up on ZooKeeper's event
 * thread: the znode, and if its parent is missing, each missing ancestor as a container and then
 * the znode once more. Each request goes out once through {@link ZkAccess}; a lost reply is the
 * caller's to resolve (typically by sending it again on the next reconnection, which is safe for a
 * create whose existing znode is taken as it is).
 */
public final class AsyncCreate {
    private AsyncCreate() {}

    /**
     * Creates a znode, creating missing ancestors as containers first if the parent is missing.
     *
     * @param access the coordinator's access
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param data the znode's data
     * @param mode the create mode (not sequential)
     * @return the reply of the last request sent: OK, NODEEXISTS, a connection loss, or another
     *     error; completed on ZooKeeper's event thread
     */
    public static CompletableFuture<ZkAccess.Reply> createWithParents(
            ZkAccess access, ZooKeeper zk, String fullPath, byte[] data, CreateMode mode) {
        return access.create(zk, fullPath, data, mode).thenCompose(r -> {
            if (!r.noNode()) {
                return CompletableFuture.completedFuture(r);
            }
            return ancestors(access, zk, fullPath, fullPath.indexOf('/', 1))
                    .thenCompose(a ->
                            a.ok() ? access.create(zk, fullPath, data, mode) : CompletableFuture.completedFuture(a));
        });
    }

    /** Creates the ancestors from the one ending at {@code end}: an OK reply if all exist now, else the failed one. */
    private static CompletableFuture<ZkAccess.Reply> ancestors(
            ZkAccess access, ZooKeeper zk, String fullPath, int end) {
        if (end <= 0) {
            return CompletableFuture.completedFuture(new ZkAccess.Reply(0, null, null, null, null));
        }
        return access.create(zk, fullPath.substring(0, end), new byte[0], CreateMode.CONTAINER)
                .thenCompose(r -> r.ok() || r.rc() == KeeperException.Code.NODEEXISTS.intValue()
                        ? ancestors(access, zk, fullPath, fullPath.indexOf('/', end + 1))
                        : CompletableFuture.completedFuture(r));
    }
}
