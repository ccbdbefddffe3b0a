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
package io.statesync.recipes.leader;

import io.statesync.recipes.internal.LayoutVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The election's znode formats: a participant's data ({@code id\nmetadata}), the line order of
 * participant znodes (by sequence suffix), and the handover marker kept in the election path's own
 * data ({@code leading:<epoch>} while a leader leads, {@code released:<epoch>} after a clean
 * handover).
 */
final class Participants {
    static final String PREFIX = "p-";
    private static final String LEADING = "leading:";
    private static final String RELEASED = "released:";

    private Participants() {}

    static byte[] encode(String id, String metadata) {
        return (id + "\n" + metadata).getBytes(StandardCharsets.UTF_8);
    }

    static String id(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String metadata(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return nl < 0 ? "" : s.substring(nl + 1);
    }

    /** The sequence number ZooKeeper appended to a participant's znode name, or -1 if none. */
    static long sequence(String name) {
        if (name.length() < 10 || !name.contains(PREFIX)) {
            return -1;
        }
        String digits = name.substring(name.length() - 10);
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }

    /** The participant znode names in line order: the first leads. */
    static List<String> inLineOrder(List<String> children) {
        List<String> line = new ArrayList<>();
        for (String c : children) {
            if (sequence(c) >= 0) {
                line.add(c);
            }
        }
        line.sort(Comparator.comparingLong(Participants::sequence));
        return line;
    }

    static byte[] leadingMarker(long epoch) {
        return (LEADING + epoch).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] releasedMarker(long epoch) {
        return (RELEASED + epoch).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Refuses an election whose znode's data names a format above this release's (a first line
     * {@code statesync-format=N}; the markers of 0.1 have none and are format 1). The election
     * znode's format covers its marker and its participants' znodes.
     *
     * @throws io.statesync.core.IncompatibleLayoutException if the format is newer
     */
    static void checkLayout(String path, byte[] marker) {
        LayoutVersion.checkHeader(path, "election", marker);
    }

    /**
     * The epoch of a leader that leads or led without a clean handover, or 0 if there is none.
     *
     * @throws io.statesync.core.IncompatibleLayoutException if the marker's format is newer
     */
    static long leadingEpoch(String path, byte[] marker) {
        checkLayout(path, marker);
        return leadingEpoch(marker);
    }

    /** The epoch of a leader that leads or led without a clean handover, or 0 if there is none. */
    static long leadingEpoch(byte[] marker) {
        String s = new String(marker, StandardCharsets.UTF_8);
        if (!s.startsWith(LEADING)) {
            return 0;
        }
        try {
            return Long.parseLong(s.substring(LEADING.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
