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
 * Stored data did not decode with the recipe's {@link Codec}. The message names the path, the znode
 * version, the size of the data and, when the data is at hand, at most its first {@value
 * #HEX_PREFIX_BYTES} bytes in hex, then the first line of the codec's error message (its type if
 * it has none), cut to {@value #CAUSE_CHARS} characters, with every character outside printable
 * ASCII escaped (as a backslash, {@code u} and four hex digits). The data itself is never printed
 * as text (undecodable bytes would print as garbage, control characters included). The codec's own error is the cause, unchanged.
 * Recipes report it through {@link StateListener#onError(StateSyncException)} and go on delivering
 * later, valid versions.
 */
public class DecodingException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /** The most bytes of the data the message shows, in hex. */
    public static final int HEX_PREFIX_BYTES = 16;

    /** The most characters of the codec's message the message shows. */
    public static final int CAUSE_CHARS = 160;

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
        super(Reason.DECODING_FAILED, path, message(path, version, size + " bytes", cause), cause);
        this.version = version;
        this.size = size;
    }

    /**
     * Creates the exception, showing at most the first {@value #HEX_PREFIX_BYTES} bytes of the data
     * in hex.
     *
     * @param path the path whose data did not decode
     * @param version the znode version of that data, or -1 if unknown
     * @param data the data that did not decode (not kept)
     * @param cause the codec's error
     */
    public DecodingException(String path, int version, byte[] data, @Nullable Throwable cause) {
        super(Reason.DECODING_FAILED, path, message(path, version, sizeAndPrefix(data), cause), cause);
        this.version = version;
        this.size = data.length;
    }

    private static String message(String path, int version, String size, @Nullable Throwable cause) {
        return "data at " + path + (version >= 0 ? " version " + version : "") + " (" + size + ") does not decode"
                + (cause == null ? "" : ": " + describe(cause));
    }

    private static String sizeAndPrefix(byte[] data) {
        if (data.length == 0) {
            return "0 bytes";
        }
        int shown = Math.min(data.length, HEX_PREFIX_BYTES);
        StringBuilder out = new StringBuilder(data.length + " bytes: ");
        for (int i = 0; i < shown; i++) {
            out.append(Character.forDigit((data[i] >> 4) & 0xf, 16)).append(Character.forDigit(data[i] & 0xf, 16));
        }
        if (shown < data.length) {
            out.append("...");
        }
        return out.toString();
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (message == null) {
            return cause.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        String line = newline >= 0 ? message.substring(0, newline) : message;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < line.length() && out.length() < CAUSE_CHARS; i++) {
            char c = line.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c != '\r') {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (out.length() >= CAUSE_CHARS) {
            out.setLength(CAUSE_CHARS);
            out.append("...");
        } else if (newline >= 0) {
            out.append(" ...");
        }
        return out.toString();
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
