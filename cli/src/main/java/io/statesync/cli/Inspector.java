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

import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.internal.DeadLetterRecord;
import io.statesync.recipes.internal.LeaseRecord;
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.Segments;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Recognises the recipe at a path from its znodes, and reads it into a view: a map of plain values,
 * lists and maps, in a stable order, that the command prints as text or JSON. Reads only.
 *
 * <p>The kind is told from the layout each recipe documents (docs/operations.md, "Looking inside"):
 * statesync writes no kind marker. The formats are read with the recipes' own decoders ({@link
 * Segments#decodeMeta}, {@link PackFormat}, {@link DeadLetterRecord}).
 */
final class Inspector {
    /** The most entries (tree keys, claims, dead letters, ...) a view lists; the totals are always given. */
    private final int max;

    private final Znodes zn;
    private final ValueFormat format;
    private final long now;

    /** How values are shown. */
    enum ValueFormat {
        /** Text if the bytes are UTF-8, else hex. */
        AUTO,
        TEXT,
        HEX
    }

    Inspector(Znodes zn, ValueFormat format, int max) {
        this.zn = zn;
        this.format = format;
        this.max = max;
        this.now = System.currentTimeMillis();
    }

    // ---------------------------------------------------------------- recognition

    /** The znode at {@code path}, or exit code 4 naming it. */
    Znodes.Node require(String path) {
        return zn.read(path)
                .orElseThrow(() -> new CliException(
                        CliException.NO_SUCH_PATH, "no znode at " + path + " (namespace " + zn.full("/") + ")"));
    }

    /** The kind of recipe at a znode, if its layout is one. */
    Optional<Kind> recognise(Znodes.Node node) {
        List<String> children = zn.children(node.path());
        Set<String> c = new HashSet<>(children);
        if (c.containsAll(List.of("meta", "items", "tail"))) {
            return Optional.of(Kind.WORK_QUEUE);
        }
        if (c.containsAll(List.of("meta", "log"))) {
            return Optional.of(Kind.EVENT_LOG);
        }
        if (c.containsAll(List.of("commands", "leader", "state"))) {
            return Optional.of(Kind.REPLICATED_STATE);
        }
        boolean lock = false;
        boolean rw = false;
        boolean lease = false;
        boolean participant = false;
        for (String name : children) {
            String kind = LockLine.kindOf(name);
            if (kind != null) {
                lock |= kind.equals("lock");
                rw |= kind.equals("read") || kind.equals("write");
                lease |= kind.equals("lease");
            }
            participant |= ElectionLine.isParticipant(name);
        }
        if (lease) {
            return Optional.of(Kind.SEMAPHORE);
        }
        if (rw) {
            return Optional.of(Kind.READ_WRITE_LOCK);
        }
        if (lock) {
            return Optional.of(Kind.LOCK);
        }
        String text = new String(node.data(), StandardCharsets.UTF_8);
        if (participant || text.startsWith("leading:") || text.startsWith("released:")) {
            return Optional.of(Kind.ELECTION);
        }
        if (!children.isEmpty()) {
            boolean allEphemeral = true;
            boolean allPersistentLeaves = true;
            for (String name : children) {
                Optional<Stat> s = zn.stat(Znodes.child(node.path(), name));
                if (s.isEmpty()) {
                    continue;
                }
                allEphemeral &= s.get().getEphemeralOwner() != 0;
                allPersistentLeaves &= s.get().getEphemeralOwner() == 0
                        && s.get().getNumChildren() == 0
                        && s.get().getDataLength() > 0;
            }
            if (allEphemeral) {
                return Optional.of(Kind.MEMBERSHIP);
            }
            if (allPersistentLeaves) {
                return Optional.of(Kind.STATE_TREE);
            }
            return Optional.empty();
        }
        return node.data().length > 0 ? Optional.of(Kind.SHARED_STATE) : Optional.empty();
    }

    /** The view of the recipe at {@code path}, or exit code 4 or 5. */
    Map<String, Object> inspect(String path) {
        Znodes.Node node = require(path);
        Kind kind = recognise(node)
                .orElseThrow(() -> new CliException(
                        CliException.NO_RECIPE,
                        "no recipe at " + path + ": its znodes match no statesync layout ("
                                + node.stat().getNumChildren()
                                + " children; an unheld lock or an empty group leaves nothing to recognise;"
                                + " try: statesync tree " + path + ")"));
        return view(node, kind);
    }

