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
import io.statesync.core.GuardedWrite;
import io.statesync.core.Recipe;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A distributed mutex with fencing tokens: at most one valid {@link LockHandle} at a time across
 * every client of the lock's path.
 *
 * <pre>{@code
 * try (DistributedLock lock = DistributedLock.builder(coordinator, "/locks/invoices").build()) {
 *     lock.start();
 *     try (LockHandle handle = lock.acquire(Duration.ofSeconds(5))) {
 *         invoices.write(handle.token(), batch);           // the resource checks the token
 *         handle.write(GuardedWrite.of().setData("/invoices/last", bytes, -1)); // or ZooKeeper, guarded
 *     }
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> Waiters queue in the order their znodes were created (fair). While a handle
 * is valid, no other client's handle of this lock is valid as far as ZooKeeper knows; a holder that
 * was deposed without noticing (a long pause past its session) is stopped by its token: its
 * successor's token is strictly higher, also after the lock's parent was deleted and re-created, so
 * a {@link FencedResource} refuses the stale holder, and {@link LockHandle#write(GuardedWrite)}
 * refuses it on the ZooKeeper side. Not reentrant: a second {@code acquire} on a held lock waits
 * like any other caller, whichever thread calls it.
 *
 * <p><b>Connection loss.</b> Decided by the coordinator's {@link
 * io.statesync.core.ConnectionLossPolicy}. On a loss (SUSPENDED and LOST under {@code
 * ON_SUSPENDED}, the default; only LOST under {@code ON_LOST}) every handle turns invalid at once,
 * the {@link LockLostListener}s are told, and the holders' znodes are deleted once the connection is
 * back: in the same session, or, if this client gave its session up (LOST, or a new session) while
 * the server still holds the old one, from the new session, so that nobody waits for the server to
 * expire it (if the server already did, they are gone). A handle is never revalidated by
 * RECONNECTED: acquire anew. Callers waiting in {@code acquire} keep waiting through the outage,
 * and keep their place in the queue while their session lives; after a session expiry they queue
 * again with a fresh znode, within their timeout. A release while disconnected
 * returns at once and the delete completes in the background, so no orphan znode blocks later
 * acquires.
 *
 * <p><b>Threading.</b> Thread-safe. Ownership belongs to the handle, not to a thread: acquire on one
 * thread, release on another. {@code acquire} blocks the calling thread (interruptibly); lock-lost
 * listeners run on their executor, never under the lock's internal monitor.
 */
public interface DistributedLock extends Recipe {
    /**
     * Starts building a lock.
     *
     * @param coordinator the connection
     * @param path the lock's path, relative to the coordinator's namespace (not {@code /})
     * @return a builder
     */
    static Builder builder(Coordinator coordinator, String path) {
        return new Builder(coordinator, path);
    }

    /**
     * Acquires the lock, waiting up to {@code timeout} (measured on the coordinator's {@link
     * io.statesync.core.Coordinator#ticker() ticker}, by default {@code System.nanoTime()}).
     * The wait spans the round trips too: a zero timeout rarely succeeds; use {@link #tryAcquire()}.
     *
     * @param timeout how long to wait, not negative
     * @return the handle; close it to release
     * @throws InterruptedException if interrupted while waiting; nothing is held, the waiter's znode
     *     is deleted
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if not acquired within
     *     the timeout (also behind a silent partition); nothing is held
     * @throws IllegalStateException if the lock is not started
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials do not permit
     *     creating or reading under the lock's path (or creating its missing parents); thrown at once,
     *     not after the timeout, and nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if the lock (or its coordinator) is closed
     *     while waiting
     * @throws io.statesync.core.IncompatibleLayoutException if the lock's znode is in a newer release's data layout
     *     (checked once per lock object); nothing is held or written
     */
    LockHandle acquire(Duration timeout) throws InterruptedException;

    /**
     * Acquires the lock if no one holds it or waits for it, without waiting for others.
     *
     * @return the handle, or empty if the lock is taken
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
     * @throws IllegalStateException if the lock is not started
     * @throws io.statesync.core.IncompatibleLayoutException if the lock's znode is in a newer release's data layout
     *     (checked once per lock object); nothing is held or written
     */
    Optional<LockHandle> tryAcquire() throws InterruptedException;

    /**
     * The lock's path, relative to the coordinator's namespace.
     *
     * @return the path
     */
    String path();

    /**
     * Adds a listener told when a handle of this lock is lost; it runs on the coordinator's listener
     * executor.
     *
     * @param listener the listener
     * @throws IllegalStateException if the lock is closed
     */
    void addLockLostListener(LockLostListener listener);

    /**
     * Adds a listener told when a handle of this lock is lost, run on the given executor.
     *
     * @param listener the listener
     * @param executor where it runs; {@code Runnable::run} runs it on the thread that saw the loss
     *     (a ZooKeeper event thread), where it must not block
     * @throws IllegalStateException if the lock is closed
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
     * Stops the lock: waiting {@code acquire} calls fail with a CLOSED error, every handle still
     * held is released (not reported as lost), listeners are removed. Idempotent; never throws.
     * Returns within 2 s, also behind a silent partition: the deletes of all held znodes are sent at
     * once and waited for together at most 2 s; past that (or while disconnected) they go on through
     * the guaranteed delete, sent again on the next connection. An interrupt ends the wait; the flag
     * stays set.
     */
    @Override
    void close();

    /** Builds a {@link DistributedLock}. */
    final class Builder {
        private final LockOptions options;

        private Builder(Coordinator coordinator, String path) {
            this.options = new LockOptions(coordinator, path);
        }

        /**
         * Validates the path and builds the lock, not yet started. Nothing touches the network.
         *
         * @return the lock
         * @throws IllegalArgumentException if the path is invalid or {@code /}
         */
        public DistributedLock build() {
            return new DefaultMutex(options.engine(1, "DistributedLock"));
        }
    }
}
