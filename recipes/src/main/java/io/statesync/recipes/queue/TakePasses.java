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
package io.statesync.recipes.queue;

import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue's take passes: each pass of I/O (the cached candidates, then a scan of {@link
 * Claims}) runs on a taker thread, and its take waits for it only until the pass's deadline. A pass
 * that ends after its take stopped waiting (blocked behind a dead connection) is stranded: it gives
 * back any claim it made. Owns the count of stranded passes. Thread-safe.
 */
final class TakePasses<T> {
    private static final Logger LOG = LoggerFactory.getLogger(TakePasses.class);

    private final Claims<T> claims;
    private final String path;
    /** Signals the queue's waiters: a stranded pass has ended. */
    private final Runnable signalChange;
    /** Passes whose take returned before they ended (blocked behind a dead connection). */
    private final AtomicInteger strandedPasses = new AtomicInteger();

    TakePasses(Claims<T> claims, String path, Runnable signalChange) {
        this.claims = claims;
        this.path = path;
        this.signalChange = signalChange;
    }

    /** How many passes are stranded now. */
    int stranded() {
        return strandedPasses.get();
    }

    /**
     * Runs one pass (the cached candidates, then a scan) on a taker thread and waits for it until
     * the deadline. Returns its claim, or null if it found none, lost the connection, or ran out of
     * time; a pass that ends after its take returned gives back any claim it made.
     *
     * @param takers the queue's taker threads, or null if the queue was never started
     */
    @Nullable
    DefaultClaim<T> run(@Nullable ExecutorService takers, boolean arm, Deadline passDeadline)
            throws InterruptedException {
        ExecutorService ex = takers;
        if (ex == null) {
            throw new IllegalStateException("WorkQueue " + path + " is not started");
        }
        // The pass's own deadline is the one its take waits for it until: past it, the pass ends too.
        Pass p = new Pass(arm, passDeadline);
        Future<Boolean> f;
        try {
            f = ex.submit(p);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("WorkQueue " + path + " is closed", e);
        }
        try {
            f.get(passDeadline.remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return p.abandon();
        } catch (InterruptedException e) {
            DefaultClaim<T> late = p.abandon();
            if (late != null) {
                // Given back on a taker thread: the interrupted caller does not wait for the release.
                try {
                    ex.execute(late::close);
                } catch (RejectedExecutionException closed) {
                    late.close();
                }
            }
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StateSyncException sse) {
                if (sse.reason() == StateSyncException.Reason.CONNECTION_LOSS
                        || sse.reason() == StateSyncException.Reason.SESSION_EXPIRED
                        || sse.reason() == StateSyncException.Reason.TIMEOUT) {
                    // No item this pass (it lost the connection, or ran out of its time, the take's);
                    // the loop waits for the connection or ends with the take's deadline.
                    return null;
                }
                throw sse;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            if (cause instanceof InterruptedException) {
                return null; // the taker was interrupted by close()
            }
            throw new StateSyncException(
                    StateSyncException.Reason.OTHER, path, "take from " + path + " failed: " + cause, cause);
        }
        return p.result();
    }

    /** One pass of a take, run on a taker thread; its take may abandon it. */
    private final class Pass implements Callable<Boolean> {
        private final boolean arm;
        private final Deadline deadline;
        private final Object lock = new Object();
        /** Guarded by {@link #lock}. */
        private boolean done;
        /** Guarded by {@link #lock}. */
        private boolean abandoned;
        /** Guarded by {@link #lock}. */
        private @Nullable DefaultClaim<T> result;

        Pass(boolean arm, Deadline deadline) {
            this.arm = arm;
            this.deadline = deadline;
        }

        @Override
        public Boolean call() throws InterruptedException {
            DefaultClaim<T> claim = null;
            try {
                claim = claims.fromCache(deadline);
                if (claim == null) {
                    claim = claims.scan(arm, deadline);
                }
                return claim != null;
            } finally {
                boolean wasAbandoned;
                synchronized (lock) {
                    done = true;
                    wasAbandoned = abandoned;
                    if (!wasAbandoned) {
                        result = claim;
                    }
                }
                if (wasAbandoned) {
                    strandedPasses.decrementAndGet();
                    if (claim != null) {
                        LOG.info(
                                "work queue {}: a take returned before its claim on position {} landed; giving it"
                                        + " back",
                                path,
                                claim.position());
                        claim.close();
                    }
                    signalChange.run();
                }
            }
        }

        /** The take stops waiting: the claim if the pass has just made one, else null (given back later). */
        @Nullable
        DefaultClaim<T> abandon() {
            synchronized (lock) {
                if (done) {
                    return result;
                }
                abandoned = true;
                strandedPasses.incrementAndGet();
            }
            return null;
        }

        @Nullable
        DefaultClaim<T> result() {
            synchronized (lock) {
                return result;
            }
        }
    }
}
