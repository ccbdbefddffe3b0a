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

import io.statesync.core.DecodingException;
import org.jspecify.annotations.Nullable;

/**
 * A position of the log cannot be delivered as an event. Three cases, each named by its message:
 *
 * <ul>
 *   <li>the event does not decode with the log's codec (the codec's error is the cause of the
 *       {@link DecodingException} that is this exception's cause);
 *   <li>the znode at the position is not an event-log record (something other than statesync wrote
 *       it under the log); it occupies that one position;
 *   <li>the positions from {@link #position()} up to {@link #resumePosition()} have no record (a
 *       gap: another client deleted record znodes, or created one beyond the end of the log).
 * </ul>
 *
 * <p>Readers apply their {@link UndecodablePolicy} at {@link #position()}: {@code STOP} stops there,
 * {@code SKIP} goes on at {@link #resumePosition()}. Names the znode (several events may share one)
 * or, for a gap, the segment.
 */
public final class EventDecodingException extends DecodingException {
    private static final long serialVersionUID = 1L;

    private final long position;
    private final long resumePosition;
    private final @Nullable String detail;

    EventDecodingException(String nodePath, long position, DecodingException cause) {
        super(nodePath, -1, cause.size(), cause);
        this.position = position;
        this.resumePosition = position + 1;
        this.detail = null;
    }

    private EventDecodingException(String path, long position, long resumePosition, int size, String detail) {
        super(path, -1, size, null);
        this.position = position;
        this.resumePosition = resumePosition;
        this.detail = detail;
    }

    /** A znode at a position that is not an event-log record; it stands for that one position. */
    static EventDecodingException notARecord(String nodePath, long position, int size, String why) {
        return new EventDecodingException(
                nodePath,
                position,
                position + 1,
                size,
                "event log position " + position + ": znode " + nodePath + " (" + size
                        + " bytes) is not an event-log record (" + why + "); it stands for position " + position
                        + " only");
    }

    /** Positions {@code [from, next)} have no record; the next record znode starts at {@code next}. */
    static EventDecodingException gap(String segmentPath, long from, long next) {
        return new EventDecodingException(
                segmentPath,
                from,
                next,
                0,
                "event log positions " + from + " to " + (next - 1) + " have no record in " + segmentPath
                        + " (a gap: record znodes were deleted, or one was created beyond the end of the log by"
                        + " another client); the next record starts at position " + next);
    }

    @Override
    public String getMessage() {
        String d = detail;
        return d != null ? d : "event at position " + position + ": " + super.getMessage();
    }

    /**
     * The position that cannot be delivered (the first one, for a gap).
     *
     * @return the position
     */
    public long position() {
        return position;
    }

    /**
     * Where a reader that skips goes on: {@code position() + 1} for an event that does not decode or
     * a znode that is not a record, the start of the next record for a gap.
     *
     * @return the next position after the undeliverable ones
     */
    public long resumePosition() {
        return resumePosition;
    }
}
