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
package io.statesync.recipes.eventlog;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.internal.WatchSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reading loop behind a subscription and an event-sourced state: one daemon thread that reads
 * the log segment by segment from a position, hands each batch to its {@link EventStorage.Handler} in order, and
 * when it has read everything arms a watch on the segment it waits in and sleeps until the watch,
 * a reconnection or {@link #close()} wakes it.
 *
 * <p>Each pass (the start, a read, a check for truncation) runs against a deadline of its own, the
 * coordinator's operation timeout, with every request through the coordinator's one retry loop:
 * behind a dead connection a pass ends by that deadline, and the loop waits for the connection to
 * come back (woken by the reconnection) instead of sitting in retries.
 *
 * <p>The position it reads from is advanced only by the handler's return value, so a connection
 * loss, a session expiry or a server restart in the middle of a read simply repeats the read from
 * the same position: nothing is skipped and nothing is handed over twice.
 */
final class Follower implements Runnable, EventStorage.Reader {
    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
    /** A re-read when nothing woke the loop: a safety net for watches lost with a session. */
    private static final long IDLE_RECHECK_MS = 5_000;

    /** The longest {@link #close()} waits for the following thread. */
    static final long CLOSE_WAIT_MS = 1_000;

    private final LogStore store;
    private final EventStorage.Handler handler;
    private final ZkAccess access;
    /** The watch the loop waits on: the segment it reads (at most one path at a time). */
    private final WatchSet watches;

    private final Thread thread;
    private final Object signal = new Object();
    /** Guarded by {@link #signal}. */
    private boolean signalled;

    private volatile boolean closed;
    private volatile long next = -1;

    Follower(LogStore store, EventStorage.Handler handler, String name) {
        this.store = store;
        this.handler = handler;
        this.access = store.coordinator.internalAccess();
        this.watches = new WatchSet(access, event -> wake(), 1);
        this.thread = access.newThread(name, this);
    }

    @Override
    public void start() {
        thread.start();
    }

    /** The next position the loop reads, or -1 before it started. */
    long next() {
        return next;
    }

    /** Wakes the loop (a watch fired, the connection came back). */
    void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    @Override
    public void onConnection(ConnectionEvent event) {
        if (event.isConnected()) {
            wake();
        }
    }

    /**
     * Stops the loop and removes its watch (through the coordinator's watch counting: the server's
     * watch goes once no other instance watches the path). Interrupts the thread and waits at most
     * {@link #CLOSE_WAIT_MS} for it unless called on it: a request it was waiting for behind a
     * silent partition ends with the interrupt, and the thread finishes in the background.
     */
    void close() {
        close(access.deadline(Duration.ofMillis(CLOSE_WAIT_MS)));
    }

    /** As {@link #close()}, waiting for the thread until the given deadline at most. */
    @Override
    public void close(Deadline d) {
        closed = true;
        wake();
        if (Thread.currentThread() != thread) {
            thread.interrupt();
            long left = d.remainingNanos();
            try {
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        watches.removeAll();
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (InterruptedException e) {
            if (!closed) {
                LOG.warn("follower of {} interrupted; stopping", store.path);
            }
        }
    }

    private void loop() throws InterruptedException {
        boolean prepared = false;
        while (!closed) {
            Deadline d = access.defaultDeadline();
            String what = "read of event log " + store.path;
            try {
                if (!prepared) {
                    // Repeated until it succeeds: nothing has been handed over before it does.
                    long start = handler.prepare(d);
                    LogStore.Meta fresh = store.freshMeta(d, what, Outcome.NOT_APPLIED);
                    if (start < fresh.earliest()) {
                        throw new HistoryTruncatedException(store.path, start, fresh.earliest());
                    }
                    next = start;
                    prepared = true;
                }
                LogStore.Meta m = store.layout(d, what, Outcome.NOT_APPLIED);
                LogStore.SegmentRead r =
                        store.readSegment(m, next, m.segmentSize(), watches, d, what, Outcome.NOT_APPLIED);
                if (!r.events().isEmpty()) {
                    long after = handler.onEvents(r.events());
                    if (after < 0) {
                        return;
                    }
                    long before = next;
                    next = after;
                    if (r.complete()
                            && after == r.events().get(r.events().size() - 1).position() + 1
                            && after / m.segmentSize() == before / m.segmentSize()) {
                        // Everything listed was read and the listing armed the segment's watch: wait
                        // for it instead of listing again to find nothing (one round trip a batch).
                        handler.onCaughtUp(next);
                        await(IDLE_RECHECK_MS);
                    }
                    continue;
                }
                EventDecodingException bad = r.bad();
                if (bad != null && bad.position() == next) {
                    // Truncation deletes a segment's znodes lowest first: a gap below the retention
                    // point is history going away (HistoryTruncatedException), not a bad znode.
                    store.checkNotTruncated(next, d, what, Outcome.NOT_APPLIED);
                    long after = handler.onUndeliverable(bad);
                    if (after < 0) {
                        return;
                    }
                    next = after;
                    continue;
                }
                if (r.retry()) {
                    continue;
                }
                handler.onCaughtUp(next);
                await(IDLE_RECHECK_MS);
            } catch (HistoryTruncatedException | IncompatibleLayoutException e) {
                handler.onFatal(e);
                return;
            } catch (StateSyncException e) {
                if (closed) {
                    return;
                }
                switch (e.reason()) {
                    case TIMEOUT -> {
                        // The pass ran out of time behind a dead connection: wait for it to come
                        // back (the reconnection wakes the loop), or, if the client still believes it
                        // is connected, try again shortly. Not reported: the coordinator reports the
                        // connection's transitions to listeners.
                        LOG.debug("follower of {}: {}", store.path, e.getMessage());
                        if (!(store.coordinator.isConnected() ? await(1_000) : awaitConnected())) {
                            return;
                        }
                    }
                    case CONNECTION_LOSS, SESSION_EXPIRED -> {
                        // The coordinator reports the transition to listeners; wait until connected.
                        if (!awaitConnected()) {
                            return;
                        }
                    }
                    case NO_NODE -> {
                        if (truncatedPast()) {
                            return;
                        }
                        handler.onError(e);
                        if (!await(1_000)) {
                            return;
                        }
                    }
                    default -> {
                        handler.onError(e);
                        if (!await(1_000)) {
                            return;
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.error("follower of {} failed", store.path, e);
                handler.onFatal(new StateSyncException(
                        StateSyncException.Reason.OTHER, store.path, "following " + store.path + " failed: " + e, e));
                return;
            }
        }
    }

    private boolean truncatedPast() throws InterruptedException {
        try {
            LogStore.Meta fresh =
                    store.freshMeta(access.defaultDeadline(), "read of event log " + store.path, Outcome.NOT_APPLIED);
            if (next < fresh.earliest()) {
                handler.onFatal(new HistoryTruncatedException(store.path, next, fresh.earliest()));
                return true;
            }
        } catch (StateSyncException ignored) {
            // retried by the loop
        }
        return false;
    }

    private boolean awaitConnected() throws InterruptedException {
        while (!closed && !store.coordinator.isConnected()) {
            await(IDLE_RECHECK_MS);
        }
        return !closed;
    }

    /** Waits for a wake-up or the timeout; false if closed. */
    private boolean await(long millis) throws InterruptedException {
        Deadline d = access.deadline(Duration.ofMillis(millis));
        synchronized (signal) {
            while (!signalled && !closed) {
                long left = d.remainingNanos();
                if (left == 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
            signalled = false;
        }
        return !closed;
    }
}
