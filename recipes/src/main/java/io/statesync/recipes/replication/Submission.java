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
package io.statesync.recipes.replication;

import io.statesync.core.StateSyncException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One submitted command and its future: the encoded command, its position once appended, its
 * timeout, and whether the appender sent it or the timeout withdrew it first.
 */
final class Submission<S> {
    final byte[] data;
    final CompletableFuture<Applied<S>> future = new CompletableFuture<>();
    /** Written by the appender before the submission is shared through the lock. */
    volatile long position = -1;

    volatile @Nullable ScheduledFuture<?> timeout;

    /** QUEUED, then SENT by the appender or WITHDRAWN by the timeout, whichever comes first. */
    private final AtomicInteger stage = new AtomicInteger(QUEUED);

    private static final int QUEUED = 0;
    private static final int SENT = 1;
    private static final int WITHDRAWN = 2;

    Submission(byte[] data) {
        this.data = data;
    }

    /** Marks the command sent; false if it was withdrawn (or has completed) first. */
    boolean send() {
        return !future.isDone() && stage.compareAndSet(QUEUED, SENT);
    }

    /** Withdraws the command if it was not sent yet. */
    boolean withdraw() {
        return stage.compareAndSet(QUEUED, WITHDRAWN);
    }

    void complete(Applied<S> applied) {
        cancelTimeout();
        future.complete(applied);
    }

    void fail(StateSyncException error) {
        cancelTimeout();
        future.completeExceptionally(error);
    }

    private void cancelTimeout() {
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
