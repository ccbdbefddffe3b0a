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
package io.statesync.recipes.state;

import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The combining queue of a shared state's writes: callers queue operations, and one caller at a
 * time (the combiner) takes a batch — every queued function, up to {@value #MAX_BATCH}, or one
 * compare-and-set or delete — and hands it to the writer; each caller waits for its own operation's
 * result, error or deadline.
 */
final class WriteQueue<T> {
    static final int MAX_BATCH = 256;

    /** Runs a batch (on the combiner's thread) and says when a combiner is done. */
    interface Writer<T> {
        /** Writes a batch; every operation of it is {@linkplain WriteQueue#finish finished} when this returns. */
        void runBatch(List<WriteOp<T>> batch);

        /** A combiner stopped combining (changes it applied may be dispatched now). */
        void combined();
    }

    private final String path;
    private final Writer<T> writer;
    private final Object queueLock = new Object();
    // Guarded by queueLock.
    private final ArrayDeque<WriteOp<T>> queue = new ArrayDeque<>();
    private boolean writerBusy;

    WriteQueue(String path, Writer<T> writer) {
        this.path = path;
        this.writer = writer;
    }

    enum OpKind {
        FUNCTION,
        CAS,
        DELETE
    }

    static final class WriteOp<T> {
        final OpKind kind;
        final @Nullable UnaryOperator<T> function;
        final @Nullable Versioned<T> expected;
        final byte @Nullable [] nextBytes;
        final Deadline deadline;
        final String what;
        // Guarded by queueLock.
        boolean done;

        @Nullable
        Object result;

        @Nullable
        RuntimeException error;

        WriteOp(
                OpKind kind,
                @Nullable UnaryOperator<T> function,
                @Nullable Versioned<T> expected,
                byte @Nullable [] nextBytes,
                Deadline deadline,
                String what) {
            this.kind = kind;
            this.function = function;
            this.expected = expected;
            this.nextBytes = nextBytes;
            this.deadline = deadline;
            this.what = what;
        }

        boolean isDoneLocked(Object queueLock) {
            synchronized (queueLock) {
                return done;
            }
        }
    }

    /**
     * Queues an operation; the first caller to find no combiner becomes it. A caller waits for its
     * operation until the operation's deadline: one still queued then is withdrawn (nothing was
     * sent for it), one already being written ends the wait with its outcome unknown. An interrupt
     * withdraws a queued operation ({@link InterruptedException}) and ends the wait for one being
     * written the same way as the deadline.
     */
    Object submit(WriteOp<T> op) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException(op.what + " not started: the thread was interrupted");
        }
        synchronized (queueLock) {
            queue.add(op);
            while (!op.done && writerBusy) {
                long left = op.deadline.remainingNanos();
                if (left == 0) {
                    if (queue.remove(op)) {
                        throw op.deadline.expired(path, op.what, Outcome.NOT_APPLIED);
                    }
                    throw op.deadline.expired(path, op.what, Outcome.UNKNOWN);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(queueLock, left);
                } catch (InterruptedException e) {
                    if (queue.remove(op)) {
                        throw e; // not taken by a combiner yet: withdrawn, nothing sent
                    }
                    throw Deadline.interrupted(path, op.what, Outcome.UNKNOWN); // taken: being written
                }
            }
            if (!op.done) {
                writerBusy = true;
            }
        }
        if (!op.isDoneLocked(queueLock)) {
            try {
                combine(op);
            } finally {
                synchronized (queueLock) {
                    writerBusy = false;
                    queueLock.notifyAll();
                }
                writer.combined(); // changes applied on this thread (see onMultiReply)
            }
        }
        synchronized (queueLock) {
            if (!op.done) {
                // Withdrawn by the combiner loop below, before anything was sent for it.
                if (Thread.currentThread().isInterrupted()) {
                    Thread.interrupted();
                    throw new InterruptedException(op.what + " withdrawn before it was sent: interrupted");
                }
                throw op.deadline.expired(path, op.what, Outcome.NOT_APPLIED);
            }
            RuntimeException error = op.error;
            if (error != null) {
                throw error;
            }
            return Objects.requireNonNull(op.result);
        }
    }

    /**
     * Runs batches as the combiner until {@code own} is done. A batch runs to the earliest deadline
     * among its operations, and an interrupt of this thread ends a batch that holds {@code own}.
     * While it runs a batch of other callers' operations only, this thread defers its own interrupt
     * (those callers did not ask for it), so its call may return later than its own deadline by at
     * most the rest of that batch's. Before each batch it withdraws {@code own} if it is still queued
     * and its deadline passed or the thread was interrupted.
     */
    private void combine(WriteOp<T> own) {
        while (!own.isDoneLocked(queueLock)) {
            List<WriteOp<T>> batch;
            synchronized (queueLock) {
                if (queue.contains(own)
                        && (own.deadline.passed() || Thread.currentThread().isInterrupted())) {
                    queue.remove(own);
                    return;
                }
                batch = takeBatch();
            }
            boolean deferred = !batch.contains(own) && Thread.interrupted();
            try {
                writer.runBatch(batch);
            } finally {
                if (deferred) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    // Called with queueLock held.
    private List<WriteOp<T>> takeBatch() {
        List<WriteOp<T>> batch = new ArrayList<>();
        WriteOp<T> head = queue.poll();
        if (head == null) {
            return batch;
        }
        batch.add(head);
        if (head.kind == OpKind.FUNCTION) {
            while (batch.size() < MAX_BATCH && !queue.isEmpty() && queue.peek().kind == OpKind.FUNCTION) {
                batch.add(queue.poll());
            }
        }
        return batch;
    }

    void finish(WriteOp<T> op, @Nullable Object result, @Nullable RuntimeException error) {
        synchronized (queueLock) {
            op.result = result;
            op.error = error;
            op.done = true;
            queueLock.notifyAll();
        }
    }

    /** Whether {@code op} has its result (or error). */
    boolean isDone(WriteOp<T> op) {
        return op.isDoneLocked(queueLock);
    }
}
