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

import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Ticker;
import io.statesync.core.internal.ZPaths;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.support.locks.ExpirableLockRegistry;

/**
 * A Spring Integration {@code LockRegistry} on statesync's fenced ZooKeeper mutex. An application
 * on {@code ZookeeperLockRegistry} switches by replacing its registry bean:
 *
 * <pre>{@code
 * @Bean
 * StateSyncLockRegistry lockRegistry(Coordinator coordinator) {
 *     return StateSyncLockRegistry.builder(coordinator).build(); // keys under /statesync-lock-registry
 * }
 * }</pre>
 *
 * <p><b>Keys.</b> A key is a {@code String} (as for {@code ZookeeperLockRegistry}); key {@code k}
 * is the statesync lock at {@code <rootPath>/k} (root {@value #DEFAULT_ROOT_PATH} unless set).
 * A key must be one valid znode name: not empty, no {@code /}, not {@code .} or {@code ..}, no
 * control characters or others ZooKeeper refuses; any other key, and a key that is not a {@code
 * String}, is an {@link IllegalArgumentException} naming it. {@link #obtain} returns the same
 * {@link FencedLock} for the same key until it is expired.
 *
 * <p><b>Guarantees.</b> Mutual exclusion across every process of the key's path, and between the
 * threads of one process: a lock is owned by the thread that locked it, reentrantly (each {@code
 * lock} needs its {@code unlock}); an {@code unlock} by another thread throws {@link
 * IllegalMonitorStateException}. The holding is the holder's ephemeral znode: a holder that
 * crashes, or whose session expires or is closed, frees the lock as soon as the session ends.
 * Each holding has a fencing token ({@link FencedLock#fencingToken()}), strictly higher than every
 * earlier holder's of the key.
 *
 * <p><b>Connection loss.</b> Unlike {@code ZookeeperLockRegistry}, whose locks are not told, a
 * holding lost to a connection loss (per the coordinator's {@code ConnectionLossPolicy}), a session
 * expiry or a deleted znode turns {@link FencedLock#isValid()} {@code false} at once, makes its
 * guarded writes fail, and is reported to the {@linkplain #addLockLostListener lock-lost listeners}.
 * Waiting callers keep waiting through an outage, within their time.
 *
 * <p><b>Not here.</b> Spring Integration 7's {@code DistributedLock} (a time to live per lock) and
 * {@code RenewableLockRegistry}: a statesync lock lives exactly as long as its holder's session, so
 * there is nothing to renew, and a time to live would only add a second way to lose the lock while
 * the session is fine.
 *
 * <p><b>Lifecycle.</b> {@link #close()} (called by Spring for the bean, before the coordinator it
 * depends on) releases every holding and makes the registry refuse further use. Keys are kept
 * until {@link #expireUnusedOlderThan(long)} removes them: call it periodically when keys are
 * unbounded (correlation ids), as with {@code ZookeeperLockRegistry}.
 *
 * <p><b>Threading.</b> Thread-safe. No thread of its own; lock-lost listeners run on the
 * coordinator's listener executor.
 */
public final class StateSyncLockRegistry implements ExpirableLockRegistry<FencedLock>, AutoCloseable {
    /**
     * The root path when none is set: {@value}. Not {@code ZookeeperLockRegistry}'s root: a Curator
     * mutex's znodes under the same path would not exclude a statesync holder, nor the reverse.
     */
    public static final String DEFAULT_ROOT_PATH = "/statesync-lock-registry";

    private static final Logger log = LoggerFactory.getLogger(StateSyncLockRegistry.class);

    /** One wait of {@code lock()}, short enough that a nanoTime deadline never overflows. */
    private static final Duration SLICE = Duration.ofHours(1);

    private final Coordinator coordinator;
    /** The coordinator's clock: every time rule here reads it. */
    private final Ticker ticker;

    private final String rootPath;
    private final ConcurrentMap<String, RegistryLock> locks = new ConcurrentHashMap<>();
    private final List<LostListener> lostListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private StateSyncLockRegistry(Builder b) {
        this.coordinator = b.coordinator;
        this.ticker = b.coordinator.ticker();
        this.rootPath = b.rootPath;
    }

    /**
     * Starts building a registry.
     *
     * @param coordinator the connection; started by the application, closed after the registry
     * @return a builder
     * @throws NullPointerException if {@code coordinator} is {@code null}
     */
    public static Builder builder(Coordinator coordinator) {
        return new Builder(coordinator);
    }

