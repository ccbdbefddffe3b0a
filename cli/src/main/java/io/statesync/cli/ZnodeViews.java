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

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Reads the recipes that are plain znodes into their views: a shared state (one znode, and the
 * writer marker of its last write), a state tree (one persistent leaf per key) and a group
 * membership (one ephemeral znode per member).
 */
final class ZnodeViews {
    private final Inspector in;
    private final Znodes zn;

    ZnodeViews(Inspector in) {
        this.in = in;
        this.zn = in.znodes();
    }

    void sharedState(Znodes.Node node, Map<String, Object> v) {
        Stat s = node.stat();
        v.put("value", in.show(node.data()));
        v.put("size", node.data().length);
        v.put("version", s.getVersion());
        v.put("mzxid", Inspector.hex(s.getMzxid()));
        v.put("modified", Instant.ofEpochMilli(s.getMtime()).toString());
        String writer = lastWriterSession(s.getMzxid());
        v.put("lastWriterSession", writer);
        v.put(
                "summary",
                "version " + s.getVersion() + ", " + node.data().length + " bytes"
                        + (writer == null ? "" : ", last written by session " + writer));
    }

    /**
     * The session of the writer whose marker moved in the same {@code multi} as the write with
     * {@code mzxid} (statesync's writer markers, {@code /.statesync/writers}); null if that marker
     * is gone (its writer's session ended) or the write carried none.
     */
    private @Nullable String lastWriterSession(long mzxid) {
        for (String w : zn.children("/.statesync/writers")) {
            Optional<Stat> s = zn.stat("/.statesync/writers/" + w);
            if (s.isPresent() && s.get().getMzxid() == mzxid) {
                return Inspector.hex(s.get().getEphemeralOwner());
            }
        }
        return null;
    }

    void stateTree(Znodes.Node node, Map<String, Object> v) {
        List<String> keys = zn.children(node.path());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String key : keys) {
            if (entries.size() >= in.max()) {
                break;
            }
            zn.read(Znodes.child(node.path(), key)).ifPresent(k -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("key", key);
                e.put("value", in.show(k.data()));
                e.put("size", k.data().length);
                e.put("version", k.stat().getVersion());
                e.put("mzxid", Inspector.hex(k.stat().getMzxid()));
                entries.add(e);
            });
        }
        v.put("keyCount", keys.size());
        v.put("keys", entries);
        if (keys.size() > entries.size()) {
            v.put("more", keys.size() - entries.size());
        }
        v.put("summary", keys.size() + " keys");
    }

    void membership(Znodes.Node node, Map<String, Object> v) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (String id : zn.children(node.path())) {
            zn.read(Znodes.child(node.path(), id)).ifPresent(m -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", id);
                e.put("metadata", in.show(m.data()));
                e.put("session", Inspector.hex(m.stat().getEphemeralOwner()));
                e.put("since", Instant.ofEpochMilli(m.stat().getCtime()).toString());
                e.put("version", m.stat().getVersion());
                members.add(e);
            });
        }
        v.put("members", members);
        v.put("summary", members.size() + " members");
    }
}