    Map<String, Object> view(Znodes.Node node, Kind kind) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("path", node.path());
        v.put("kind", kind.label);
        try {
            switch (kind) {
                case SHARED_STATE -> sharedState(node, v);
                case STATE_TREE -> stateTree(node, v);
                case LOCK, READ_WRITE_LOCK, SEMAPHORE -> lock(node, kind, v);
                case ELECTION -> election(node, v);
                case MEMBERSHIP -> membership(node, v);
                case EVENT_LOG -> eventLog(node.path(), v);
                case WORK_QUEUE -> queue(node.path(), v);
                case REPLICATED_STATE -> replicated(node, v);
            }
        } catch (IncompatibleLayoutException e) {
            throw new CliException(CliException.FAILED, String.valueOf(e.getMessage()));
        } catch (StateSyncException | IllegalArgumentException e) {
            throw new CliException(
                    CliException.FAILED,
                    "cannot read the " + kind.label + " at " + node.path() + ": " + String.valueOf(e.getMessage()));
        }
        return v;
    }

    /** One line about a recipe, for {@code statesync tree}. */
    static String summary(Map<String, Object> v) {
        Object s = v.get("summary");
        return s == null ? "" : s.toString();
    }

    // ---------------------------------------------------------------- shared state, tree

    private void sharedState(Znodes.Node node, Map<String, Object> v) {
        Stat s = node.stat();
        v.put("value", show(node.data()));
        v.put("size", node.data().length);
        v.put("version", s.getVersion());
        v.put("mzxid", hex(s.getMzxid()));
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
                return hex(s.get().getEphemeralOwner());
            }
        }
        return null;
    }

    private void stateTree(Znodes.Node node, Map<String, Object> v) {
        List<String> keys = zn.children(node.path());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String key : keys) {
            if (entries.size() >= max) {
                break;
            }
            zn.read(Znodes.child(node.path(), key)).ifPresent(k -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("key", key);
                e.put("value", show(k.data()));
                e.put("size", k.data().length);
                e.put("version", k.stat().getVersion());
                e.put("mzxid", hex(k.stat().getMzxid()));
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

    // ---------------------------------------------------------------- locks

    /**
     * The lock znodes in line order and who holds: the first of a mutex; a writer with nothing
     * before it, a reader with no writer before it; the first {@code maxLeases} leases of a
     * semaphore, its {@code maxLeases} read from the leases themselves (each records its client's).
     * If the leases disagree, or none records it (an older release's), the line is shown with each
     * lease's place and no one is named a holder.
     */
    private void lock(Znodes.Node node, Kind kind, Map<String, Object> v) {
        List<String> line = LockLine.sorted(zn.children(node.path()));
        List<Map<String, Object>> holders = new ArrayList<>();
        List<Map<String, Object>> waiters = new ArrayList<>();
        boolean writerSeen = false;
        int place = 0;
        Map<Integer, Integer> maxLeases = new TreeMap<>(); // the semaphore's maxLeases -> leases recording it
        int unrecorded = 0;
        for (String name : line) {
            Optional<Stat> s;
            if (kind == Kind.SEMAPHORE) {
                Optional<Znodes.Node> lease = zn.read(Znodes.child(node.path(), name));
                s = lease.map(Znodes.Node::stat);
                if (lease.isPresent()) {
                    OptionalInt n = LeaseRecord.maxLeasesOf(lease.get().data());
                    if (n.isPresent()) {
                        maxLeases.merge(n.getAsInt(), 1, Integer::sum);
                    } else {
                        unrecorded++;
                    }
                }
            } else {
                s = zn.stat(Znodes.child(node.path(), name));
            }
            if (s.isEmpty()) {
                continue; // released meanwhile
            }
            String k = LockLine.kindOf(name);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("place", place);
            e.put("mode", k);
            e.put("token", s.get().getCzxid());
            e.put("session", hex(s.get().getEphemeralOwner()));
            e.put("since", Instant.ofEpochMilli(s.get().getCtime()).toString());
            e.put("znode", name);
            boolean holds = switch (kind) {
                case LOCK -> place == 0;
                case READ_WRITE_LOCK -> "write".equals(k) ? place == 0 : !writerSeen;
                default -> false;
            };
            if ("write".equals(k)) {
                writerSeen = true;
            }
            if (kind == Kind.SEMAPHORE) {
                waiters.add(e);
            } else if (holds) {
                holders.add(e);
            } else {
                waiters.add(e);
            }
            place++;
        }
        if (kind == Kind.SEMAPHORE) {
            if (maxLeases.size() != 1 || unrecorded > 0) {
                v.put("leases", waiters);
                v.put("maxLeases", maxLeases);
                v.put(
                        "note",
                        maxLeases.size() > 1
                                ? "the leases disagree on maxLeases (value: leases): every client of a semaphore must"
                                        + " use the same number"
                                : "the first maxLeases in line hold a lease; "
                                        + (unrecorded == waiters.size()
                                                ? "no lease records maxLeases"
                                                : unrecorded + " leases do not record maxLeases"));
                v.put(
                        "summary",
                        waiters.size() + " in line, maxLeases " + (maxLeases.isEmpty() ? "unknown" : maxLeases));
                return;
            }
            int n = maxLeases.keySet().iterator().next();
            v.put("maxLeases", n);
            List<Map<String, Object>> inLine = waiters;
            holders = new ArrayList<>(inLine.subList(0, Math.min(n, inLine.size())));
            waiters = new ArrayList<>(inLine.subList(holders.size(), inLine.size()));
        }
        v.put("holders", holders);
        v.put("waiters", waiters);
        StringBuilder sum = new StringBuilder();
        if (holders.isEmpty()) {
            sum.append("free");
        } else {
            sum.append("held by ");
            for (int i = 0; i < holders.size(); i++) {
                Map<String, Object> h = holders.get(i);
                sum.append(i == 0 ? "" : ", ")
                        .append("session ")
                        .append(h.get("session"))
                        .append(" (token ")
                        .append(h.get("token"))
                        .append(kind == Kind.READ_WRITE_LOCK ? ", " + h.get("mode") : "")
                        .append(')');
            }
        }
        sum.append(", ").append(waiters.size()).append(" waiting");
        if (kind == Kind.SEMAPHORE) {
            sum.append(", maxLeases ").append(v.get("maxLeases"));
        }
        v.put("summary", sum.toString());
    }

    // ---------------------------------------------------------------- election

    private void election(Znodes.Node node, Map<String, Object> v) {
        String marker = new String(node.data(), StandardCharsets.UTF_8).trim();
        List<Map<String, Object>> participants = new ArrayList<>();
        for (String name : ElectionLine.inLineOrder(zn.children(node.path()))) {
            zn.read(Znodes.child(node.path(), name)).ifPresent(p -> {
                String data = new String(p.data(), StandardCharsets.UTF_8);
                int nl = data.indexOf('\n');
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", nl < 0 ? data : data.substring(0, nl));
                e.put("metadata", nl < 0 ? "" : data.substring(nl + 1));
                e.put("session", hex(p.stat().getEphemeralOwner()));
                e.put("epochIfLeading", p.stat().getCzxid());
                e.put("znode", name);
                participants.add(e);
            });
        }
        long markedEpoch = marker.startsWith("leading:") ? parseLong(marker.substring("leading:".length())) : 0;
        Map<String, Object> leader = null;
        for (Map<String, Object> p : participants) {
            if (markedEpoch != 0 && number(p, "epochIfLeading") == markedEpoch) {
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

    // ---------------------------------------------------------------- membership

    private void membership(Znodes.Node node, Map<String, Object> v) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (String id : zn.children(node.path())) {
            zn.read(Znodes.child(node.path(), id)).ifPresent(m -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", id);
                e.put("metadata", show(m.data()));
                e.put("session", hex(m.stat().getEphemeralOwner()));
                e.put("since", Instant.ofEpochMilli(m.stat().getCtime()).toString());
                e.put("version", m.stat().getVersion());
                members.add(e);
            });
        }
        v.put("members", members);
        v.put("summary", members.size() + " members");
    }

    // ---------------------------------------------------------------- event log

    /** Above this many records, a view does not read each one's size. */
    static final int SIZE_LIMIT = 10_000;

    /** The paths of the record znodes of a segmented directory, in position order: listings only. */
    List<String> recordPaths(String dir) {
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

    private static long positionOf(String recordPath) {
        return Long.parseLong(recordPath.substring(recordPath.lastIndexOf('/') + 1));
    }

    /**
     * Calls {@code each} for every record znode of a segmented directory that may hold positions
     * from {@code from} (inclusive) to {@code to} (exclusive), in position order.
     */
    void forEachRecord(String dir, long from, long to, Consumer<Znodes.Node> each) {
        List<String> records = recordPaths(dir);
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

    private void eventLog(String path, Map<String, Object> v) {
        Znodes.Node metaNode = require(path + "/meta");
        Segments.Meta meta = Segments.decodeMeta(metaNode.path(), "event-log", metaNode.data());
        long earliest = meta.nonNegative("earliest");
        String dir = path + "/log";
        long segments = 0;
        for (long g : zn.numericChildren(dir)) {
            segments += zn.numericChildren(dir + "/" + g).size();
        }
        List<String> records = recordPaths(dir);
        long lastEnd = 0;
        if (!records.isEmpty()) {
            Optional<Znodes.Node> last = zn.read(records.get(records.size() - 1));
            if (last.isPresent()) {
                lastEnd = positionOf(last.get().path())
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
        require(path + "/meta");
        forEachRecord(path + "/log", from, to, r -> {
            long p = Long.parseLong(r.path().substring(r.path().lastIndexOf('/') + 1));
            List<byte[]> events = PackFormat.decode(r.path(), r.data()).events();
            for (int i = 0; i < events.size(); i++) {
                long position = p + i;
                if (position >= from && position < to) {
                    byte[] e = events.get(i);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("position", position);
                    m.put("size", e.length);
                    m.put("value", show(e));
                    each.accept(m);
                }
            }
        });
    }

    // ---------------------------------------------------------------- work queue

    private void queue(String path, Map<String, Object> v) {
        Znodes.Node metaNode = require(path + "/meta");
        Segments.Meta meta = Segments.decodeMeta(metaNode.path(), "work-queue", metaNode.data());
        long tail = counter(require(path + "/tail"));
        int removedVersion = require(path + "/removed").stat().getVersion();
        // QueueStore.depth: the removal count is the removed znode's 32-bit version
        long depth = (tail - Integer.toUnsignedLong(removedVersion)) & 0xFFFF_FFFFL;
        List<String> claimPaths = recordPaths(path + "/claims");
        List<Map<String, Object>> claims = new ArrayList<>();
        for (String cp : claimPaths.subList(0, Math.min(max, claimPaths.size()))) {
            zn.stat(cp).ifPresent(stat -> {
                long p = positionOf(cp);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("position", p);
                e.put("session", hex(stat.getEphemeralOwner()));
                e.put("ageMillis", Math.max(0, now - stat.getCtime()));
                e.put("deliveries", itemDeliveries(path, meta, p));
                claims.add(e);
            });
        }
        List<String> deadPaths = recordPaths(path + "/dead");
        List<Map<String, Object>> dead = new ArrayList<>();
        for (String dp : deadPaths.subList(0, Math.min(max, deadPaths.size()))) {
            zn.read(dp).ifPresent(d -> {
                DeadLetterRecord r = DeadLetterRecord.decode(d.path(), d.data());
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", positionOf(dp));
                e.put("position", r.position());
                e.put("cause", r.cause());
                e.put("deliveries", r.deliveries());
                e.put("detail", r.detail());
                e.put("value", show(r.encoded()));
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
        return s.isEmpty() ? 0 : parseLong(s);
    }

    // ---------------------------------------------------------------- replicated state

    /**
     * The published state ({@code P/state}: magic {@code RST1}, next, epoch, outcomesFrom,
     * rejections, state; see the replication package's {@code Published}), the election at {@code
     * P/leader}, the command log at {@code P/commands}.
     */
    private void replicated(Znodes.Node node, Map<String, Object> v) {
        String path = node.path();
        Znodes.Node state = require(path + "/state");
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
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (data.length > 0) {
                if (in.readInt() != 0x52535431) {
                    throw new IllegalArgumentException("not a published replicated state");
                }
                next = in.readLong();
                epoch = in.readLong();
                in.readLong();
                rejections = in.readInt();
                for (int i = 0; i < rejections; i++) {
                    in.readLong();
                    in.skipBytes(in.readUnsignedShort());
                }
                value = new byte[in.readInt()];
                in.readFully(value);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated published replicated state at " + state.path(), e);
        }
        Map<String, Object> log = new LinkedHashMap<>();
        eventLog(path + "/commands", log);
        long end = number(log, "endPosition");
        Map<String, Object> leader = new LinkedHashMap<>();
        election(require(path + "/leader"), leader);
        v.put("version", next);
        v.put("publishedByEpoch", epoch);
        v.put("state", show(value));
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

    // ---------------------------------------------------------------- values

    Object show(byte[] data) {
        return switch (format) {
            case HEX -> hexBytes(data);
            case TEXT -> new String(data, StandardCharsets.UTF_8);
            case AUTO -> {
                String text = utf8(data);
                yield text != null ? text : hexBytes(data);
            }
        };
    }

    private static @Nullable String utf8(byte[] data) {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (Character.isISOControl(ch) && ch != '\n' && ch != '\t' && ch != '\r') {
                    return null;
                }
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String hexBytes(byte[] data) {
        StringBuilder b = new StringBuilder("0x");
        for (byte x : data) {
            b.append(String.format(Locale.ROOT, "%02x", x));
        }
        return b.toString();
    }

    /** A numeric field of a view. */
    static long number(Map<String, Object> view, String key) {
        Object v = view.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalStateException("no number " + key + " in the view of " + view.get("path"));
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
