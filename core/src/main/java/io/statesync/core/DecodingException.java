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

import org.jspecify.annotations.Nullable;

/**
 * Stored data did not decode with the recipe's {@link Codec}. Names the path, the znode version and
 * the size of the data; the codec's own error is the cause. Recipes report it through {@link
 * StateListener#onError(StateSyncException)} and go on delivering later, valid versions.
 */
public class DecodingException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final int version;
    private final int size;

    /**
     * Creates the exception.
     *
     * @param path the path whose data did not decode
     * @param version the znode version of that data, or -1 if unknown
     * @param size the size of the data in bytes
     * @param cause the codec's error
     */
    public DecodingException(String path, int version, int size, @Nullable Throwable cause) {
        super(
                Reason.DECODING_FAILED,
                path,
                "data at " + path + (version >= 0 ? " version " + version : "") + " (" + size
                        + " bytes) does not decode" + (cause == null ? "" : ": " + cause.getMessage()),
                cause);
        this.version = version;
        this.size = size;
    }

    /**
     * The znode version of the undecodable data.
     *
     * @return the version, or -1 if unknown
     */
    public int version() {
        return version;
    }

    /**
     * The size of the undecodable data.
     *
     * @return bytes
     */
    public int size() {
        return size;
    }
}
