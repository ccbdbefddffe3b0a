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
package io.statesync.recipes.leader;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionListener;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Election znodes the election could not delete when it closed (the connection was down): deleted with
 * plain asynchronous ZooKeeper calls on the coordinator's next connection, in the session it has
 * then, and only while they still belong to the session that created them. If the coordinator is
 * closed first, its session ends and the server deletes them; nothing is left pending in Curator,
 * whose background operations fail with "Client is not started" errors once the coordinator has
 * closed.
 */
final class Leftovers implements ConnectionListener {
    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

    private final Coordinator coordinator;
    private final long owner;
    /** Guarded by {@code this}: full paths (with the namespace) still to delete. */
    private final Set<String> zkPaths = new LinkedHashSet<>();

    private Leftovers(Coordinator coordinator, List<String> paths, long owner) {
        this.coordinator = coordinator;
        this.owner = owner;
        String namespace = coordinator.namespace();
        for (String p : paths) {
            zkPaths.add(ZKPaths.fixForNamespace(namespace.isEmpty() ? null : namespace, p));
        }
    }

    /**
     * Deletes {@code paths} (relative to the namespace) now if connected, else on the next
     * connection, each only if it is an ephemeral znode of session {@code owner}; gives up silently
     * once the coordinator is closed.
     *
     * @param coordinator the connection
     * @param paths the znodes
     * @param owner the session that created them
     */
    static void delete(Coordinator coordinator, List<String> paths, long owner) {
        if (paths.isEmpty() || owner == 0 || coordinator.state() != LifecycleState.STARTED) {
            return;
        }
        Leftovers leftovers = new Leftovers(coordinator, paths, owner);
        coordinator.addListener(leftovers, Runnable::run);
        if (coordinator.isConnected()) {
            leftovers.attempt();
        }
    }

    @Override
    public void onConnection(ConnectionEvent event) {
        if (event.isConnected()) {
            attempt();
        }
    }

    private void attempt() {
        List<String> pending;
        synchronized (this) {
            pending = List.copyOf(zkPaths);
        }
        if (pending.isEmpty() || coordinator.state() != LifecycleState.STARTED) {
            coordinator.removeListener(this);
            return;
        }
        ZooKeeper zk;
        try {
            zk = coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            return; // tried again on the next connection
        }
        for (String p : pending) {
            zk.exists(p, false, (rc, path, ctx, stat) -> found(zk, p, rc, stat), null);
        }
    }

    private void found(ZooKeeper zk, String zkPath, int rc, @Nullable Stat stat) {
        if (rc == KeeperException.Code.OK.intValue() && stat != null && stat.getEphemeralOwner() == owner) {
            zk.delete(zkPath, stat.getVersion(), (drc, path, ctx) -> deleted(zkPath, drc), null);
        } else if (rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NONODE.intValue()) {
            deleted(zkPath, KeeperException.Code.NONODE.intValue()); // gone, or not ours: nothing to do
        } else {
            deleted(zkPath, rc);
        }
    }

    private void deleted(String zkPath, int rc) {
        KeeperException.Code code = KeeperException.Code.get(rc);
        if (code != KeeperException.Code.OK && code != KeeperException.Code.NONODE) {
            LOG.debug(
                    "deleting the closed election's znode {} not confirmed ({}); retried on reconnection",
                    zkPath,
                    code);
            return;
        }
        boolean done;
        synchronized (this) {
            zkPaths.remove(zkPath);
            done = zkPaths.isEmpty();
        }
        if (done) {
            coordinator.removeListener(this);
        }
    }
}
