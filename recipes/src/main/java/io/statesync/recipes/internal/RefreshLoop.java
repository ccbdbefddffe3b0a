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
package io.statesync.recipes.internal;

import io.statesync.core.AccessDeniedException;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.LifecycleState;
import io.statesync.core.StateListener;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serial pass of a recipe that keeps its place on the server pass by pass (the election, group
 * membership), and the rules for retrying it, written once:
 *
 * <ul>
 *   <li>requests for a pass coalesce: at most one is queued on the recipe's one-thread executor,
 *       and none is queued unless the recipe is started;
 *   <li>a pass that fails is run again after {@link #RETRY_MILLIS};
 *   <li>access denied is told to the listeners once per episode (and wakes the recipe's waiters
 *       through its lock), then retried with a backoff that doubles from {@link #RETRY_MILLIS} to
 *       {@link #MAX_RETRY_MILLIS}, in case the ACL is changed; a pass that succeeds ends the
 *       episode;
 *   <li>a node in a newer release's layout is told to the listeners once (the pass wrote nothing),
 *       then checked again every {@link #MAX_RETRY_MILLIS}, in case the newer nodes are rolled back;
 *   <li>after each pass the listeners' queues are dispatched (a pass enqueues under the lock).
 * </ul>
 *
 * <p>The retry state is guarded by the recipe's lock. Thread-safe.
 *
 * @param <L> the recipe's listener type
 */
public final class RefreshLoop<L extends StateListener<?>> {
    /** The wait before a failed pass is run again, and the first backoff while access is denied. */
    public static final long RETRY_MILLIS = 250;

    /** The longest wait between passes while access is denied or the layout is newer. */
    public static final long MAX_RETRY_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(RefreshLoop.class);

    private final ScheduledExecutorService executor;
    private final Object lock;
    private final String name;
    private final Lifecycle lifecycle;
    private final ListenerSet<L> listeners;
    private final BooleanSupplier closed;
    private final Runnable pass;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Guarded by lock: access denied to the last passes. */
    private final AccessDenials denials = new AccessDenials(RETRY_MILLIS, MAX_RETRY_MILLIS);
    /** Guarded by lock: the newer layout this node refused, reported once. */
    private @Nullable IncompatibleLayoutException layoutError;

    /**
     * Creates the loop; nothing runs until {@link #request()}.
     *
     * @param executor the recipe's one-thread executor, shut down by the recipe
     * @param lock the recipe's lock, which guards the retry state and is notified on access denied
     * @param name the recipe, for log messages
     * @param lifecycle the recipe's lifecycle: passes are requested only while it is started
     * @param listeners the recipe's listeners: told of access denied and of a newer layout
     * @param closed whether the recipe has closed, read under {@code lock}: a failure after that is
     *     not told
     * @param pass one pass; it throws to have itself retried
     */
    public RefreshLoop(
            ScheduledExecutorService executor,
            Object lock,
            String name,
            Lifecycle lifecycle,
            ListenerSet<L> listeners,
            BooleanSupplier closed,
            Runnable pass) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.lock = Objects.requireNonNull(lock, "lock");
        this.name = Objects.requireNonNull(name, "name");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
        this.listeners = Objects.requireNonNull(listeners, "listeners");
        this.closed = Objects.requireNonNull(closed, "closed");
        this.pass = Objects.requireNonNull(pass, "pass");
    }

    /** Queues a pass, unless one is queued already or the recipe is not started. */
    public void request() {
        if (lifecycle.state() != LifecycleState.STARTED) {
            return;
        }
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(this::run);
            } catch (RejectedExecutionException e) {
                queued.set(false);
            }
        }
    }

    /**
     * Requests a pass after a delay (nothing if the executor was shut down meanwhile).
     *
     * @param delay the delay
     * @param unit its unit
     */
    public void requestIn(long delay, TimeUnit unit) {
        try {
            Future<?> unused = executor.schedule(this::request, delay, unit);
        } catch (RejectedExecutionException closing) {
            // closed
        }
    }

    /**
     * The access denial of the current episode. Call under the recipe's lock.
     *
     * @return the denial, or {@code null} if access is not denied
     */
    public @Nullable AccessDeniedException denied() {
        return denials.current();
    }

    /**
     * Whether this node refused the recipe's znode because it is in a newer layout. Call under the
     * recipe's lock.
     *
     * @return {@code true} once a newer layout was seen
     */
    public boolean layoutRefused() {
        return layoutError != null;
    }

    private void run() {
        queued.set(false);
        try {
            pass.run();
            synchronized (lock) {
                denials.clear();
            }
        } catch (AccessDeniedException e) {
            accessDenied(e);
        } catch (IncompatibleLayoutException e) {
            layoutRefused(e);
        } catch (RuntimeException e) {
            if (lifecycle.isStarted()) {
                LOG.debug("{}: refresh failed, retrying: {}", name, e.toString());
                requestIn(RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            listeners.dispatch();
        }
    }

    private void layoutRefused(IncompatibleLayoutException e) {
        synchronized (lock) {
            if (closed.getAsBoolean()) {
                return;
            }
            if (layoutError == null) {
                layoutError = e;
                LOG.error("{}: {}", name, e.getMessage());
                listeners.enqueue(e, l -> l.onError(e));
            }
        }
        requestIn(MAX_RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void accessDenied(AccessDeniedException e) {
        long delay;
        synchronized (lock) {
            if (closed.getAsBoolean()) {
                return;
            }
            delay = denials.record(e);
            if (denials.episodeBegan()) {
                listeners.enqueue(e, l -> l.onError(e));
            }
            lock.notifyAll();
        }
        denials.log(LOG, name, e, delay);
        requestIn(delay, TimeUnit.MILLISECONDS);
    }
}
