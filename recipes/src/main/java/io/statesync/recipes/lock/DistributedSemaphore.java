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

import io.statesync.core.Coordinator;
import io.statesync.core.Recipe;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A distributed counting semaphore: at most N leases held at once across every client of the
 * path; each lease is a {@link LockHandle}.
 *
 * <pre>{@code
 * DistributedSemaphore exports = DistributedSemaphore.builder(coordinator, "/limits/exports", 3).build();
 * exports.start();
 * try (LockHandle lease = exports.acquire(Duration.ofSeconds(30))) {
 *     runExport();
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> A lease is held by the first N znodes in creation order (fair). The lease
 * count is a property of the path: every client must build it with the same N. Leases of a
 * session that expired are freed by the server with its ephemeral znodes; a lease lost to a
 * connection loss is invalidated at once and its znode deleted once the connection is back (from
 * the new session if this client gave the old one up while the server still holds it), so no lease
 * leaks on LOST. Each lease has a token (the czxid of its znode) and runs guarded writes; the
 * tokens of concurrent leases are distinct but, unlike a mutex's, do not exclude each other.
 *
 * <p><b>Connection loss.</b> As for {@link DistributedLock}: under the coordinator's {@link
 * io.statesync.core.ConnectionLossPolicy} a loss invalidates every lease of this client at once and
 * tells the listeners; waiters keep their place while their session lives and re-queue after an
 * expiry, within their timeout.
 *
 * <p><b>Threading.</b> Thread-safe; leases belong to no thread.
 */
public interface DistributedSemaphore extends Recipe {
    /** The largest lease count accepted by the builder. */
    int MAX_LEASES = 10_000;

    /**
     * Starts building a semaphore.
     *
     * @param coordinator the connection
     * @param path the semaphore's path, relative to the coordinator's namespace (not {@code /})
     * @param maxLeases how many leases may be held at once, 1 to {@link #MAX_LEASES}
     * @return a builder
     */
    static Builder builder(Coordinator coordinator, String path, int maxLeases) {
        return new Builder(coordinator, path, maxLeases);
    }

    /**
     * Acquires a lease, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait, not negative
     * @return the lease; close it to give it back
     * @throws InterruptedException if interrupted; nothing is held
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if no lease was free
     *     in time (also behind a silent partition); nothing is held
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials do not permit
     *     creating or reading under the lock's path (or creating its missing parents); thrown at once,
     *     not after the timeout, and nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if closed (or its coordinator closed)
     *     while trying
     * @throws IllegalStateException if not started
     * @throws io.statesync.core.IncompatibleLayoutException if the semaphore's znode is in a newer release's data
     *     layout (checked once per semaphore object); nothing is held or written
     */
    LockHandle acquire(Duration timeout) throws InterruptedException;

    /**
     * Acquires a lease if one is free now, without waiting.
     *
     * @return the lease, or empty if all are taken
     * @throws InterruptedException if interrupted
     * @throws io.statesync.core.ConnectionLossException if the coordinator is not connected, or the
     *     connection was lost while trying; nothing is held
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if ZooKeeper did not
     *     answer within the coordinator's {@link io.statesync.core.Coordinator#operationTimeout()
     *     operation timeout} (a silent partition); the call returns within it plus at most a few
     *     milliseconds, and nothing is held
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials do not permit
     *     creating or reading under the lock's path (or creating its missing parents); thrown at once,
     *     not after the timeout, and nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if closed (or its coordinator closed)
     *     while trying
     * @throws IllegalStateException if not started
     * @throws io.statesync.core.IncompatibleLayoutException if the semaphore's znode is in a newer release's data
     *     layout (checked once per semaphore object); nothing is held or written
     */
    Optional<LockHandle> tryAcquire() throws InterruptedException;

    /**
     * How many leases may be held at once.
     *
     * @return N
     */
    int maxLeases();

    /**
     * The semaphore's path, relative to the coordinator's namespace.
     *
     * @return the path
     */
    String path();

    /**
     * Adds a listener told when a lease is lost, on the coordinator's listener executor.
     *
     * @param listener the listener
     * @throws IllegalStateException if closed
     */
    void addLockLostListener(LockLostListener listener);

    /**
     * Adds a listener told when a lease is lost, on the given executor.
     *
     * @param listener the listener
     * @param executor where it runs
     * @throws IllegalStateException if closed
     */
    void addLockLostListener(LockLostListener listener, Executor executor);

    /**
     * Removes a listener; no call to it starts after this returns.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    boolean removeLockLostListener(LockLostListener listener);

    /**
     * Stops the semaphore and gives back every lease it still holds. Idempotent; never throws.
     * Returns within 2 s, also behind a silent partition: the deletes of all held znodes are sent at
     * once and waited for together at most 2 s; past that (or while disconnected) they go on through
     * the guaranteed delete, sent again on the next connection. An interrupt ends the wait; the flag
     * stays set.
     */
    @Override
    void close();

    /** Builds a {@link DistributedSemaphore}. */
    final class Builder {
        private final LockOptions options;
        private final int maxLeases;

        private Builder(Coordinator coordinator, String path, int maxLeases) {
            this.options = new LockOptions(coordinator, path);
            this.maxLeases = maxLeases;
        }

        /**
         * Validates the path and lease count and builds the semaphore, not yet started.
         *
         * @return the semaphore
         * @throws IllegalArgumentException if the path is invalid or {@code /}, or the lease count is
         *     out of range
         */
        public DistributedSemaphore build() {
            return new DefaultSemaphore(options.engine(maxLeases, "DistributedSemaphore"), maxLeases);
        }
    }
}
