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
 * A value was refused before it was sent because its encoded size is over the coordinator's limit
 * ({@link Coordinator.Builder#maxValueBytes(int)}). Nothing was written, and the connection was not
 * disturbed: ZooKeeper drops the connection of a client that sends a request over its {@code
 * jute.maxbuffer}, which would suspend every recipe of that client.
 */
public class ValueTooLargeException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final int size;
    private final int limit;

    /**
     * Creates the exception.
     *
     * @param path the path the value was meant for
     * @param size the encoded size in bytes
     * @param limit the configured limit in bytes
     */
    public ValueTooLargeException(String path, int size, int limit) {
        super(
                Reason.VALUE_TOO_LARGE,
                path,
                "value for " + path + " is " + size + " bytes, over the limit of " + limit + " bytes; nothing was sent",
                null);
        this.size = size;
        this.limit = limit;
    }

    /**
     * The encoded size of the refused value.
     *
     * @return bytes
     */
    public int size() {
        return size;
    }

    /**
     * The limit it was over.
     *
     * @return bytes
     */
    public int limit() {
        return limit;
    }
}
