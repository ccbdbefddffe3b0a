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
package io.statesync.recipes.leader;

import io.statesync.core.Coordinator;
import io.statesync.core.Ticker;
import io.statesync.core.internal.Telemetry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's task: one {@link Run} per leadership on a thread of its own, interrupted when
 * leadership ends; the stop reports ({@link TaskStop}: how long the task took to return, or that it
 * overran the stop timeout); and the suspend grace, a timer that lets a suspended leader keep leading
 * for a while. The election decides when a run starts and stops; this class runs it and reports.
 *
 * <p>Threading: every method but {@link #lastStop()}, {@link #shutdown()} and {@link #shutdownNow()}
 * is called with the election's lock held, which guards the fields below. A run ends by calling the
 * election's {@code onEnd} hook, on its own thread, without that lock.
 */
final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final Coordinator coordinator;
    private final Ticker ticker;
    private final String name;
    private final String threadName;
    private final @Nullable LeaderTask task;
    private final @Nullable Duration period;
    private final Duration stopTimeout;
    private final Duration suspendGrace;
    private final @Nullable Consumer<TaskStop> onTaskStop;
    private final Consumer<Run> onEnd;
    private final Confirm confirm;
    /** Reports overruns and ends the suspend grace. */
    private final ScheduledThreadPoolExecutor timer;

    private volatile @Nullable TaskStop lastStop;

    /** Where runs and stops are reported; set by the election right after construction. */
    volatile Telemetry.@Nullable Probe probe;

    // Guarded by the election's lock.
    private @Nullable Run running;
    private @Nullable Run lastRun;
    private long graceToken;
    private @Nullable Future<?> graceFuture;

    TaskRunner(
            Coordinator coordinator,
            String name,
            String participantId,
            @Nullable LeaderTask task,
            @Nullable Duration period,
            Duration stopTimeout,
            Duration suspendGrace,
            @Nullable Consumer<TaskStop> onTaskStop,
            Consumer<Run> onEnd,
            Confirm confirm) {
        this.coordinator = coordinator;
        this.ticker = coordinator.ticker();
        this.name = name;
        this.threadName = "statesync-leader-task-" + participantId;
        this.task = task;
        this.period = period;
        this.stopTimeout = stopTimeout;
        this.suspendGrace = suspendGrace;
        this.onTaskStop = onTaskStop;
        this.onEnd = onEnd;
        this.confirm = confirm;
        this.timer = executor(coordinator, "statesync-leader-timer-" + participantId);
    }

    /** Asks the server whether this node still leads, before a scheduled tick. */
    @FunctionalInterface
    interface Confirm {
        /**
         * Whether the server confirmed, by an answer to a request sent now, that {@code leadership}
         * is still this node's.
         *
         * @param leadership the run's leadership
         * @return {@code false} if the server said otherwise or did not answer in time
         * @throws InterruptedException if interrupted while waiting for the answer
         */
        boolean stillLeads(Leadership leadership) throws InterruptedException;
    }

    /** One thread, from the coordinator's thread factory; delayed tasks dropped on shutdown. */
    static ScheduledThreadPoolExecutor executor(Coordinator coordinator, String threadName) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(
                1, r -> coordinator.internalAccess().newThread(threadName, r));
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    Duration stopTimeout() {
        return stopTimeout;
    }

    Optional<TaskStop> lastStop() {
        return Optional.ofNullable(lastStop);
    }

    boolean hasTask() {
        return task != null;
    }

    /** Whether a run of this leadership is under way (not yet told to stop). */
    boolean isRunning() {
        return running != null;
    }

    /** Whether {@code run} is the run of the current leadership. */
    boolean isCurrent(Run run) {
        return running == run;
    }

    /** The last run started, ended or not; {@code null} if none. */
    @Nullable
    Run last() {
        return lastRun;
    }

    /** Whether the caller is the thread of the last run. */
    boolean onTaskThread() {
        Run r = lastRun;
        return r != null && r.isCaller();
    }

    /** Whether the last run has not returned yet (told to stop or not). */
    boolean alive() {
        Run r = lastRun;
        return r != null && !r.isEnded();
    }

    /** Starts a run for a leadership just claimed, if there is a task. */
    void start(Leadership self) {
        LeaderTask t = task;
        if (t != null) {
            Run run = new Run(t, self);
            running = run;
            lastRun = run;
            run.thread.start();
        }
    }

    /**
     * Tells the current run, if any, to stop: interrupts it (unless it returned by itself) and, past
     * the stop timeout, reports it if it has not returned.
     */
    void stop(TaskStop.Reason reason) {
        Run run = running;
        running = null;
        if (run == null) {
            return;
        }
        run.cancel(reason);
        if (reason != TaskStop.Reason.TASK_ENDED) {
            try {
                Future<?> unused = timer.schedule(run::reportIfOverrun, stopTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closing: close() itself reports a task that overruns
            }
        }
    }

    // ---------------------------------------------------------------- suspend grace

    /** Whether a suspended leader keeps leading for a while (a grace was set). */
    boolean hasGrace() {
        return !suspendGrace.isZero();
    }

    /** Starts the grace; {@code expired} is called with its token once it runs out. */
    void startGrace(LongConsumer expired) {
        long token = ++graceToken;
        graceFuture = timer.schedule(() -> expired.accept(token), suspendGrace.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Ends the grace, if one runs: its expiry does nothing. */
    void cancelGrace() {
        graceToken++;
        Future<?> f = graceFuture;
        graceFuture = null;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Whether the grace of {@code token} is still the current one; if so, it is over. */
    boolean graceExpired(long token) {
        if (token != graceToken) {
            return false;
        }
        graceFuture = null;
        return true;
    }

    void shutdown() {
        timer.shutdown();
    }

    void shutdownNow() {
        timer.shutdownNow();
    }

    // ---------------------------------------------------------------- reports

    private void report(TaskStop stop) {
        lastStop = stop;
        Telemetry.Probe p = probe;
        if (p != null && stop.ended() && stop.reason() != TaskStop.Reason.TASK_ENDED) {
            p.record(Telemetry.Event.TASK_STOP, stop.duration().toNanos());
        }
        if (!TaskTiming.overran(stop, stopTimeout)) {
            LOG.info("{}: task stopped: {}", name, stop);
        } else {
            LOG.warn("{}: task overran its stop timeout {}: {}", name, stopTimeout, stop);
        }
        Consumer<TaskStop> l = onTaskStop;
        if (l != null) {
            try {
                l.accept(stop);
            } catch (RuntimeException e) {
                LOG.error("{}: onTaskStop listener threw on {}", name, stop, e);
            }
        }
    }

    /** One run of the task, on a thread of its own, for one leadership. */
    final class Run implements Runnable {
        private final LeaderTask body;
        private final Leadership leadership;
        private final Thread thread;
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean cancelled;
        private volatile long cancelNanos;
        private volatile long endNanos;
        private volatile TaskStop.Reason reason = TaskStop.Reason.TASK_ENDED;

        Run(LeaderTask body, Leadership leadership) {
            this.body = body;
            this.leadership = leadership;
            this.thread = coordinator.internalAccess().newThread(threadName, this);
        }

        /** Counts one run of the task's body. */
        private void counted() {
            Telemetry.Probe p = probe;
            if (p != null) {
                p.count(Telemetry.Event.TASK_RUN);
            }
        }

        /** Whether the caller is this run's thread. */
        boolean isCaller() {
            return thread == Thread.currentThread();
        }

        void cancel(TaskStop.Reason why) {
            reason = why;
            cancelNanos = ticker.read();
            cancelled = true;
            if (why != TaskStop.Reason.TASK_ENDED) {
                // Also when the task itself relinquished or closed: its next blocking call throws.
                thread.interrupt();
            }
        }

        boolean isEnded() {
            return ended.getCount() == 0;
        }

        boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Reports the run as overrun if it has not returned. */
        void reportIfOverrun() {
            if (!isEnded()) {
                report(new TaskStop(leadership, reason, stopTimeout, false));
            }
        }

        /** Reports the run's end, with how long it took to stop. */
        void reportEnd() {
            report(new TaskStop(
                    leadership, reason, TaskTiming.stopDuration(reason, cancelled, cancelNanos, endNanos), true));
        }

        @Override
        public void run() {
            try {
                if (!cancelled) {
                    Duration p = period;
                    if (p == null) {
                        once();
                    } else {
                        scheduled(p.toNanos());
                    }
                }
            } finally {
                endNanos = ticker.read();
                ended.countDown();
                Thread.interrupted();
                onEnd.accept(this);
            }
        }

        private void once() {
            try {
                counted();
                body.run(leadership);
            } catch (InterruptedException e) {
                LOG.debug("{}: task interrupted", name);
            } catch (Exception e) {
                if (!cancelled) {
                    LOG.error("{}: task failed; relinquishing leadership", name, e);
                }
            }
        }

        private void scheduled(long periodNanos) {
            long next = ticker.read();
            boolean skipping = false;
            while (!cancelled) {
                try {
                    // A tick starts only on a fresh answer of the server: a process that was frozen
                    // past its session (or cut off) and runs again does not tick on its old belief.
                    if (confirm.stillLeads(leadership)) {
                        skipping = false;
                        counted();
                        body.run(leadership);
                    } else if (!cancelled && !skipping) {
                        skipping = true; // once per episode, not once per period
                        LOG.info("{}: ticks skipped until the server confirms that this node still leads", name);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    if (cancelled) {
                        return;
                    }
                    LOG.error("{}: scheduled task tick failed; the schedule goes on", name, e);
                }
                long now = ticker.read();
                next = TaskTiming.nextTick(next, now, periodNanos);
                try {
                    TimeUnit.NANOSECONDS.sleep(next - now);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
