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
package io.statesync.spring.integration;

import io.statesync.core.GuardedWrite;
import java.util.concurrent.locks.Lock;

/**
 * A {@link Lock} of a {@link StateSyncLockRegistry}: a statesync mutex at the key's path, owned by
 * the thread that locked it (reentrantly, as Spring Integration's {@code ZookeeperLockRegistry}
 * locks are), with the fencing token of the holding.
 *
 * <p><b>Fencing.</b> {@link #fencingToken()} is the czxid of the holder's znode: every later holder
 * of the same key (on any node) has a strictly higher token, also when this holder was deposed
 * without noticing (a pause past its session). Pass it to the resources changed while holding the
 * lock and let them refuse lower tokens, or write ZooKeeper state with {@link #write(GuardedWrite)}.
 *
 * <p><b>Losing the lock.</b> A distributed lock can be lost while it is held: on a connection loss
 * (as the coordinator's {@code ConnectionLossPolicy} defines it), on session expiry, when the
 * holder's znode is deleted, or when the registry or its coordinator is closed. The owner thread
 * still holds the {@code Lock} in the {@code java.util.concurrent} sense (it must still call {@link
 * #unlock()}, which then only cleans up), but: {@link #isValid()} turns {@code false}, {@link
 * #write(GuardedWrite)} throws {@link io.statesync.core.LockLostException} and writes nothing, the
 * registry's {@link StateSyncLockRegistry#addLockLostListener lock-lost listeners} are told, and
 * the next holder's token is higher. A reentrant {@code lock()} by the owner of a lost lock only
 * counts; it does not acquire again.
 *
 * <p><b>Threading.</b> Thread-safe. Conditions are not supported.
 */
public interface FencedLock extends Lock {
    /**
     * The key this lock was obtained for.
     *
     * @return the key
     */
    String key();

    /**
     * The statesync lock's path: the registry's root path and the key.
     *
     * @return the path, relative to the coordinator's namespace
     */
    String lockPath();

    /**
     * The fencing token of the current holding: the czxid of the holder's znode.
     *
     * @return the token, positive; the same for every reentrant acquisition of one holding
     * @throws IllegalMonitorStateException if the current thread does not hold this lock
     */
    long fencingToken();

    /**
     * Whether the current thread holds this lock ({@code lock} returned and {@code unlock} not yet
     * called as often), whether or not the holding was lost since.
     *
     * @return {@code true} if the current thread holds it
     */
    boolean isHeldByCurrentThread();

    /**
     * Whether the current thread holds this lock and the holding is not lost as far as this client
     * knows. A {@code true} answer is only as fresh as the last event from ZooKeeper; tokens and
     * {@link #write(GuardedWrite)} are what make a write safe.
     *
     * @return {@code true} if held by the current thread and not lost
     */
    boolean isValid();

    /**
     * Writes ZooKeeper state as one {@code multi} with a check of the holder's znode: all of it
     * lands while the lock is held, or none of it. Bounded by the coordinator's operation timeout.
     *
     * @param write the operations
     * @throws IllegalMonitorStateException if the current thread does not hold this lock
     * @throws InterruptedException if interrupted before anything was sent; nothing was written
     * @throws IllegalArgumentException if {@code write} has no operation; nothing was sent
     * @throws io.statesync.core.LockLostException if the holding was lost; nothing was written
     * @throws io.statesync.core.OperationTimeoutException if no answer came within the operation
     *     timeout, or the thread was interrupted once the write was sent: outcome UNKNOWN
     * @throws io.statesync.core.ValueTooLargeException if the operations' data exceed the
     *     coordinator's limit; nothing was sent
     * @throws io.statesync.core.StateSyncException typed by the first operation that failed
     *     (version conflict, no node, access denied, ...); nothing was written. A {@link
     *     io.statesync.core.ConnectionLossException} leaves the outcome unknown
     */
    void write(GuardedWrite write) throws InterruptedException;

    /**
     * Acquires the lock, waiting as long as it takes (the {@code Lock} contract). A thread that
     * holds it already only counts one more acquisition. An interrupt does not end the wait; the
     * thread's interrupt flag is set again when the lock is acquired. The waiting itself is bounded
     * in slices (each a statesync {@code acquire} with a deadline, queued again after it), so a
     * silent partition never leaves a call stuck in one ZooKeeper request.
     *
     * @throws io.statesync.core.AccessDeniedException if the coordinator may not create or read
     *     under the lock's path; nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if the registry or its coordinator is
     *     closed; nothing is held
     * @throws IllegalStateException if the registry is closed
     */
    @Override
    void lock();

    /**
     * Acquires the lock unless the thread is interrupted, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted before or while waiting; nothing is held (the
     *     waiter's znode is deleted)
     * @throws io.statesync.core.AccessDeniedException if the coordinator may not create or read
     *     under the lock's path; nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if the registry or its coordinator is
     *     closed; nothing is held
     * @throws IllegalStateException if the registry is closed
     */
    @Override
    void lockInterruptibly() throws InterruptedException;

    /**
     * Acquires the lock if no other thread of this process holds it and no one in ZooKeeper holds
     * or waits for it, without waiting for them. Returns within the coordinator's operation
     * timeout.
     *
     * @return {@code true} if acquired; {@code false} if it is taken, if the coordinator is
     *     disconnected or ZooKeeper did not answer in time, or if the thread was interrupted (its
     *     interrupt flag is then set)
     * @throws io.statesync.core.AccessDeniedException if the coordinator may not create or read
     *     under the lock's path
     * @throws io.statesync.core.StateSyncException CLOSED if the registry or its coordinator is
     *     closed
     * @throws IllegalStateException if the registry is closed
     */
    @Override
    boolean tryLock();

    /**
     * Acquires the lock if it becomes free within the given time, measured on the coordinator's
     * {@link io.statesync.core.Ticker} ({@code System.nanoTime()} by default): the call returns by then (plus scheduling), also when ZooKeeper is
     * unreachable or silently partitioned. A time of zero or less is {@link #tryLock()}.
     *
     * @param time how long to wait
     * @param unit the unit of {@code time}
     * @return {@code true} if acquired, {@code false} if the time passed first (nothing is held, the
     *     waiter's znode is deleted)
     * @throws InterruptedException if interrupted while waiting; nothing is held
     * @throws io.statesync.core.AccessDeniedException if the coordinator may not create or read
     *     under the lock's path; nothing is held
     * @throws io.statesync.core.StateSyncException CLOSED if the registry or its coordinator is
     *     closed; nothing is held
     * @throws IllegalStateException if the registry is closed
     */
    @Override
    boolean tryLock(long time, java.util.concurrent.TimeUnit unit) throws InterruptedException;

    /**
     * Releases one acquisition; the last releases the statesync lock (its znode is deleted, waiting
     * at most 2 s; while disconnected, in the background). A lost holding is released without
     * error.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold this lock
     */
    @Override
    void unlock();

    /**
     * Not supported.
     *
     * @return never
     * @throws UnsupportedOperationException always: a distributed lock has no conditions
     */
    @Override
    java.util.concurrent.locks.Condition newCondition();
}
