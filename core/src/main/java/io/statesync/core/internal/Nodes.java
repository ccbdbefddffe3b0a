package io.statesync.core.internal;

import io.statesync.core.Coordinator;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Guarded znode operations: every one validates its path and (for writes) the value size before
 * anything is sent, and translates ZooKeeper's errors into statesync's typed errors. Recipes build
 * on these rather than calling Curator directly, so that the guards hold everywhere.
 */
public final class Nodes {
    private Nodes() {}

    /**
     * Reads a node.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @return the raw data with its version and zxids, or empty if the node does not exist
     * @throws InterruptedException if interrupted
     * @throws StateSyncException typed by cause (access denied, connection loss, ...)
     */
    public static Optional<Versioned<byte[]>> read(Coordinator coordinator, String path) throws InterruptedException {
        ZPaths.validate(path);
        Stat stat = new Stat();
        try {
            byte[] data =
                    coordinator.curatorFramework().getData().storingStatIn(stat).forPath(path);
            return Optional.of(versioned(data == null ? new byte[0] : data, stat));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, path);
        }
    }

    /**
     * Creates a node, and any missing parents as container nodes.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @param data the data
     * @param mode persistent, ephemeral, sequential...
     * @return the created value
     * @throws InterruptedException if interrupted
     * @throws StateSyncException NODE_EXISTS, VALUE_TOO_LARGE, ACCESS_DENIED, ...
     */
    public static Versioned<byte[]> create(Coordinator coordinator, String path, byte[] data, CreateMode mode)
            throws InterruptedException {
        ZPaths.validate(path);
        coordinator.checkValueSize(path, data);
        Stat stat = new Stat();
        try {
            coordinator
                    .curatorFramework()
                    .create()
                    .storingStatIn(stat)
                    .creatingParentContainersIfNeeded()
                    .withMode(mode)
                    .forPath(path, data);
            return versioned(data, stat);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, path);
        }
    }

    /**
     * Writes a node's data if its version matches.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @param data the new data
     * @param expectedVersion the version the caller read, or -1 for any
     * @return the written value
     * @throws InterruptedException if interrupted
     * @throws StateSyncException VERSION_CONFLICT, NO_NODE, VALUE_TOO_LARGE, ACCESS_DENIED, ...
     */
    public static Versioned<byte[]> write(Coordinator coordinator, String path, byte[] data, int expectedVersion)
            throws InterruptedException {
        ZPaths.validate(path);
        coordinator.checkValueSize(path, data);
        try {
            Stat stat = coordinator
                    .curatorFramework()
                    .setData()
                    .withVersion(expectedVersion)
                    .forPath(path, data);
            return versioned(data, stat);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, path);
        }
    }

    /**
     * Deletes a node if its version matches.
     *
     * @param coordinator the connection
     * @param path the path, relative to the namespace
     * @param expectedVersion the version the caller read, or -1 for any
     * @return {@code true} if deleted, {@code false} if it did not exist
     * @throws InterruptedException if interrupted
     * @throws StateSyncException VERSION_CONFLICT, NOT_EMPTY, ACCESS_DENIED, ...
     */
    public static boolean delete(Coordinator coordinator, String path, int expectedVersion)
            throws InterruptedException {
        ZPaths.validate(path);
        try {
            coordinator.curatorFramework().delete().withVersion(expectedVersion).forPath(path);
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, path);
        }
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
}
