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
package io.statesync.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The record znodes of a segmented directory, {@code <dir>/<group>/<segment>/<position>}: the
 * layout the recipes' {@code Segments} documents, which the event log ({@code log}) and the work
 * queue ({@code items}, {@code claims}, {@code dead}) share. Listings and reads only.
 */
final class SegmentRecords {
    private SegmentRecords() {}

    /** The paths of the record znodes of a segmented directory, in position order: listings only. */
    static List<String> paths(Znodes zn, String dir) {
        List<String> out = new ArrayList<>();
        for (long g : zn.numericChildren(dir)) {
            for (long s : zn.numericChildren(dir + "/" + g)) {
                for (long p : zn.numericChildren(dir + "/" + g + "/" + s)) {
                    out.add(dir + "/" + g + "/" + s + "/" + p);
                }
            }
        }
        return out;
    }

    static long positionOf(String recordPath) {
        return Long.parseLong(recordPath.substring(recordPath.lastIndexOf('/') + 1));
    }

    /**
     * Calls {@code each} for every record znode of a segmented directory that may hold positions
     * from {@code from} (inclusive) to {@code to} (exclusive), in position order.
     */
    static void forEach(Znodes zn, String dir, long from, long to, Consumer<Znodes.Node> each) {
        List<String> records = paths(zn, dir);
        for (int i = 0; i < records.size(); i++) {
            long p = positionOf(records.get(i));
            long nextStart = i + 1 < records.size() ? positionOf(records.get(i + 1)) : Long.MAX_VALUE;
            if (p >= to) {
                return;
            }
            if (nextStart > from) {
                zn.read(records.get(i)).ifPresent(each);
            }
        }
    }
}
