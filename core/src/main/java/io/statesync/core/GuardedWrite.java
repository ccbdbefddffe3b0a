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
package io.statesync.core;

import io.statesync.core.internal.ZPaths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The operations of one guarded write: run by a lock handle or a leader election as a single
 * ZooKeeper {@code multi} together with a {@code check} of the holder's own znode, so that all of
 * them land while the lock or leadership is held, or none does (a deposed holder's write fails with
 * {@link LockLostException} or {@link NotLeaderException} instead of landing).
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
    /** What one operation does. */
    public enum Kind {
        /** Create a persistent node. */
        CREATE,
        /** Set a node's data, if its version matches. */
        SET_DATA,
        /** Delete a node, if its version matches. */
        DELETE,
        /** Check a node's version without changing it. */
        CHECK
    }

    /** One operation of a guarded write. Immutable; {@link #data()} returns a copy. */
    public static final class Operation {
        private final Kind kind;
        private final String path;
        private final byte[] data;
        private final int expectedVersion;

        Operation(Kind kind, String path, byte[] data, int expectedVersion) {
            this.kind = kind;
            this.path = path;
            this.data = data;
            this.expectedVersion = expectedVersion;
        }

        /**
         * What the operation does.
         *
         * @return the kind
         */
        public Kind kind() {
            return kind;
        }

        /**
         * The node, relative to the coordinator's namespace.
         *
         * @return the path
         */
        public String path() {
            return path;
        }

        /**
         * The data written (empty for DELETE and CHECK).
         *
         * @return a copy of the data
         */
        public byte[] data() {
            return data.clone();
        }

        /**
         * The version the node must have, or -1 for any (CREATE: always -1).
         *
         * @return the expected version
         */
        public int expectedVersion() {
            return expectedVersion;
        }
    }

    private final List<Operation> ops = new ArrayList<>();

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
        return add(Kind.CREATE, path, data, -1);
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
        return add(Kind.SET_DATA, path, data, expectedVersion);
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
        return add(Kind.DELETE, path, new byte[0], expectedVersion);
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
        return add(Kind.CHECK, path, new byte[0], expectedVersion);
    }

    /**
     * How many operations were added.
     *
     * @return the count
     */
    public int size() {
        return ops.size();
    }

    /**
     * The operations, in the order they were added.
     *
     * @return an unmodifiable list
     */
    public List<Operation> operations() {
        return List.copyOf(ops);
    }

    private GuardedWrite add(Kind type, String path, byte[] data, int version) {
        ZPaths.validate(path);
        if (path.equals("/")) {
            throw new IllegalArgumentException(
                    "a guarded write cannot " + type.name().toLowerCase(Locale.ROOT) + " the root \"/\"");
        }
        Objects.requireNonNull(data, "data");
        if (version < -1) {
            throw new IllegalArgumentException("expectedVersion must be -1 (any) or a version >= 0, was " + version);
        }
        ops.add(new Operation(type, path, Arrays.copyOf(data, data.length), version));
        return this;
    }
}
