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
package io.statesync.shedlock;

import io.statesync.core.GuardedWrite;
import java.time.Duration;
import java.util.Optional;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * A ShedLock lock held through a statesync mutex: the {@link SimpleLock} that {@link
 * StateSyncLockProvider#lock} returns, and what {@link StateSyncLockProvider#currentLock()} hands a
 * task running under {@code @SchedulerLock}.
 *
 * <p><b>Fencing.</b> {@link #fencingToken()} is the czxid of the holder's znode: every later holder
 * of the same lock name (on any node) has a strictly higher token, also when this holder was deposed
 * without noticing (a pause past its session). Pass it to the resources the task changes and let
 * them refuse lower tokens ({@code io.statesync.recipes.lock.FencedResource}), or write ZooKeeper
 * state with {@link #write(GuardedWrite)}, which the server refuses once the lock is gone. An
 * {@linkplain #extend extended} lock keeps its znode and so its token.
 *
 * <p><b>Validity.</b> {@link #isValid()} turns {@code false} when the lock is released: by {@link
 * #unlock()} (at once, or at the end of {@code lockAtLeastFor}), when {@code lockAtMostFor} passes
 * while the task still runs, on a connection loss as the coordinator's {@code ConnectionLossPolicy}
 * defines it, on session expiry, when the holder's znode is deleted, or when the provider is closed.
 *
 * <p><b>Threading.</b> Thread-safe.
 */
public interface FencedSimpleLock extends SimpleLock {
    /**
     * The ShedLock lock name.
     *
     * @return the name from the {@code LockConfiguration}
     */
    String name();

    /**
     * The statesync lock's path: the provider's base path and the lock name.
     *
     * @return the path, relative to the coordinator's namespace, e.g. {@code /shedlock/reportJob}
     */
    String lockPath();

    /**
     * The fencing token: the czxid of the holder's znode, strictly higher than every earlier
     * holder's of this lock name.
     *
     * @return the token, positive
     */
    long fencingToken();

    /**
     * Whether the lock is still held as far as this client knows. A {@code true} answer is only as
     * fresh as the last event from ZooKeeper; tokens and {@link #write(GuardedWrite)} are what make
     * a write safe.
     *
     * @return {@code true} until the lock is released or lost
     */
    boolean isValid();

    /**
     * Writes ZooKeeper state as one {@code multi} with a check of the holder's znode: all of it
     * lands while the lock is held, or none of it. Bounded by the coordinator's operation timeout.
     *
     * @param write the operations
     * @throws InterruptedException if interrupted before anything was sent; nothing was written
     * @throws IllegalArgumentException if {@code write} has no operation; nothing was sent
     * @throws io.statesync.core.LockLostException if the lock is no longer held (released, past
     *     {@code lockAtMostFor}, lost with its session); nothing was written
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
     * Releases the lock, or keeps it until {@code lockAtLeastFor} has passed since the lock was
     * taken and releases it then (in the background). Never waits more than 2 s for ZooKeeper; a
     * release while disconnected completes in the background. A lock already lost or released by
     * {@code lockAtMostFor} is unlocked without error.
     *
     * @throws IllegalStateException if this lock was already unlocked or extended (ShedLock's
     *     contract)
     */
    @Override
    void unlock();

    /**
     * Extends the lock: a new lock with the same znode and token, whose {@code lockAtMostFor} and
     * {@code lockAtLeastFor} count from now; this one may not be used afterwards. On the thread that
     * took the lock, {@link StateSyncLockProvider#currentLock()} then returns the new lock.
     *
     * @param lockAtMostFor the new upper bound, from now
     * @param lockAtLeastFor the new lower bound, from now; not longer than {@code lockAtMostFor}
     * @return the new lock, or empty if this one is no longer held (lost, or released by {@code
     *     lockAtMostFor}); then it is released
     * @throws IllegalStateException if this lock was already unlocked or extended
     * @throws IllegalArgumentException if {@code lockAtLeastFor} is longer than {@code
     *     lockAtMostFor}, or {@code lockAtMostFor} is negative
     */
    @Override
    Optional<SimpleLock> extend(Duration lockAtMostFor, Duration lockAtLeastFor);
}
