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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a leader election into its view: the participants in line order, the leader the marker
 * names, and the election's status (leading, failover, electing, no leader).
 */
final class ElectionView {
    private final Znodes zn;

    ElectionView(Inspector in) {
        this.zn = in.znodes();
    }

    void read(Znodes.Node node, Map<String, Object> v) {
        String marker = new String(node.data(), StandardCharsets.UTF_8).trim();
        List<Map<String, Object>> participants = new ArrayList<>();
        for (String name : ElectionLine.inLineOrder(zn.children(node.path()))) {
            zn.read(Znodes.child(node.path(), name)).ifPresent(p -> {
                String data = new String(p.data(), StandardCharsets.UTF_8);
                int nl = data.indexOf('\n');
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", nl < 0 ? data : data.substring(0, nl));
                e.put("metadata", nl < 0 ? "" : data.substring(nl + 1));
                e.put("session", Inspector.hex(p.stat().getEphemeralOwner()));
                e.put("epochIfLeading", p.stat().getCzxid());
                e.put("znode", name);
                participants.add(e);
            });
        }
        long markedEpoch =
                marker.startsWith("leading:") ? Inspector.parseLong(marker.substring("leading:".length())) : 0;
        Map<String, Object> leader = null;
        for (Map<String, Object> p : participants) {
            if (markedEpoch != 0 && Inspector.number(p, "epochIfLeading") == markedEpoch) {
                leader = p;
            }
        }
        String status;
        String summary;
        if (leader != null) {
            status = "leading";
            summary = "leader " + leader.get("id") + " (epoch " + markedEpoch + ", session " + leader.get("session")
                    + ")";
        } else if (participants.isEmpty()) {
            status = "no-leader";
            summary = "no participants";
        } else if (markedEpoch != 0) {
            status = "failover";
            summary = "failover: the leader of epoch " + markedEpoch + " is gone; "
                    + participants.get(0).get("id") + " takes over after its takeover delay";
        } else {
            status = "electing";
            summary = participants.get(0).get("id") + " is first in line and claims leadership";
        }
        v.put("status", status);
        v.put("marker", marker.isEmpty() ? null : marker);
        v.put("epoch", markedEpoch == 0 ? null : markedEpoch);
        v.put("leader", leader == null ? null : leader.get("id"));
        v.put("participants", participants);
        v.put("summary", summary + ", " + participants.size() + " participants");
    }
}
