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
 * A distributed read-write lock: many readers or one writer, with fencing tokens on both sides.
 *
 * <pre>{@code
 * try (LockHandle read = rw.acquireRead(Duration.ofSeconds(5))) {
 *     render(catalog.snapshot());
 * }
 * try (LockHandle write = rw.acquireWrite(Duration.ofSeconds(5))) {
 *     catalog.replace(write.token(), next);
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> One queue in creation order for both sides. A writer holds once no one is
 * ahead of it; a reader holds once no writer is ahead of it. A reader that arrives after a waiting
 * writer queues behind that writer, so a steady stream of readers cannot starve a writer. Tokens
 * (the czxid of the holder's znode) order the exclusive sections: a writer's token is higher than
 * every reader's and writer's before it, and every reader admitted after it has a higher token
 * still. Guarded writes work from either side. Not reentrant, and no upgrade from read to write (it
 * would wait for itself).
 *
 * <p><b>Connection loss.</b> As for {@link DistributedLock}: on a loss under the coordinator's
 * {@link io.statesync.core.ConnectionLossPolicy} every read and write handle turns invalid at once,
 * listeners are told, znodes are deleted once possible; waiters keep their place while their
 * session lives and re-queue after an expiry, within their timeout.
 *
 * <p><b>Threading.</b> Thread-safe; handles belong to no thread.
 */
public interface DistributedReadWriteLock extends Recipe {
    /**
     * Starts building a read-write lock.
     *
     * @param coordinator the connection
     * @param path the lock's path, relative to the coordinator's namespace (not {@code /})
     * @return a builder
     */
    static Builder builder(Coordinator coordinator, String path) {
        return new Builder(coordinator, path);
    }

    /**
     * Acquires a read (shared) handle, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait, not negative
     * @return the handle
     * @throws InterruptedException if interrupted; nothing is held
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if not acquired in
     *     time (also behind a silent partition); nothing is held
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials do not permit
     *     creating or reading under the lock's path (or creating its missing parents); thrown at once,
     *     not after the timeout, and nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if closed (or its coordinator closed)
     *     while trying
     * @throws IllegalStateException if not started
     * @throws io.statesync.core.IncompatibleLayoutException if the lock's znode is in a newer release's data layout
     *     (checked once per lock object); nothing is held or written
     */
    LockHandle acquireRead(Duration timeout) throws InterruptedException;

    /**
     * Acquires a read handle if no writer holds or waits, without waiting.
     *
     * @return the handle, or empty
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
     * @throws io.statesync.core.IncompatibleLayoutException if the lock's znode is in a newer release's data layout
     *     (checked once per lock object); nothing is held or written
     */
    Optional<LockHandle> tryAcquireRead() throws InterruptedException;

    /**
     * Acquires the write (exclusive) handle, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait, not negative
     * @return the handle
     * @throws InterruptedException if interrupted; nothing is held
     * @throws io.statesync.core.OperationTimeoutException outcome NOT_APPLIED, if not acquired in
     *     time (also behind a silent partition); nothing is held
     * @throws io.statesync.core.AccessDeniedException if the coordinator's credentials do not permit
     *     creating or reading under the lock's path (or creating its missing parents); thrown at once,
     *     not after the timeout, and nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if closed (or its coordinator closed)
     *     while trying
     * @throws IllegalStateException if not started
     * @throws io.statesync.core.IncompatibleLayoutException if the lock's znode is in a newer release's data layout
     *     (checked once per lock object); nothing is held or written
     */
    LockHandle acquireWrite(Duration timeout) throws InterruptedException;

    /**
     * Acquires the write handle if no one holds or waits, without waiting.
     *
     * @return the handle, or empty
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
     * @throws io.statesync.core.IncompatibleLayoutException if the lock's znode is in a newer release's data layout
     *     (checked once per lock object); nothing is held or written
     */
    Optional<LockHandle> tryAcquireWrite() throws InterruptedException;

    /**
     * The lock's path, relative to the coordinator's namespace.
     *
     * @return the path
     */
    String path();

    /**
     * Adds a listener told when a read or write handle is lost, on the coordinator's listener
     * executor.
     *
     * @param listener the listener
     * @throws IllegalStateException if closed
     */
    void addLockLostListener(LockLostListener listener);

    /**
     * Adds a listener told when a read or write handle is lost, on the given executor.
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
     * Stops the lock and releases every handle it still holds. Idempotent; never throws.
     * Returns within 2 s, also behind a silent partition: the deletes of all held znodes are sent at
     * once and waited for together at most 2 s; past that (or while disconnected) they go on through
     * the guaranteed delete, sent again on the next connection. An interrupt ends the wait; the flag
     * stays set.
     */
    @Override
    void close();

    /** Builds a {@link DistributedReadWriteLock}. */
    final class Builder {
        private final LockOptions options;

        private Builder(Coordinator coordinator, String path) {
            this.options = new LockOptions(coordinator, path);
        }

        /**
         * Validates the path and builds the lock, not yet started.
         *
         * @return the lock
         * @throws IllegalArgumentException if the path is invalid or {@code /}
         */
        public DistributedReadWriteLock build() {
            return new DefaultReadWriteLock(options.engine(1, "DistributedReadWriteLock"));
        }
    }
}
