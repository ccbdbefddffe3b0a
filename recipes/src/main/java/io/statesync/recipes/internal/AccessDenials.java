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
import org.jspecify.annotations.Nullable;

/**
 * One recipe's episodes of denied access: the error of the last attempt until an attempt succeeds
 * (reported once per episode), and the retry backoff that doubles with each denial, so that a
 * corrected ACL is picked up without a restart.
 *
 * <p>Not thread-safe: guarded by the recipe's lock.
 */
public final class AccessDenials {
    private final long firstRetryMillis;
    private final long maxRetryMillis;
    private @Nullable AccessDeniedException current;
    private int retries;

    /**
     * Creates the bookkeeping.
     *
     * @param firstRetryMillis the wait after the first denial
     * @param maxRetryMillis the longest wait
     */
    public AccessDenials(long firstRetryMillis, long maxRetryMillis) {
        this.firstRetryMillis = firstRetryMillis;
        this.maxRetryMillis = maxRetryMillis;
    }

    /**
     * Records a denial.
     *
     * @param e the error
     * @return the wait before the next attempt, in milliseconds; it doubles with each denial in a row
     *     up to the longest wait
     */
    public long record(AccessDeniedException e) {
        long delay = Math.min(maxRetryMillis, firstRetryMillis << Math.min(retries, 10));
        current = e;
        retries++;
        return delay;
    }

    /**
     * Logs a denial just recorded: a warning for the first of an episode, debug for the others.
     *
     * @param log the recipe's logger
     * @param name the recipe, for the message
     * @param e the error
     * @param delayMillis the wait {@link #record} returned
     */
    public void log(org.slf4j.Logger log, String name, AccessDeniedException e, long delayMillis) {
        if (episodeBegan()) {
            log.warn("{}: {}; retrying with backoff up to {} ms", name, e.getMessage(), maxRetryMillis);
        } else {
            log.debug("{}: still denied access, retrying in {} ms: {}", name, delayMillis, e.getMessage());
        }
    }

    /**
     * Whether the last {@link #record} began an episode (the first denial since access last
     * worked): such a denial is the one to report.
     *
     * @return {@code true} for the first denial of an episode
     */
    public boolean episodeBegan() {
        return retries == 1;
    }

    /**
     * The error of the current episode.
     *
     * @return the last denial, or {@code null} if access works
     */
    public @Nullable AccessDeniedException current() {
        return current;
    }

    /** Access worked: the episode is over. */
    public void clear() {
        current = null;
        retries = 0;
    }
}
