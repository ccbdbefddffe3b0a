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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.StateSyncException;
import io.statesync.core.Ticker;
import io.statesync.core.internal.ZPaths;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.support.LockException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ShedLock {@code LockProvider} on statesync's fenced ZooKeeper mutex. An application on
 * {@code @SchedulerLock} switches by replacing its provider bean:
 *
 * <pre>{@code
 * @Bean
 * LockProvider lockProvider(Coordinator coordinator) {
 *     return StateSyncLockProvider.builder(coordinator).build(); // locks under /statesync-shedlock
 * }
 * }</pre>
 *
 * <p>Each lock name is one {@link DistributedLock} at {@code <basePath>/<name>} (base path {@value
 * #DEFAULT_BASE_PATH} unless set). {@link #lock} is a non-blocking try: it returns the lock if no
 * one holds it, and empty if someone does (this node included: the lock is not reentrant, and a lock
 * kept for {@code lockAtLeastFor} blocks this node's next run too).
 *
 * <p><b>Who holds the lock.</b> The holder's ephemeral znode, that is its ZooKeeper session. A
 * holder that crashes, or whose session expires or is closed, frees the lock as soon as the session
 * ends; nobody waits out {@code lockAtMostFor}. No wall clock is compared across nodes.
 *
 * <p><b>{@code lockAtMostFor}</b> is an upper bound measured on the holder (on the coordinator's
 * {@link Ticker}, {@code System.nanoTime()} by default, from the {@code LockConfiguration}'s creation): when it passes while the task
 * still runs, the provider releases the lock, as ShedLock does, so that a hung task does not block
 * the job for ever. The running task is then no longer the holder: its {@link
 * FencedSimpleLock#isValid()} turns {@code false}, its guarded writes are refused, and the next
 * holder's token is higher. {@link Builder#releaseAfterLockAtMostFor(boolean)
 * releaseAfterLockAtMostFor(false)} keeps the lock until the task ends instead (or its session
 * does).
 *
 * <p><b>{@code lockAtLeastFor}</b>: when the task ends earlier, {@link SimpleLock#unlock()} keeps
 * the lock until {@code lockAtLeastFor} has passed since the lock was taken and releases it then,
 * from the provider's timer thread. Only while the holder's session lives: a holder that dies
 * during that time frees the lock at once (ShedLock's stored timestamp would outlive it).
 *
 * <p><b>Fencing.</b> The returned {@link SimpleLock} is a {@link FencedSimpleLock} with {@link
 * FencedSimpleLock#fencingToken()}. Code running inside a {@code @SchedulerLock} method (or a
 * {@code LockingTaskExecutor} task) reads it with {@link #currentLock()} or {@link
 * #currentFencingToken()}: ShedLock calls {@link #lock} and runs the task on the same thread.
 *
 * <p><b>Errors.</b> A lock name that is not one valid znode name (contains {@code /}, is {@code .}
 * or {@code ..}, or has characters ZooKeeper refuses) is an {@link IllegalArgumentException} naming
 * it. ZooKeeper failures (disconnected, no answer within the coordinator's operation timeout, access
 * denied, a newer data layout) are a ShedLock {@link LockException} naming the lock and carrying the
 * statesync exception as its cause: ShedLock logs it and the run is skipped; nothing is held.
 *
 * <p><b>Lifecycle.</b> Close the provider before its coordinator ({@link #close()}; a Spring bean's
 * {@code close} is called for it, and before the coordinator bean it depends on). It releases every
 * lock it holds and stops its timer thread.
 *
 * <p><b>Threading.</b> Thread-safe. {@link #lock} returns within the coordinator's operation
 * timeout (plus at most 2 s to release a lock taken as the provider closed); an interrupt makes it
 * return empty with the thread's interrupt flag set. One daemon timer thread, started on the first
 * lock taken, releases locks at the end of {@code lockAtMostFor} and {@code lockAtLeastFor}.
 */
public final class StateSyncLockProvider implements ExtensibleLockProvider, AutoCloseable {
    /**
     * The base path when none is set: {@value}. Not ShedLock's {@code /shedlock}: its ZooKeeper
     * provider keeps a "locked until" timestamp in {@code /shedlock/<name>}, which a statesync node
     * does not honour (nor an old node statesync's holder): a path of its own keeps the two apart.
     */
    public static final String DEFAULT_BASE_PATH = "/statesync-shedlock";

    private static final Logger log = LoggerFactory.getLogger(StateSyncLockProvider.class);
    private static final AtomicInteger PROVIDERS = new AtomicInteger();

    /** The locks this thread took through any provider and has not unlocked, innermost last. */
    private static final ThreadLocal<Deque<Held>> CURRENT = new ThreadLocal<>();

    private final Coordinator coordinator;
    /** The coordinator's clock: every time rule here reads it. */
    private final Ticker ticker;

    private final String basePath;
    private final boolean releaseAfterLockAtMostFor;
    private final ScheduledThreadPoolExecutor timer;
    private final Object monitor = new Object();

    // guarded by monitor
    private final Map<String, DistributedLock> locks = new HashMap<>();

    private final Set<Holding> holdings = ConcurrentHashMap.newKeySet();

    // guarded by monitor
    private boolean closed;

    private StateSyncLockProvider(Builder b) {
        this.coordinator = b.coordinator;
        this.ticker = b.coordinator.ticker();
        this.basePath = b.basePath;
        this.releaseAfterLockAtMostFor = b.releaseAfterLockAtMostFor;
        String threadName = "statesync-shedlock-" + PROVIDERS.incrementAndGet();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
        this.timer = new ScheduledThreadPoolExecutor(1, factory);
        this.timer.setRemoveOnCancelPolicy(true);
        this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Starts building a provider.
     *
     * @param coordinator the connection; started by the application, closed after the provider
     * @return a builder
     * @throws NullPointerException if {@code coordinator} is {@code null}
     */
    public static Builder builder(Coordinator coordinator) {
        return new Builder(coordinator);
    }

    /**
     * The innermost statesync ShedLock lock the current thread took and has not unlocked: inside a
     * {@code @SchedulerLock} method running on this provider, the method's lock. Nested locks of
     * other names are returned innermost first; a lock unlocked or extended is not returned (its
     * extension is, also when another thread extended it, as ShedLock's {@code
     * KeepAliveLockProvider} does). A lock taken on this thread through {@link #lock} directly counts
     * too.
     *
     * @return the lock, or empty if this thread holds none
     */
    public static Optional<FencedSimpleLock> currentLock() {
        Deque<Held> stack = CURRENT.get();
        if (stack == null) {
            return Optional.empty();
        }
        // A lock extended on another thread (ShedLock's KeepAliveLockProvider does) stands for its
        // extension; one unlocked on another thread is dropped.
        List<Held> resolved = new ArrayList<>();
        for (Held h : stack) {
            Held now = h.current();
            if (now != null) {
                resolved.add(now);
            }
        }
        stack.clear();
        stack.addAll(resolved);
        Held last = stack.peekLast();
        if (last == null) {
            CURRENT.remove();
        }
        return Optional.ofNullable(last);
    }

    /**
     * The fencing token of {@link #currentLock()}.
     *
     * @return the token, positive
     * @throws IllegalStateException if the current thread holds no statesync ShedLock lock (the
     *     method was not called inside a {@code @SchedulerLock} method or task on a {@code
     *     StateSyncLockProvider}, or on another thread than the one that runs it)
     */
    public static long currentFencingToken() {
        return currentLock()
                .orElseThrow(() -> new IllegalStateException("this thread ("
                        + Thread.currentThread().getName()
                        + ") holds no ShedLock lock of a StateSyncLockProvider: call it inside the"
                        + " @SchedulerLock method, on the thread that runs it"))
                .fencingToken();
    }

    /**
     * Tries to take the lock named by the configuration, without waiting for another holder.
     *
     * @param lockConfiguration the name and the {@code lockAtMostFor}/{@code lockAtLeastFor} of this
     *     run
     * @return a {@link FencedSimpleLock}, or empty if the lock is held (by another node, or by this
     *     one), or if the thread was interrupted (its interrupt flag is then set)
     * @throws NullPointerException if {@code lockConfiguration} is {@code null}
     * @throws IllegalArgumentException if the lock name is not one valid znode name; the message
     *     names it and says why
     * @throws IllegalStateException if the provider is closed
     * @throws LockException if ZooKeeper could not be asked: the coordinator is not connected, no
     *     answer came within its operation timeout, access to the path is denied, the lock's znode
     *     is in a newer data layout, or the coordinator is closed; the cause is the statesync
     *     exception, and nothing is held
     */
    @Override
    public Optional<SimpleLock> lock(LockConfiguration lockConfiguration) {
        Objects.requireNonNull(lockConfiguration, "lockConfiguration");
        String name = lockConfiguration.getName();
        String problem = ZPaths.keyProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("ShedLock lock name '" + name + "' cannot be a statesync lock under '"
                    + basePath + "': " + problem);
        }
        DistributedLock lock = lockFor(name);
        Optional<LockHandle> handle;
        try {
            handle = lock.tryAcquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.debug("Interrupted while taking ShedLock lock '{}': not run", name);
            return Optional.empty();
        } catch (StateSyncException e) {
            throw new LockException("cannot take ShedLock lock '" + name + "' at " + lock.path() + ": " + e, e);
        } catch (IllegalStateException e) {
            // the provider closed the lock between lockFor and tryAcquire
            throw new IllegalStateException("StateSyncLockProvider at " + basePath + " is closed", e);
        }
        if (handle.isEmpty()) {
            return Optional.empty();
        }
        Holding holding = new Holding(name, handle.get());
        holdings.add(holding);
        synchronized (monitor) {
            if (closed) {
                holding.release();
                throw new IllegalStateException("StateSyncLockProvider at " + basePath + " is closed");
            }
        }
        Instant now = ClockProvider.now();
        long nanos = ticker.read();
        if (releaseAfterLockAtMostFor) {
            holding.releaseAt(nanos + remainingNanos(now, lockConfiguration.getLockAtMostUntil()), "lockAtMostFor");
        }
        Held held = new Held(holding, nanos + remainingNanos(now, lockConfiguration.getLockAtLeastUntil()));
        push(held);
        return Optional.of(held);
    }

    /**
     * Releases every lock this provider holds (waiting at most 2 s for ZooKeeper; past that, or
     * while disconnected, the deletes go on in the background while the coordinator is open), closes
     * its statesync locks and stops its timer thread. Idempotent; never throws. The locks'
     * {@link FencedSimpleLock#isValid()} turn {@code false}; a later {@code unlock} is a no-op.
     */
    @Override
    public void close() {
        List<DistributedLock> toClose;
        synchronized (monitor) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(locks.values());
            locks.clear();
        }
        timer.shutdownNow();
        for (Holding h : holdings) {
            h.markReleased();
        }
        holdings.clear();
        for (DistributedLock lock : toClose) {
            lock.close(); // releases the handles still held, 2 s at most for all of them
        }
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("StateSyncLockProvider at {}: its timer thread did not stop within 5 s", basePath);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The base path under which each lock name is one statesync lock.
     *
     * @return the path, relative to the coordinator's namespace
     */
    public String basePath() {
        return basePath;
    }

    @Override
    public String toString() {
        return "StateSyncLockProvider{basePath=" + basePath + ", releaseAfterLockAtMostFor=" + releaseAfterLockAtMostFor
                + "}";
    }

    private DistributedLock lockFor(String name) {
        synchronized (monitor) {
            if (closed) {
                throw new IllegalStateException("StateSyncLockProvider at " + basePath + " is closed");
            }
            DistributedLock lock = locks.get(name);
            if (lock == null) {
                lock = DistributedLock.builder(coordinator, ZPaths.join(basePath, name))
                        .build();
                lock.start();
                locks.put(name, lock);
            }
            return lock;
        }
    }

    private static long remainingNanos(Instant now, Instant until) {
        Duration d = Duration.between(now, until);
        if (d.isNegative()) {
            return 0;
        }
        // capped at about 292 years: a nanoTime deadline must not overflow
        return d.compareTo(Duration.ofDays(100_000)) > 0
                ? Duration.ofDays(100_000).toNanos()
                : d.toNanos();
    }

    private static void push(Held held) {
        Deque<Held> stack = CURRENT.get();
        if (stack == null) {
            stack = new ArrayDeque<>();
            CURRENT.set(stack);
        }
        stack.removeIf(h -> !h.isActive());
        stack.addLast(held);
    }

    /** Takes {@code held} off this thread's stack; puts {@code replacement} in its place if given. */
    private static void pop(Held held, @Nullable Held replacement) {
        Deque<Held> stack = CURRENT.get();
        if (stack == null) {
            return; // unlocked on another thread: that thread's stack drops it when next read
        }
        if (replacement == null) {
            stack.removeIf(h -> h == held);
        } else {
            List<Held> copy = new ArrayList<>(stack);
            stack.clear();
            for (Held h : copy) {
                stack.addLast(h == held ? replacement : h);
            }
        }
        if (stack.isEmpty()) {
            CURRENT.remove();
        }
    }

    /** One acquisition of a statesync lock: its handle, and the timer that will release it. */
    private final class Holding {
        private final String name;
        private final LockHandle handle;

        // guarded by this
        private @Nullable ScheduledFuture<?> scheduled;

        // guarded by this
        private boolean released;

        Holding(String name, LockHandle handle) {
            this.name = name;
            this.handle = handle;
        }

        /** Releases at the given nanoTime (at once if it has passed), replacing any earlier plan. */
        void releaseAt(long deadlineNanos, String why) {
            long delay = deadlineNanos - ticker.read();
            synchronized (this) {
                if (released) {
                    return;
                }
                if (scheduled != null) {
                    scheduled.cancel(false);
                    scheduled = null;
                }
                if (delay > 0) {
                    try {
                        scheduled = timer.schedule(() -> expire(why), delay, TimeUnit.NANOSECONDS);
                        return;
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // the provider is closing: release now
                    }
                }
            }
            expire(why);
        }

        private void expire(String why) {
            if (why.equals("lockAtMostFor") && handle.isValid()) {
                log.warn(
                        "ShedLock lock '{}' (token {}) released: lockAtMostFor passed while the task still runs",
                        name,
                        handle.token());
            }
            release();
        }

        void release() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                if (scheduled != null) {
                    scheduled.cancel(false);
                    scheduled = null;
                }
            }
            holdings.remove(this);
            handle.close(); // idempotent, never throws, 2 s at most
        }

        /** Marks released without closing the handle (the provider's close releases it). */
        void markReleased() {
            synchronized (this) {
                released = true;
                if (scheduled != null) {
                    scheduled.cancel(false);
                    scheduled = null;
                }
            }
        }

        boolean isValid() {
            synchronized (this) {
                if (released) {
                    return false;
                }
            }
            return handle.isValid();
        }
    }

    /** One ShedLock incarnation of a holding: the first lock, or an extension of it. */
    private final class Held implements FencedSimpleLock {
        private final Holding holding;
        private final long lockAtLeastUntilNanos;

        // guarded by this
        private @Nullable String ended; // "unlocked" or "extended"

        // guarded by this
        private @Nullable Held extendedTo;

        Held(Holding holding, long lockAtLeastUntilNanos) {
            this.holding = holding;
            this.lockAtLeastUntilNanos = lockAtLeastUntilNanos;
        }

        synchronized boolean isActive() {
            return ended == null;
        }

        /** This lock if active, its latest extension if it was extended, else {@code null}. */
        @Nullable
        Held current() {
            Held h = this;
            while (true) {
                Held next;
                synchronized (h) {
                    if (h.ended == null) {
                        return h;
                    }
                    next = h.extendedTo;
                }
                if (next == null) {
                    return null;
                }
                h = next;
            }
        }

        private synchronized void end(String how) {
            if (ended != null) {
                throw new IllegalStateException("ShedLock lock '" + holding.name + "' was already " + ended
                        + ": it cannot be unlocked or extended again");
            }
            ended = how;
        }

        @Override
        public String name() {
            return holding.name;
        }

        @Override
        public String lockPath() {
            return holding.handle.lockPath();
        }

        @Override
        public long fencingToken() {
            return holding.handle.token();
        }

        @Override
        public boolean isValid() {
            return isActive() && holding.isValid();
        }

        @Override
        public void write(GuardedWrite write) throws InterruptedException {
            holding.handle.write(write);
        }

        @Override
        public void unlock() {
            end("unlocked");
            pop(this, null);
            holding.releaseAt(lockAtLeastUntilNanos, "lockAtLeastFor");
        }

        @Override
        public Optional<SimpleLock> extend(Duration lockAtMostFor, Duration lockAtLeastFor) {
            Objects.requireNonNull(lockAtMostFor, "lockAtMostFor");
            Objects.requireNonNull(lockAtLeastFor, "lockAtLeastFor");
            Instant now = ClockProvider.now();
            // validates as ShedLock does (lockAtLeastFor <= lockAtMostFor, lockAtMostFor >= 0)
            LockConfiguration next = new LockConfiguration(now, holding.name, lockAtMostFor, lockAtLeastFor);
            end("extended");
            if (!holding.isValid()) {
                pop(this, null);
                holding.release();
                return Optional.empty();
            }
            long nanos = ticker.read();
            if (releaseAfterLockAtMostFor) {
                holding.releaseAt(nanos + remainingNanos(now, next.getLockAtMostUntil()), "lockAtMostFor");
            }
            Held extended = new Held(holding, nanos + remainingNanos(now, next.getLockAtLeastUntil()));
            synchronized (this) {
                extendedTo = extended;
            }
            pop(this, extended);
            return Optional.of(extended);
        }

        @Override
        public String toString() {
            return "FencedSimpleLock{name=" + holding.name + ", token=" + holding.handle.token() + ", valid="
                    + isValid() + "}";
        }
    }

    /** Builds a {@link StateSyncLockProvider}. Each setter may be called once or more; the last wins. */
    public static final class Builder {
        private final Coordinator coordinator;
        private String basePath = DEFAULT_BASE_PATH;
        private boolean releaseAfterLockAtMostFor = true;

        private Builder(Coordinator coordinator) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        }

        /**
         * Where the locks live: lock name {@code n} is the statesync lock {@code <basePath>/n}.
         * Default {@value StateSyncLockProvider#DEFAULT_BASE_PATH}.
         *
         * @param basePath an absolute path relative to the coordinator's namespace, without a
         *     trailing {@code /}
         * @return this builder
         * @throws NullPointerException if {@code basePath} is {@code null}
         */
        public Builder basePath(String basePath) {
            this.basePath = Objects.requireNonNull(basePath, "basePath");
            return this;
        }

        /**
         * Whether the lock is released when {@code lockAtMostFor} passes while the task still runs
         * (ShedLock's meaning, the default), or kept until the task ends or the holder's session
         * does ({@code false}: a hung task then blocks the job until its node is stopped).
         *
         * @param release {@code true} to release after {@code lockAtMostFor}
         * @return this builder
         */
        public Builder releaseAfterLockAtMostFor(boolean release) {
            this.releaseAfterLockAtMostFor = release;
            return this;
        }

        /**
         * Validates the settings and builds the provider. Nothing touches the network; the timer
         * thread starts with the first lock taken.
         *
         * @return the provider
         * @throws IllegalArgumentException if the base path is not absolute, ends with {@code /}, or
         *     has an element ZooKeeper refuses; the message names it
         */
        public StateSyncLockProvider build() {
            try {
                ZPaths.validate(basePath);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base path '" + basePath + "' is invalid: " + e.getMessage(), e);
            }
            return new StateSyncLockProvider(this);
        }
    }
}
