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
package io.statesync.recipes.membership;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.Versioned;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Group membership: every node registers itself as an ephemeral member with typed metadata, and
 * sees every member of the group.
 *
 * <pre>{@code
 * try (GroupMembership<NodeInfo> group = GroupMembership.builder(coordinator, "/groups/workers",
 *                 Codec.json(NodeInfo.class))
 *         .memberId("worker-7")
 *         .metadata(new NodeInfo("10.0.0.7", 8080))
 *         .build()) {
 *     group.addListener(change -> rebalance(group.members()));
 *     group.start();
 * }
 * }</pre>
 *
 * <p>Each member is the ephemeral znode {@code <path>/<memberId>}, whose data is the encoded
 * metadata. Changes reach {@link io.statesync.core.StateListener}s with the member's znode path:
 * INITIAL (one per member present when the listener starts; one with no value if the group is
 * empty), CREATED (a member joined), UPDATED (its metadata changed), DELETED (it left, crashed or its
 * session expired) and RESYNCED (a member re-read after a reconnect or new session).
 *
 * <p><b>Guarantees.</b> A member that leaves cleanly ({@link #close()}) is deleted before close
 * returns, so every other node sees it leave at once; a crashed member disappears when the server
 * expires its session (after the session timeout). After a session expiry this node registers
 * itself again, with its current metadata. When changes stop, every connected node's {@link
 * #members()} converges on the same set. Per member, a listener never sees a lower zxid than one it
 * has seen. Metadata that does not decode is reported through {@code onError} and the member is left
 * out; delivery goes on.
 *
 * <p>If another client deletes this node's member znode (or replaces it with one of its own) while
 * this node's session lives, this node notices it on the watch event, is no longer {@linkplain
 * #isRegistered() registered}, tells its listeners (a DELETED change for its own member, and a
 * {@link io.statesync.core.StateSyncException} with reason NO_NODE naming the znode through {@code
 * onError}) and creates its znode again at once, with its current metadata (a CREATED change
 * follows). If another session now holds the id, that is reported as NODE_EXISTS and retried until
 * it leaves.
 *
 * <p><b>Access denied.</b> If the coordinator's credentials do not permit creating or reading the
 * group's znodes, an {@link io.statesync.core.AccessDeniedException} naming the path reaches {@code
 * onError} once, {@link #awaitRegistered} throws it, and the group retries with a backoff that
 * doubles from 250 ms to 30 s (so that a corrected ACL is picked up) without reporting again until a
 * refresh has succeeded.
 *
 * <p><b>Data layout.</b> If the group's znode is in a newer release's data layout, an {@link
 * io.statesync.core.IncompatibleLayoutException} naming it reaches {@code onError} once, this node
 * does not register (nothing is written), and it checks again every 30 s.
 *
 * <p><b>Connection loss.</b> SUSPENDED and LOST are passed to listeners; the member view is kept
 * (it may be stale) and re-read on RECONNECTED. If the session expired (LOST, or RECONNECTED with a
 * new session), this node's member znode is gone and is created again.
 *
 * <p><b>Threading.</b> Thread-safe. ZooKeeper work runs on one thread of the group's own, in
 * passes that each end by the coordinator's {@linkplain Coordinator#operationTimeout() operation
 * timeout} (a pass cut short is tried again 250 ms later or on the next connection);
 * listeners are called through statesync's delivery engine, never under the group's lock. {@link
 * #members()} is an immutable snapshot.
 *
 * <p><b>Limits.</b> Every change re-reads the group's children and their data: meant for groups of
 * up to a few hundred members.
 *
 * @param <T> the metadata type
 */
public interface GroupMembership<T> extends Recipe, Listenable<Member<T>> {

    /**
     * Starts building a group membership.
     *
     * @param coordinator the connection
     * @param path the group path, relative to the coordinator's namespace
     * @param codec encodes the metadata
     * @param <T> the metadata type
     * @return a builder
     */
    static <T> Builder<T> builder(Coordinator coordinator, String path, Codec<T> codec) {
        return new Builder<>(coordinator, path, codec);
    }

    /**
     * This node's member id.
     *
     * @return the id
     */
    String memberId();

    /**
     * The members as this node last read them, by id (sorted), including this node once registered.
     *
     * @return an immutable snapshot
     */
    Map<String, Versioned<Member<T>>> members();

    /**
     * Whether this node's member znode exists in its current session, as far as this node knows:
     * {@code false} while the connection is suspended (the session may be expiring), until it has
     * registered again after a new session, and from the moment it notices that another client
     * deleted (or replaced) its znode until it has created it again.
     *
     * @return {@code true} if registered and connected
     */
    boolean isRegistered();

    /**
     * Waits until this node is registered (its member znode created in its current session).
     *
     * @param timeout how long to wait at most
     * @return {@code true} if registered, {@code false} if the timeout passed first or the group was
     *     closed
     * @throws InterruptedException if interrupted
     * @throws io.statesync.core.AccessDeniedException if not registered because the coordinator's
     *     credentials do not permit accessing the group's path (thrown as soon as that is known, not
     *     after the timeout); the group keeps retrying with backoff
     */
    boolean awaitRegistered(Duration timeout) throws InterruptedException;

    /**
     * Replaces this node's metadata as {@link #updateMetadata(Object, Duration)} does, within the
     * coordinator's {@link Coordinator#operationTimeout() operation timeout}.
     *
     * @param metadata the new metadata
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ValueTooLargeException if it encodes over the coordinator's limit;
     *     nothing is sent
     * @throws io.statesync.core.OperationTimeoutException outcome UNKNOWN, if the write was not
     *     confirmed within the operation timeout, or the thread was interrupted once it was sent (its
     *     interrupt flag set again); NOT_APPLIED if nothing was sent in time
     * @throws io.statesync.core.ConnectionLossException if the coordinator's retry policy gave up
     *     before the deadline; whether it landed is unknown
     * @throws io.statesync.core.StateSyncException typed by cause (e.g. NO_NODE while not registered)
     * @throws IllegalStateException if not started, or closed
     */
    void updateMetadata(T metadata) throws InterruptedException;

    /**
     * Replaces this node's metadata, in ZooKeeper and for any later re-registration. The write sets
     * the member znode (only this member writes it) and is sent again after a lost connection by the
     * coordinator's retry policy, all within one deadline: the call returns within {@code timeout}
     * (plus scheduling), also behind a silent partition. Concurrent calls are applied one at a time,
     * in the order they get their turn; the wait for the turn counts against the deadline too.
     *
     * @param metadata the new metadata
     * @param timeout how long the update may take; zero or positive
     * @throws InterruptedException if interrupted before anything was sent
     * @throws NullPointerException if {@code metadata} or {@code timeout} is {@code null}
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws io.statesync.core.ValueTooLargeException if it encodes over the coordinator's limit;
     *     nothing is sent
     * @throws io.statesync.core.OperationTimeoutException outcome UNKNOWN, if the write was not
     *     confirmed within {@code timeout}, or the thread was interrupted once it was sent (its
     *     interrupt flag set again); NOT_APPLIED if nothing was sent in time
     * @throws io.statesync.core.ConnectionLossException if the coordinator's retry policy gave up
     *     before the deadline; whether it landed is unknown
     * @throws io.statesync.core.StateSyncException typed by cause (e.g. NO_NODE while not registered)
     * @throws IllegalStateException if not started, or closed
     */
    void updateMetadata(T metadata, Duration timeout) throws InterruptedException;

    /**
     * Leaves the group: deletes this node's member znode (others see it leave at once), removes the
     * watches and stops delivery. Idempotent; never throws. Returns within 2 s ({@link
     * Coordinator#CLOSE_WAIT}), also behind a silent partition: while connected it waits at most that
     * long for the delete to be confirmed; while disconnected it does not wait. An unconfirmed delete
     * is sent again on the next connection, only while the znode still belongs to the session that
     * registered it; otherwise the server deletes it when the session ends. An interrupt ends the
     * wait; the flag stays set.
     */
    @Override
    void close();

    /**
     * Builds a {@link GroupMembership}. Each setter may be called once.
     *
     * @param <T> the metadata type
     */
    final class Builder<T> {
        private final Coordinator coordinator;
        private final String path;
        private final Codec<T> codec;
        private final BuilderOptions options = new BuilderOptions();
        private String memberId = UUID.randomUUID().toString();
        private @Nullable T metadata;

        private Builder(Coordinator coordinator, String path, Codec<T> codec) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        /**
         * This node's member id (default: a random UUID); the name of its znode.
         *
         * @param id a valid key: not empty, no {@code /}, no control or reserved characters
         * @return this builder
         */
        public Builder<T> memberId(String id) {
            options.once("memberId");
            this.memberId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * This node's metadata (required).
         *
         * @param metadata the metadata, encoded with the group's codec
         * @return this builder
         */
        public Builder<T> metadata(T metadata) {
            options.once("metadata");
            this.metadata = Objects.requireNonNull(metadata, "metadata");
            return this;
        }

        /**
         * Validates the options and builds the group membership, not yet started.
         *
         * @return the group membership
         * @throws IllegalArgumentException naming the option and value at fault
         * @throws io.statesync.core.ValueTooLargeException if the metadata encodes over the limit
         */
        public GroupMembership<T> build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("invalid group path \"/\": use a path of its own");
            }
            ZPaths.validateKey(memberId);
            T m = metadata;
            if (m == null) {
                throw new IllegalArgumentException("metadata is required: call metadata(value) for member " + memberId);
            }
            byte[] data = codec.encode(m);
            coordinator.checkValueSize(ZPaths.join(path, memberId), data);
            return new DefaultGroupMembership<>(coordinator, path, codec, memberId, m);
        }
    }
}
