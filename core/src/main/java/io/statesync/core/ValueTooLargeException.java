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
 * A write was refused before it was sent, for one of two reasons, which the message names:
 *
 * <ul>
 *   <li>the encoded value (for a {@code multi}, the data of all its operations together) is over
 *       the coordinator's value limit ({@link Coordinator.Builder#maxValueBytes(int)}); or
 *   <li>the whole request as ZooKeeper reads it — paths with the namespace and the connect string's
 *       chroot, data, ACLs, and the per-operation and request headers — or the reply it would get,
 *       is over {@code jute.maxbuffer} (1,048,575 bytes unless the JVM property says otherwise).
 *       This happens with a value under the value limit at a long path, or with a {@code multi} of
 *       many small operations.
 * </ul>
 *
 * <p>Nothing was written, and the connection was not disturbed: ZooKeeper drops the connection of a
 * client that sends a request over its {@code jute.maxbuffer}, which would suspend every recipe of
 * that client. {@link #size()} is the measured size and {@link #limit()} the limit it is over.
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
     * Creates the exception with a message of its own (for a request over {@code jute.maxbuffer}).
     *
     * @param path the path the write was meant for (for a {@code multi}, its first operation's)
     * @param size the measured size in bytes
     * @param limit the limit in bytes
     * @param message what was measured against which limit
     */
    public ValueTooLargeException(String path, int size, int limit, String message) {
        super(Reason.VALUE_TOO_LARGE, path, message, null);
        this.size = size;
        this.limit = limit;
    }

    /**
     * The measured size of the refused value, or of the whole request (or reply) when that is what
     * was over {@code jute.maxbuffer}.
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
