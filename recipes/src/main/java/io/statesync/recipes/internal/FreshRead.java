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

import java.util.List;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;

/**
 * What a read that promises freshness sends before it: a quorum operation, so that the read is
 * ordered after every write acknowledged anywhere before it started. Not part of statesync's API.
 *
 * <p>A {@code sync} is not enough. On a follower it is, since the leader answers it behind every
 * commit already sent; but a client connected to the ensemble's leader has its {@code sync} pass
 * through like a read, and the leader sends a commit to its followers before it applies it itself,
 * so a read there can miss a write a follower has already acknowledged to its client. A {@code
 * multi} of one version check is committed like a write, whether or not the node exists, and
 * changes nothing. It costs one transaction on the ensemble per fresh read.
 */
public final class FreshRead {
    private FreshRead() {}

    /**
     * Sends the barrier on {@code zk}; a read sent after it on the same handle is served after it.
     * The reply is not awaited: requests of one handle are answered in order.
     *
     * @param zk the handle the read goes on
     * @param fullPath the path about to be read, with the namespace
     */
    public static void barrier(ZooKeeper zk, String fullPath) {
        zk.multi(List.of(Op.check(fullPath, -1)), (rc, p, ctx, results) -> {}, null);
    }
}
