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

import io.statesync.core.GuardedWrite;
import java.time.Duration;

/**
 * One holding of a lock, a read or write side of a read-write lock, or a semaphore lease. A value,
 * not thread state: any thread may use or release it, and one thread may hold several.
 *
 * <p><b>Fencing.</b> {@link #token()} is the czxid of the holder's znode. Successive holders of one
 * mutex (or of the write side of a read-write lock) get strictly increasing tokens, also after the
 * lock's parent was deleted and re-created, because a czxid is the zxid of the creating
 * transaction and zxids only grow. Pass the token to every resource you change while holding the
 * lock; a resource that refuses tokens lower than the highest it has seen ({@link FencedResource})
 * cannot be written by a holder that was deposed while it was paused.
 *
 * <p><b>Validity.</b> {@link #isValid()} turns {@code false} at once when the coordinator reports a
 * loss (SUSPENDED and LOST under {@link io.statesync.core.ConnectionLossPolicy#ON_SUSPENDED}, LOST
 * only under {@code ON_LOST}), when the session expires, or when the holder's znode is deleted;
 * the lock's {@link LockLostListener}s are told. It also turns {@code false} by the clock alone, on
 * the calling thread, once the server has not replied for as long as the policy allows (the
 * connection's read timeout, two thirds of the negotiated session timeout, under {@code
 * ON_SUSPENDED}; the negotiated session timeout under {@code ON_LOST}), even if the client has not
 * reported anything yet: after this process was paused past that (a stop signal, a long garbage
 * collection) the first call after it runs again answers {@code false}, and the coordinator's
 * watchdog marks the handle lost within {@value io.statesync.core.internal.ServerSilence#PERIOD_MILLIS}
 * ms of the process running again. A lost handle never becomes valid again, even if
 * the session survives: acquire anew. Its znode is deleted in the background so that it does not
 * block later acquires.
 *
 * <p><b>Release.</b> {@link #close()} releases: it never throws and is idempotent. If the connection
 * is down, the holder's znode is deleted in the background once it is back (or disappears with the
 * session if that expires), so a release during a connection loss never leaves an orphan that
 * blocks every later acquire.
 *
 * <p><b>Threading.</b> Thread-safe.
 */
public interface LockHandle extends AutoCloseable {
    /**
     * The fencing token: the czxid of the holder's znode.
     *
     * @return the token, positive
     */
    long token();

    /**
     * Whether this handle still holds the lock as far as this client knows: not released, no loss
     * reported, the holder's znode not seen deleted, and a reply from the server within the loss
     * policy's limit (see "Validity" above). A {@code true} answer can still be stale by up to one
     * network round trip, and the server may expire a session one round trip before this client's
     * clock says so; use {@link #write(GuardedWrite)} or tokens for safety.
     *
     * @return {@code true} while held
     */
    boolean isValid();

    /**
     * The holder's znode, relative to the coordinator's namespace.
     *
     * @return the path, e.g. {@code /locks/orders/lock-6f1c...-0000000007}
     */
    String holderPath();

    /**
     * The lock's path, relative to the coordinator's namespace.
     *
     * @return the path the lock was built with
     */
    String lockPath();

    /**
     * Runs a guarded write as {@link #write(GuardedWrite, Duration)} does, with the coordinator's
     * {@link io.statesync.core.Coordinator#operationTimeout() operation timeout} as its timeout.
     *
     * @param write the operations
     * @throws InterruptedException if interrupted before anything was sent; nothing was written
     * @throws IllegalArgumentException if {@code write} has no operation; nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if no answer came within the operation
     *     timeout, or the thread was interrupted once the write was sent: outcome UNKNOWN
     * @throws io.statesync.core.LockLostException if the lock is no longer held; nothing was
     *     written
     * @throws io.statesync.core.ValueTooLargeException if the operations' data exceed the
     *     coordinator's limit; nothing was sent
     * @throws io.statesync.core.StateSyncException typed by the first operation that failed
     *     (version conflict, no node, access denied, ...); nothing was written. A {@link
     *     io.statesync.core.ConnectionLossException} leaves the outcome unknown
     */
    void write(GuardedWrite write) throws InterruptedException;

    /**
     * Runs the operations as one ZooKeeper {@code multi} together with a check that the holder's
     * znode still exists: all land, or none. A holder that was deposed (its session expired, its
     * znode deleted) gets {@link io.statesync.core.LockLostException} and nothing is written, even
     * if it has not yet heard of the loss. Fails fast, before sending anything, if the handle is
     * already known to be invalid. Sent once, never resent.
     *
     * <p><b>Timeout and interrupt.</b> The call returns within {@code timeout} (plus scheduling):
     * past it, without an answer (a silent partition), it throws {@link
     * io.statesync.core.OperationTimeoutException} with outcome UNKNOWN, since the write was sent and
     * may land. An interrupt before anything was sent throws {@link InterruptedException}; once the
     * write was sent, it throws {@code OperationTimeoutException} (UNKNOWN) and the thread's
     * interrupt flag stays set.
     *
     * @param write the operations
     * @param timeout how long to wait for the answer; zero or positive
     * @throws InterruptedException if interrupted before anything was sent; nothing was written
     * @throws NullPointerException if {@code write} or {@code timeout} is {@code null}
     * @throws IllegalArgumentException if {@code write} has no operation, or {@code timeout} is
     *     negative; nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if no answer came within {@code timeout},
     *     or the thread was interrupted once the write was sent: outcome UNKNOWN
     * @throws io.statesync.core.LockLostException if the lock is no longer held; nothing was
     *     written
     * @throws io.statesync.core.ValueTooLargeException if the operations' data exceed the
     *     coordinator's limit; nothing was sent
     * @throws io.statesync.core.StateSyncException typed by the first operation that failed
     *     (version conflict, no node, access denied, ...); nothing was written. A {@link
     *     io.statesync.core.ConnectionLossException} leaves the outcome unknown
     */
    void write(GuardedWrite write, Duration timeout) throws InterruptedException;

    /**
     * Releases the lock. Idempotent; never throws. Waits at most 2 s for ZooKeeper to confirm the
     * delete while connected (also behind a silent partition); otherwise, or past that, the delete
     * goes on through the guaranteed delete (sent again on the next connection, only while the
     * znode still belongs to its session). An interrupt ends the wait; the flag stays set.
     */
    @Override
    void close();
}
