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

import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.Segments;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.zookeeper.data.Stat;

/**
 * Reads an event log into its view (positions, segments, records, size, retention, snapshot) and
 * reads its events by position ({@code statesync log}).
 */
final class LogView {
    private final Inspector in;
    private final Znodes zn;

    LogView(Inspector in) {
        this.in = in;
        this.zn = in.znodes();
    }

    /** Above this many records, a view does not read each one's size. */
    static final int SIZE_LIMIT = 10_000;

    void read(String path, Map<String, Object> v) {
        Znodes.Node metaNode = in.require(path + "/meta");
        Segments.Meta meta = Segments.decodeMeta(metaNode.path(), "event-log", metaNode.data());
        long earliest = meta.nonNegative("earliest");
        String dir = path + "/log";
        long segments = 0;
        for (long g : zn.numericChildren(dir)) {
            segments += zn.numericChildren(dir + "/" + g).size();
        }
        List<String> records = SegmentRecords.paths(zn, dir);
        long lastEnd = 0;
        if (!records.isEmpty()) {
            Optional<Znodes.Node> last = zn.read(records.get(records.size() - 1));
            if (last.isPresent()) {
                lastEnd = SegmentRecords.positionOf(last.get().path())
                        + PackFormat.decode(last.get().path(), last.get().data())
                                .events()
                                .size();
            }
        }
        Long bytes = null;
        if (records.size() <= SIZE_LIMIT) {
            long sum = 0;
            for (String r : records) {
                sum += zn.stat(r).map(Stat::getDataLength).orElse(0);
            }
            bytes = sum;
        }
        long end = Math.max(lastEnd, earliest);
        v.put("firstPosition", earliest);
        v.put("endPosition", end);
        v.put("events", end - earliest);
        v.put("segmentSize", meta.segmentSize());
        v.put("groupSize", meta.groupSize());
        v.put("segments", segments);
        v.put("records", records.size());
        v.put("bytes", bytes);
        v.put("retention", "truncated before position " + earliest);
        Optional<Znodes.Node> manifest = zn.read(path + "/snapshots/manifest");
        Map<String, Object> snap = null;
        if (manifest.isPresent()) {
            snap = new LinkedHashMap<>();
            for (String line : new String(manifest.get().data(), StandardCharsets.UTF_8).split("\n", -1)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    snap.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        v.put("snapshot", snap);
        v.put(
                "summary",
                "positions " + earliest + " to " + end + " (" + (end - earliest) + " events), " + segments
                        + " segments, " + (bytes == null ? "size not read" : bytes + " bytes")
                        + (snap == null ? "" : ", snapshot at " + snap.get("position")));
    }

    /** The events at positions {@code from} (inclusive) to {@code to} (exclusive), in order. */
    void events(String path, long from, long to, Consumer<Map<String, Object>> each) {
        in.require(path + "/meta");
        SegmentRecords.forEach(zn, path + "/log", from, to, r -> {
            long p = Long.parseLong(r.path().substring(r.path().lastIndexOf('/') + 1));
            List<byte[]> events = PackFormat.decode(r.path(), r.data()).events();
            for (int i = 0; i < events.size(); i++) {
                long position = p + i;
                if (position >= from && position < to) {
                    byte[] e = events.get(i);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("position", position);
                    m.put("size", e.length);
                    m.put("value", in.show(e));
                    each.accept(m);
                }
            }
        });
    }
}
