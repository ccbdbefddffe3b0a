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

import java.util.Objects;

/**
 * One event of an {@link EventLog} with its position: what a subscriber receives (as the value of
 * {@link io.statesync.core.StateChange#current()}) and what {@link EventLog#read} returns.
 *
 * <p>Positions start at 0 and are dense: the event after position {@code p} is at {@code p + 1}.
 * A consumer that has applied the event at {@code p} resumes with {@code subscribe(p + 1, ...)}.
 *
 * <p>Thread-safe: immutable (a {@code byte[]} event is copied on the way out).
 *
 * @param <E> the event type
 */
public final class LogEvent<E> {
    private final long position;
    private final E event;
    private final long zxid;

    LogEvent(long position, E event, long zxid) {
        this.position = position;
        this.event = Objects.requireNonNull(event, "event");
        this.zxid = zxid;
    }

    /**
     * The event's position in the log.
     *
     * @return the position, at least 0
     */
    public long position() {
        return position;
    }

    /**
     * The decoded event. A {@code byte[]} is returned as a fresh copy.
     *
     * @return the event
     */
    @SuppressWarnings("unchecked")
    public E event() {
        if (event instanceof byte[] bytes) {
            return (E) bytes.clone();
        }
        return event;
    }

    /**
     * The zxid of the ZooKeeper transaction that appended the event (events appended together
     * share it).
     *
     * @return the zxid
     */
    public long zxid() {
        return zxid;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LogEvent)) {
            return false;
        }
        LogEvent<?> that = (LogEvent<?>) o;
        return position == that.position && zxid == that.zxid && Objects.deepEquals(event, that.event);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(position) * 31 + Long.hashCode(zxid);
    }

    @Override
    public String toString() {
        String shown = event instanceof byte[] bytes ? bytes.length + " bytes" : String.valueOf(event);
        return "LogEvent{" + position + ": " + shown + '}';
    }
}
