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

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a replicated state into its view: the published state, the election of its leader and
 * the commands not yet applied, from the three parts it is built of.
 */
final class ReplicatedView {
    private final Inspector in;

    ReplicatedView(Inspector in) {
        this.in = in;
    }

    /**
     * The published state ({@code P/state}: magic {@code RST1}, next, epoch, outcomesFrom,
     * rejections, state; see the replication package's {@code Published}), the election at {@code
     * P/leader}, the command log at {@code P/commands}.
     */
    void read(Znodes.Node node, Map<String, Object> v) {
        String path = node.path();
        Znodes.Node state = in.require(path + "/state");
        long next = 0;
        long epoch = 0;
        int rejections = 0;
        byte[] value = new byte[0];
        byte[] data = state.data();
        if (data.length >= 4 && data[0] == 'R' && data[1] == 'S' && data[2] == 'T' && data[3] > '1') {
            throw new CliException(
                    CliException.FAILED,
                    "the replicated state at " + path + " is in a newer release's layout (format " + (char) data[3]
                            + ")");
        }
        try (DataInputStream din = new DataInputStream(new ByteArrayInputStream(data))) {
            if (data.length > 0) {
                if (din.readInt() != 0x52535431) {
                    throw new IllegalArgumentException("not a published replicated state");
                }
                next = din.readLong();
                epoch = din.readLong();
                din.readLong();
                rejections = din.readInt();
                for (int i = 0; i < rejections; i++) {
                    din.readLong();
                    din.skipBytes(din.readUnsignedShort());
                }
                value = new byte[din.readInt()];
                din.readFully(value);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated published replicated state at " + state.path(), e);
        }
        Map<String, Object> log = new LinkedHashMap<>();
        new LogView(in).read(path + "/commands", log);
        long end = Inspector.number(log, "endPosition");
        Map<String, Object> leader = new LinkedHashMap<>();
        new ElectionView(in).read(in.require(path + "/leader"), leader);
        v.put("version", next);
        v.put("publishedByEpoch", epoch);
        v.put("state", in.show(value));
        v.put("stateSize", value.length);
        v.put("leader", leader.get("leader"));
        v.put("leaderStatus", leader.get("status"));
        v.put("pendingCommands", Math.max(0, end - next));
        v.put("commandsEnd", end);
        v.put("recentRejections", rejections);
        v.put("participants", leader.get("participants"));
        v.put(
                "summary",
                "version " + next + ", leader " + leader.get("leader") + ", " + Math.max(0, end - next)
                        + " pending commands");
    }
}
