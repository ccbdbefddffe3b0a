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

/**
 * An event in the log did not decode with the log's codec. Names the event's position and the
 * znode that holds it (several events may share one znode); the codec's error is the cause of the
 * {@link DecodingException} that is this exception's cause.
 */
public final class EventDecodingException extends DecodingException {
    private static final long serialVersionUID = 1L;

    private final long position;

    EventDecodingException(String nodePath, long position, DecodingException cause) {
        super(nodePath, -1, cause.size(), cause);
        this.position = position;
    }

    @Override
    public String getMessage() {
        return "event at position " + position + ": " + super.getMessage();
    }

    /**
     * The position of the undecodable event.
     *
     * @return the position
     */
    public long position() {
        return position;
    }
}
