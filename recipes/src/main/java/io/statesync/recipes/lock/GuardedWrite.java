package io.statesync.recipes.lock;

import io.statesync.core.internal.ZPaths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;

/**
 * The operations of one lock-guarded write, run by {@link LockHandle#write(GuardedWrite)} as a
 * single ZooKeeper {@code multi} after a check of the holder's znode.
 *
 * <pre>{@code
 * handle.write(GuardedWrite.of()
 *         .setData("/orders/next-id", encode(next), read.version())
 *         .create("/orders/" + next, encode(order)));
 * }</pre>
 *
 * <p>Paths are relative to the coordinator's namespace and validated when added; data is copied.
 * The data of all operations together must fit the coordinator's value limit.
 *
 * <p><b>Threading.</b> Not thread-safe while being built; hand it to another thread only after
 * building it.
 */
public final class GuardedWrite {
    private enum Type {
        CREATE,
        SET,
        DELETE,
        CHECK
    }

    private static final class Op {
        final Type type;
        final String path;
        final byte[] data;
        final int version;

        Op(Type type, String path, byte[] data, int version) {
            this.type = type;
            this.path = path;
            this.data = data;
            this.version = version;
        }
    }

    private final List<Op> ops = new ArrayList<>();

    private GuardedWrite() {}

    /**
     * Starts an empty write; add at least one operation.
     *
     * @return a new, empty write
     */
    public static GuardedWrite of() {
        return new GuardedWrite();
    }

    /**
     * Creates a persistent node (its parent must exist).
     *
     * @param path the node
     * @param data its data
     * @return this write
     * @throws IllegalArgumentException if the path is invalid
     */
    public GuardedWrite create(String path, byte[] data) {
        return add(Type.CREATE, path, data, -1);
    }

    /**
     * Sets a node's data if its version matches.
     *
     * @param path the node
     * @param data the new data
     * @param expectedVersion the version the caller read, or -1 for any
     * @return this write
     * @throws IllegalArgumentException if the path or version is invalid
     */
    public GuardedWrite setData(String path, byte[] data, int expectedVersion) {
        return add(Type.SET, path, data, expectedVersion);
    }

    /**
     * Deletes a node if its version matches.
     *
     * @param path the node
     * @param expectedVersion the version the caller read, or -1 for any
     * @return this write
     * @throws IllegalArgumentException if the path or version is invalid
     */
    public GuardedWrite delete(String path, int expectedVersion) {
        return add(Type.DELETE, path, new byte[0], expectedVersion);
    }

    /**
     * Checks that a node exists with the given version, without changing it.
     *
     * @param path the node
     * @param expectedVersion the version it must have, or -1 for any
     * @return this write
     * @throws IllegalArgumentException if the path or version is invalid
     */
    public GuardedWrite check(String path, int expectedVersion) {
        return add(Type.CHECK, path, new byte[0], expectedVersion);
    }

    /**
     * How many operations were added.
     *
     * @return the count
     */
    public int size() {
        return ops.size();
    }

    private GuardedWrite add(Type type, String path, byte[] data, int version) {
        ZPaths.validate(path);
        if (path.equals("/")) {
            throw new IllegalArgumentException(
                    "a guarded write cannot " + type.name().toLowerCase(Locale.ROOT) + " the root \"/\"");
        }
        Objects.requireNonNull(data, "data");
        if (version < -1) {
            throw new IllegalArgumentException("expectedVersion must be -1 (any) or a version >= 0, was " + version);
        }
        ops.add(new Op(type, path, Arrays.copyOf(data, data.length), version));
        return this;
    }

    List<CuratorOp> toCuratorOps(CuratorFramework curator) throws Exception {
        List<CuratorOp> out = new ArrayList<>(ops.size());
        for (Op op : ops) {
            switch (op.type) {
                case CREATE ->
                    out.add(curator.transactionOp()
                            .create()
                            .withMode(CreateMode.PERSISTENT)
                            .forPath(op.path, op.data));
                case SET ->
                    out.add(curator.transactionOp()
                            .setData()
                            .withVersion(op.version)
                            .forPath(op.path, op.data));
                case DELETE ->
                    out.add(curator.transactionOp()
                            .delete()
                            .withVersion(op.version)
                            .forPath(op.path));
                case CHECK ->
                    out.add(curator.transactionOp()
                            .check()
                            .withVersion(op.version)
                            .forPath(op.path));
            }
        }
        return out;
    }
}
