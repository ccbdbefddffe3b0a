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

import io.statesync.core.Coordinator;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.internal.Deadline;
import java.nio.charset.StandardCharsets;

/**
 * The format versions of statesync's own znode data, and the checks every reader makes. Not part of
 * statesync's API.
 *
 * <p>Format 1 is the layout of release 0.1. Data of 0.1 carries no version; it reads as format 1.
 * Three ways of carrying the version, by the kind of data:
 *
 * <ul>
 *   <li><b>Properties</b> ({@code key=value} lines: the event log's and the queue's meta, the
 *       snapshot manifest): a {@code format=N} line. This release writes {@code format=1}; a 0.1
 *       reader skips keys it does not know, so it reads it.
 *   <li><b>Binary headers</b> (packed records, the replicated state's published znode): the version
 *       byte of the header that 0.1 already wrote.
 *   <li><b>Everything else</b> (the election's marker and participant znodes, the data of a lock's,
 *       a group's and a state tree's znode, {@code /.statesync}): a first line {@code
 *       statesync-format=N}. Format 1 has none, and this release writes none, because a 0.1 reader
 *       would take that line for data; a later format that needs a change there starts with it, and
 *       this release refuses it.
 * </ul>
 *
 * A reader that finds a version above the one it knows throws {@link IncompatibleLayoutException}
 * before it writes anything.
 */
public final class LayoutVersion {
    /** The highest format version of every statesync znode that this release reads and writes. */
    public static final int CURRENT = 1;

    /** The properties line that carries the version. */
    public static final String PROPERTY_LINE = "format=" + CURRENT + "\n";

    /** The first line that carries the version of data without properties or a binary header. */
    public static final String HEADER_KEY = "statesync-format=";

    private LayoutVersion() {}

    /**
     * Refuses a version above {@link #CURRENT}.
     *
     * @param path the znode, relative to the namespace
     * @param what what the data is
     * @param found the version found
     * @throws IncompatibleLayoutException if {@code found} is above {@link #CURRENT}
     */
    public static void check(String path, String what, int found) {
        if (found > CURRENT) {
            throw new IncompatibleLayoutException(path, what, found, CURRENT);
        }
    }

    /**
     * Checks the {@code format} line of {@code key=value} data; no such line is format 1.
     *
     * @param path the znode, relative to the namespace
     * @param what what the data is
     * @param data the znode's data
     * @throws IncompatibleLayoutException if the line names a version above {@link #CURRENT}, or
     *     one that is not a number (a later release's)
     */
    public static void checkProperties(String path, String what, byte[] data) {
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.startsWith("format=")) {
                check(path, what, parse(line.substring("format=".length())));
            }
        }
    }

    /**
     * Checks data that carries its version in a {@link #HEADER_KEY} first line; data without that
     * line is format 1.
     *
     * @param path the znode, relative to the namespace
     * @param what what the data is
     * @param data the znode's data
     * @throws IncompatibleLayoutException if the first line names a version above {@link #CURRENT},
     *     or one that is not a number
     */
    public static void checkHeader(String path, String what, byte[] data) {
        byte[] key = HEADER_KEY.getBytes(StandardCharsets.US_ASCII);
        if (data.length < key.length) {
            return;
        }
        for (int i = 0; i < key.length; i++) {
            if (data[i] != key[i]) {
                return;
            }
        }
        String text = new String(data, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        check(path, what, parse(text.substring(key.length, nl < 0 ? text.length() : nl)));
    }

    /**
     * Reads a recipe's znode (a lock's, a group's, {@code /.statesync}) and checks its {@link
     * #HEADER_KEY} line; a missing znode or data without the line is format 1.
     *
     * @param coordinator the connection
     * @param path the znode, relative to the namespace
     * @param what what the znode is, e.g. {@code "lock"}
     * @param deadline when to give up
     * @param outcome what running out of time means for the caller's operation
     * @throws IncompatibleLayoutException if the data names a version above {@link #CURRENT}
     * @throws io.statesync.core.OperationTimeoutException if the deadline passed
     * @throws io.statesync.core.StateSyncException typed, if the read fails otherwise
     */
    public static void checkZnode(
            Coordinator coordinator, String path, String what, Deadline deadline, Outcome outcome) {
        coordinator
                .internalAccess()
                .read(path, deadline, "checking the data layout of " + what + " " + path, outcome)
                .ifPresent(v -> checkHeader(path, what, v.value()));
    }

    private static int parse(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // not a version this release can read
        }
    }
}