    /**
     * The lock of a key: the same object for the same key until it is expired. Nothing touches the
     * network.
     *
     * @param lockKey the key, a {@code String} that is one valid znode name
     * @return the lock
     * @throws NullPointerException if {@code lockKey} is {@code null}
     * @throws IllegalArgumentException if {@code lockKey} is not a {@code String}, or not one valid
     *     znode name; the message names it and says why
     * @throws IllegalStateException if the registry is closed
     */
    @Override
    public FencedLock obtain(Object lockKey) {
        Objects.requireNonNull(lockKey, "lockKey");
        if (!(lockKey instanceof String key)) {
            throw new IllegalArgumentException("lock key " + lockKey + " is a "
                    + lockKey.getClass().getName() + "; StateSyncLockRegistry keys are Strings (each one znode name)");
        }
        String problem = ZPaths.keyProblem(key);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "lock key '" + key + "' cannot be a statesync lock under '" + rootPath + "': " + problem);
        }
        checkOpen();
        RegistryLock lock = locks.computeIfAbsent(key, k -> new RegistryLock(k, ZPaths.join(rootPath, k)));
        lock.lastUsedNanos = ticker.read();
        return lock;
    }

    /**
     * Forgets the locks obtained more than {@code age} milliseconds ago that no thread holds or
     * waits for, and closes their statesync locks. A forgotten lock still works if a caller kept
     * it; {@link #obtain} then returns a new object for the key (the two still exclude each other,
     * through ZooKeeper, but are not reentrant with each other).
     *
     * @param age milliseconds since the lock was last obtained
     * @throws IllegalArgumentException if {@code age} is negative
     */
    @Override
    public void expireUnusedOlderThan(long age) {
        if (age < 0) {
            throw new IllegalArgumentException("age must not be negative: " + age);
        }
        long ageNanos = TimeUnit.MILLISECONDS.toNanos(age);
        long now = ticker.read();
        for (String key : new ArrayList<>(locks.keySet())) {
            locks.computeIfPresent(key, (k, lock) -> lock.retireIfUnused(now, ageNanos) ? null : lock);
        }
    }

    /**
     * Adds a listener told when a holding of any of this registry's locks is lost (not when it is
     * unlocked). It runs on the coordinator's listener executor and must not block long; an
     * exception it throws is logged.
     *
     * @param listener the listener
     * @throws NullPointerException if {@code listener} is {@code null}
     */
    public void addLockLostListener(LostListener listener) {
        lostListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    public boolean removeLockLostListener(LostListener listener) {
        return lostListeners.remove(listener);
    }

    /**
     * The root path under which each key is one statesync lock.
     *
     * @return the path, relative to the coordinator's namespace
     */
    public String rootPath() {
        return rootPath;
    }

    /**
     * Releases every holding (waiting at most 2 s per key for ZooKeeper; past that, or while
     * disconnected, the deletes go on in the background while the coordinator is open), closes the
     * statesync locks and refuses further use. Idempotent; never throws. Threads holding a lock
     * find it invalid and still call {@code unlock}, which then only cleans up; threads waiting
     * fail with a CLOSED error.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RegistryLock lock : locks.values()) {
            lock.closeRecipe();
        }
        locks.clear();
        lostListeners.clear();
    }

    @Override
    public String toString() {
        return "StateSyncLockRegistry{rootPath=" + rootPath + ", keys=" + locks.size() + "}";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("StateSyncLockRegistry at " + rootPath + " is closed");
        }
    }

    private void lost(RegistryLock lock, LockLostException reason) {
        for (LostListener listener : lostListeners) {
            try {
                listener.lockLost(lock, reason);
            } catch (RuntimeException e) {
                log.warn("lock-lost listener {} failed for key '{}'", listener, lock.key, e);
            }
        }
    }

    /** Told when a holding of a registry lock is lost. */
    @FunctionalInterface
    public interface LostListener {
        /**
         * A holding was lost: the lock is no longer held in ZooKeeper, though its owner thread has
         * not unlocked it yet.
         *
         * @param lock the lock whose holding was lost
         * @param reason what happened, with the holder's znode as its path
         */
        void lockLost(FencedLock lock, LockLostException reason);
    }

    private final class RegistryLock implements FencedLock {
        private final String key;
        private final String path;
        /** Owner thread, reentrancy and in-process exclusion. */
        private final ReentrantLock local = new ReentrantLock();

        volatile long lastUsedNanos;

        /** Set by the owner while it holds (hold count 1 and up). */
        private volatile @Nullable LockHandle handle;

        // guarded by this
        private @Nullable DistributedLock recipe;

        RegistryLock(String key, String path) {
            this.key = key;
            this.path = path;
        }

        private DistributedLock recipe() {
            synchronized (this) {
                checkOpen();
                DistributedLock r = recipe;
                if (r == null) {
                    r = DistributedLock.builder(coordinator, path).build();
                    r.addLockLostListener((h, reason) -> lost(this, reason));
                    r.start();
                    recipe = r;
                }
                return r;
            }
        }

        void closeRecipe() {
            DistributedLock r;
            synchronized (this) {
                r = recipe;
                recipe = null;
            }
            if (r != null) {
                r.close();
            }
        }

        boolean retireIfUnused(long now, long ageNanos) {
            if (now - lastUsedNanos <= ageNanos || !local.tryLock()) {
                return false;
            }
            try {
                if (local.getHoldCount() != 1 || local.hasQueuedThreads()) {
                    return false; // the caller holds it, or a thread waits for it
                }
                closeRecipe();
                return true;
            } finally {
                local.unlock();
            }
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String lockPath() {
            return path;
        }

        @Override
        public void lock() {
            local.lock();
            if (local.getHoldCount() > 1) {
                return;
            }
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        handle = recipe().acquire(SLICE);
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true; // lock() is not interruptible: wait again
                    } catch (OperationTimeoutException e) {
                        // one slice passed: queue again
                    }
                }
            } catch (RuntimeException | Error e) {
                local.unlock();
                throw e;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            local.lockInterruptibly();
            if (local.getHoldCount() > 1) {
                return;
            }
            try {
                while (true) {
                    try {
                        handle = recipe().acquire(SLICE);
                        return;
                    } catch (OperationTimeoutException e) {
                        // one slice passed: queue again
                    }
                }
            } catch (InterruptedException | RuntimeException | Error e) {
                local.unlock();
                throw e;
            }
        }

        @Override
        public boolean tryLock() {
            if (!local.tryLock()) {
                return false;
            }
            if (local.getHoldCount() > 1) {
                return true;
            }
            try {
                Optional<LockHandle> h = recipe().tryAcquire();
                if (h.isPresent()) {
                    handle = h.get();
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ConnectionLossException | OperationTimeoutException e) {
                log.debug("tryLock of '{}' at {}: {}", key, path, e.toString());
            } catch (RuntimeException | Error e) {
                local.unlock();
                throw e;
            }
            local.unlock();
            return false;
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(unit, "unit");
            if (time <= 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("tryLock of '" + key + "'");
                }
                return tryLock();
            }
            long start = ticker.read();
            long total = unit.toNanos(time);
            if (!local.tryLock(time, unit)) {
                return false;
            }
            if (local.getHoldCount() > 1) {
                return true;
            }
            try {
                while (true) {
                    long remaining = total - (ticker.read() - start);
                    if (remaining <= 0) {
                        local.unlock();
                        return false;
                    }
                    try {
                        handle = recipe().acquire(Duration.ofNanos(Math.min(remaining, SLICE.toNanos())));
                        return true;
                    } catch (OperationTimeoutException e) {
                        // the slice or the whole time passed: the loop decides
                    }
                }
            } catch (InterruptedException | RuntimeException | Error e) {
                local.unlock();
                throw e;
            }
        }

        @Override
        public void unlock() {
            if (!local.isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException("lock '" + key + "' at " + path + " is not held by thread "
                        + Thread.currentThread().getName());
            }
            if (local.getHoldCount() == 1) {
                LockHandle h = handle;
                handle = null;
                if (h != null) {
                    h.close(); // never throws; 2 s at most
                }
            }
            local.unlock();
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("a StateSyncLockRegistry lock has no conditions");
        }

        private LockHandle ownHandle() {
            LockHandle h = handle;
            if (!local.isHeldByCurrentThread() || h == null) {
                throw new IllegalMonitorStateException("lock '" + key + "' at " + path + " is not held by thread "
                        + Thread.currentThread().getName());
            }
            return h;
        }

        @Override
        public long fencingToken() {
            return ownHandle().token();
        }

        @Override
        public boolean isHeldByCurrentThread() {
            return local.isHeldByCurrentThread();
        }

        @Override
        public boolean isValid() {
            LockHandle h = handle;
            return local.isHeldByCurrentThread() && h != null && h.isValid();
        }

        @Override
        public void write(GuardedWrite write) throws InterruptedException {
            ownHandle().write(write);
        }

        @Override
        public String toString() {
            return "FencedLock{key=" + key + ", path=" + path + ", locked=" + local.isLocked() + "}";
        }
    }

    /** Builds a {@link StateSyncLockRegistry}. */
    public static final class Builder {
        private final Coordinator coordinator;
        private String rootPath = DEFAULT_ROOT_PATH;

        private Builder(Coordinator coordinator) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        }

        /**
         * Where the locks live: key {@code k} is the statesync lock {@code <rootPath>/k}. Default
         * {@value StateSyncLockRegistry#DEFAULT_ROOT_PATH}.
         *
         * @param rootPath an absolute path relative to the coordinator's namespace, without a
         *     trailing {@code /}
         * @return this builder
         * @throws NullPointerException if {@code rootPath} is {@code null}
         */
        public Builder rootPath(String rootPath) {
            this.rootPath = Objects.requireNonNull(rootPath, "rootPath");
            return this;
        }

        /**
         * Validates the settings and builds the registry. Nothing touches the network.
         *
         * @return the registry
         * @throws IllegalArgumentException if the root path is not absolute, ends with {@code /}, or
         *     has an element ZooKeeper refuses; the message names it
         */
        public StateSyncLockRegistry build() {
            try {
                ZPaths.validate(rootPath);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("root path '" + rootPath + "' is invalid: " + e.getMessage(), e);
            }
            return new StateSyncLockRegistry(this);
        }
    }
}
