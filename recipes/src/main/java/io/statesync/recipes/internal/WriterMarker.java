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
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import java.util.UUID;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A writer's own marker: an ephemeral znode under {@code /.statesync/writers} that only this writer
 * ever writes, written in the same {@code multi} as each of its writes with a version check. When
 * the reply of a write is lost, the marker's version says whether the write landed: it moved if and
 * only if the write did. Something only this writer could have written, so a lost reply is never
 * resolved on a guess. The marker lives in one session; in a new session it is made again, and a
 * write in doubt from the old session can only be resolved by the written node not having moved.
 *
 * <p>Not thread-safe: one writer thread at a time (the recipe hands it over under its own lock).
 */
public final class WriterMarker {
    private static final byte[] EMPTY = new byte[0];

    /** The znode whose format covers the writer markers and the turn tickets under it. */
    static final String ROOT = "/.statesync";

    private final Coordinator coordinator;
    private final ZkAccess access;
    private boolean layoutChecked;
    private final String path;
    private final String fullPath;
    private long session;
    private int version;

    /**
     * Creates the marker of one writer; nothing is sent until {@link #ensure}.
     *
     * @param coordinator the connection
     */
    public WriterMarker(Coordinator coordinator) {
        this.coordinator = coordinator;
        this.access = coordinator.internalAccess();
        this.path = "/.statesync/writers/" + UUID.randomUUID();
        this.fullPath = access.fullPath(path);
    }

    /**
     * Makes sure the marker exists in the session of {@code zk}, creating it (and its parents) if
     * needed; a marker left by an old session of this writer is deleted and made again.
     *
     * @param zk the handle the next write goes on
     * @param deadline the write's deadline
     * @param forPath the path being written, for errors
     * @param what the operation, for errors
     * @param outcome what running out of time means for the write
     * @return {@code true} if the marker is ready in this session, {@code false} if the connection
     *     was lost meanwhile (back off and try again)
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed, or the thread was
     *     interrupted
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} is in a newer
     *     release's layout (checked once per marker, before it is first made)
     * @throws io.statesync.core.StateSyncException typed, if the marker cannot be made (e.g. access
     *     denied)
     */
    public boolean ensure(ZooKeeper zk, Deadline deadline, String forPath, String what, Outcome outcome) {
        long current = zk.getSessionId();
        if (current != 0 && current == session) {
            return true;
        }
        if (!layoutChecked) {
            LayoutVersion.checkZnode(coordinator, ROOT, "statesync's markers", deadline, outcome);
            layoutChecked = true;
        }
        ZkAccess.Reply created = ZkAccess.await(
                access.create(zk, fullPath, EMPTY, CreateMode.EPHEMERAL), deadline, forPath, what, outcome);
        if (created.noNode()) {
            access.createParents(fullPath, deadline, forPath, what, outcome);
            created = ZkAccess.await(
                    access.create(zk, fullPath, EMPTY, CreateMode.EPHEMERAL), deadline, forPath, what, outcome);
        }
        Stat stat = created.stat();
        if (created.rc() == KeeperException.Code.NODEEXISTS.intValue()) {
            ZkAccess.Reply existing = ZkAccess.await(ZkAccess.exists(zk, fullPath), deadline, forPath, what, outcome);
            stat = existing.stat();
            if (!existing.ok() || stat == null) {
                return false;
            }
            if (stat.getEphemeralOwner() != current) {
                // An old session's, not yet expired: make a new one in this session.
                ZkAccess.await(ZkAccess.delete(zk, fullPath, -1), deadline, forPath, what, outcome);
                return false;
            }
        } else if (ZkAccess.isLoss(created.rc()) || created.noNode()) {
            return false;
        } else if (!created.ok()) {
            throw ZkAccess.error(created.rc(), path);
        }
        if (stat == null || stat.getEphemeralOwner() != current) {
            return false; // created in another session than the handle's: try again
        }
        session = current;
        version = stat.getVersion();
        return true;
    }

    /**
     * The version the marker has now, as far as this writer knows; the next write checks it.
     *
     * @return the version
     */
    public int version() {
        return version;
    }

    /**
     * The marker's part of a write: a write of the marker that checks the version the writer read.
     *
     * @param expectedVersion the value of {@link #version()} when the write was built
     * @return the operation, to be sent in one {@code multi} with the write
     */
    public Op write(int expectedVersion) {
        return Op.setData(fullPath, EMPTY, expectedVersion);
    }

    /**
     * Records that a write built on {@code expectedVersion} landed.
     *
     * @param expectedVersion the version the write checked
     */
    public void landed(int expectedVersion) {
        version = expectedVersion + 1;
    }

    /** Forgets the marker's session: the next {@link #ensure} finds or makes it again. */
    public void forget() {
        session = 0;
    }

    /**
     * The session the marker was made in, or 0.
     *
     * @return the session id
     */
    public long session() {
        return session;
    }

    /**
     * Reads the marker, to resolve a write whose reply was lost.
     *
     * @param zk the handle, in the session the write was sent in
     * @return the reply
     */
    public java.util.concurrent.CompletableFuture<ZkAccess.Reply> read(ZooKeeper zk) {
        return ZkAccess.getData(zk, fullPath);
    }

    /**
     * Deletes the marker without waiting, if it lives in the session of {@code zk}.
     *
     * @param zk the handle
     */
    public void deleteQuietly(ZooKeeper zk) {
        if (session != 0 && zk.getSessionId() == session) {
            zk.delete(fullPath, -1, (rc, p, ctx) -> {}, null);
        }
    }

    /**
     * The marker's path, relative to the namespace.
     *
     * @return the path
     */
    public String path() {
        return path;
    }
}
