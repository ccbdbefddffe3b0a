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
package io.statesync.core;

/**
 * A read or subscription asked for history that was compacted away. Carries the earliest position
 * that is still retained, so the caller can restart from a snapshot and resume there.
 */
public class HistoryTruncatedException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long earliest;

    /**
     * Creates the exception.
     *
     * @param path the log's path
     * @param requested the position asked for
     * @param earliest the earliest position still retained
     */
    public HistoryTruncatedException(String path, long requested, long earliest) {
        super(
                Reason.HISTORY_TRUNCATED,
                path,
                "position " + requested + " of " + path + " was compacted away; the earliest retained position is "
                        + earliest,
                null);
        this.requested = requested;
        this.earliest = earliest;
    }

    /**
     * The position that was asked for.
     *
     * @return the requested position
     */
    public long requested() {
        return requested;
    }

    /**
     * The earliest position still retained.
     *
     * @return the earliest position
     */
    public long earliest() {
        return earliest;
    }
}
