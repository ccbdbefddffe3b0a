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

import io.statesync.recipes.internal.DeadLetterRecord;
import io.statesync.recipes.internal.Segments;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Reads a work queue into its view: depth, next position, producers, the claims in flight (with
 * their deliveries) and the dead letters.
 */
final class QueueView {
    private final Inspector in;
    private final Znodes zn;

    QueueView(Inspector in) {
        this.in = in;
        this.zn = in.znodes();
    }

    void read(String path, Map<String, Object> v) {
        Znodes.Node metaNode = in.require(path + "/meta");
        Segments.Meta meta = Segments.decodeMeta(metaNode.path(), "work-queue", metaNode.data());
        long tail = counter(in.require(path + "/tail"));
        int removedVersion = in.require(path + "/removed").stat().getVersion();
        // QueueStore.depth: the removal count is the removed znode's 32-bit version
        long depth = (tail - Integer.toUnsignedLong(removedVersion)) & 0xFFFF_FFFFL;
        List<String> claimPaths = SegmentRecords.paths(zn, path + "/claims");
        List<Map<String, Object>> claims = new ArrayList<>();
        for (String cp : claimPaths.subList(0, Math.min(in.max(), claimPaths.size()))) {
            zn.stat(cp).ifPresent(stat -> {
                long p = SegmentRecords.positionOf(cp);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("position", p);
                e.put("session", Inspector.hex(stat.getEphemeralOwner()));
                e.put("ageMillis", Math.max(0, in.now() - stat.getCtime()));
                e.put("deliveries", itemDeliveries(path, meta, p));
                claims.add(e);
            });
        }
        List<String> deadPaths = SegmentRecords.paths(zn, path + "/dead");
        List<Map<String, Object>> dead = new ArrayList<>();
        for (String dp : deadPaths.subList(0, Math.min(in.max(), deadPaths.size()))) {
            zn.read(dp).ifPresent(d -> {
                DeadLetterRecord r = DeadLetterRecord.decode(d.path(), d.data());
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", SegmentRecords.positionOf(dp));
                e.put("position", r.position());
                e.put("cause", r.cause());
                e.put("deliveries", r.deliveries());
                e.put("detail", r.detail());
                e.put("value", in.show(r.encoded()));
                dead.add(e);
            });
        }
        v.put("depth", depth);
        v.put("inFlight", claimPaths.size());
        v.put("deadLetterCount", deadPaths.size());
        v.put("nextPosition", tail);
        v.put("producers", zn.children(path + "/writers").size());
        v.put("segmentSize", meta.segmentSize());
        v.put("groupSize", meta.groupSize());
        v.put("claims", claims);
        v.put("deadLetters", dead);
        v.put(
                "summary",
                "depth " + depth + ", " + claimPaths.size() + " in flight, " + deadPaths.size() + " dead letters");
    }

    private @Nullable Integer itemDeliveries(String path, Segments.Meta meta, long p) {
        long segment = p / meta.segmentSize();
        String item = path + "/items/" + (segment / meta.groupSize()) + "/" + segment + "/" + p;
        return zn.stat(item).map(Stat::getVersion).orElse(null);
    }

    private static long counter(Znodes.Node n) {
        String s = new String(n.data(), StandardCharsets.US_ASCII).trim();
        return s.isEmpty() ? 0 : Inspector.parseLong(s);
    }
}
