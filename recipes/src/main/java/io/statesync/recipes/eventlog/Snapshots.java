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
package io.statesync.recipes.eventlog;

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.LayoutVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of an event-sourced state, stored next to the log:
 *
 * <pre>
 * P/snapshots/manifest             position, directory, chunk count, size, CRC-32 of the newest snapshot
 * P/snapshots/{position}-{uuid}/{i} the chunks of one snapshot, each at most the value limit
 * </pre>
 *
 * A writer stores every chunk first, in a directory of its own, and then switches the manifest
 * with one compare-and-set; a reader reads the manifest, then the chunks it names, and checks the
 * size and CRC. A snapshot is therefore either entirely visible or not at all. Older snapshot
 * directories beyond the number kept are deleted after the switch; a reader that loses a race with
 * that deletion re-reads the manifest.
 *
 * <p>Every request goes through the coordinator's one retry loop and runs against the deadline of
 * its pass (a load, a write, a prune), the coordinator's operation timeout: behind a dead connection
 * a pass ends by that deadline with an {@link io.statesync.core.OperationTimeoutException}. The
 * manifest's switch is not repeated blindly: after a lost reply the manifest is read again, and a
 * manifest naming this writer's directory is its own switch, landed. Thread-safe.
 */
final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);
    static final String MANIFEST = "manifest";

    /** The manifest's content and its znode version. */
    record Manifest(long position, String directory, int chunks, int size, long crc, long zxid, int version) {
        byte[] encode() {
            return ("position=" + position + "\ndirectory=" + directory + "\nchunks=" + chunks + "\nsize=" + size
                            + "\ncrc=" + crc + "\nzxid=" + zxid + "\n" + LayoutVersion.PROPERTY_LINE)
                    .getBytes(StandardCharsets.UTF_8);
        }

        static Manifest decode(String path, byte[] data, int version) {
            LayoutVersion.checkProperties(path, "snapshot manifest", data);
            long position = -1;
            String directory = "";
            int chunks = -1;
            int size = -1;
            long crc = -1;
            long zxid = 0;
            try {
                for (String line : new String(data, StandardCharsets.UTF_8).split("\n", -1)) {
                    int eq = line.indexOf('=');
                    if (eq < 0) {
                        continue;
                    }
                    String v = line.substring(eq + 1).trim();
                    switch (line.substring(0, eq)) {
                        case "position" -> position = Long.parseLong(v);
                        case "directory" -> directory = v;
                        case "chunks" -> chunks = Integer.parseInt(v);
                        case "size" -> size = Integer.parseInt(v);
                        case "crc" -> crc = Long.parseLong(v);
                        case "zxid" -> zxid = Long.parseLong(v);
                        default -> {}
                    }
                }
            } catch (NumberFormatException e) {
                throw new StateSyncException(
                        StateSyncException.Reason.DECODING_FAILED,
                        path,
                        "snapshot manifest " + path + " is invalid",
                        e);
            }
            if (position < 0 || directory.isEmpty() || chunks < 0 || size < 0) {
                throw new StateSyncException(
                        StateSyncException.Reason.DECODING_FAILED,
                        path,
                        "snapshot manifest " + path + " is invalid",
                        null);
            }
            return new Manifest(position, directory, chunks, size, crc, zxid, version);
        }
    }

    /** A loaded snapshot. Never compared; the array is not copied. */
    @SuppressWarnings("ArrayRecordComponent")
    record Loaded(long position, byte[] data, long zxid, String path) {}

    private final Coordinator coordinator;
    private final String dir;
    private final String manifestPath;
    private final int keep;

    Snapshots(Coordinator coordinator, String dir, int keep) {
        this.coordinator = coordinator;
        this.dir = dir;
        this.manifestPath = dir + "/" + MANIFEST;
        this.keep = keep;
    }

    private ZkAccess zk() {
        return coordinator.internalAccess();
    }

    private Optional<Manifest> manifest(Deadline d, String what, Outcome outcome) {
        return zk().read(manifestPath, d, what, outcome)
                .map(v -> Manifest.decode(manifestPath, v.value(), v.version()));
    }

    /** Loads the newest snapshot, if there is one; every request against the deadline. */
    Optional<Loaded> loadLatest(Deadline d) throws InterruptedException {
        String what = "load of the newest snapshot in " + dir;
        for (int attempt = 0; ; attempt++) {
            Optional<Manifest> found = manifest(d, what, Outcome.NOT_APPLIED);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Manifest m = found.get();
            String snapshotDir = dir + "/" + m.directory();
            byte[] data = new byte[m.size()];
            int offset = 0;
            boolean vanished = false;
            for (int i = 0; i < m.chunks(); i++) {
                Optional<Versioned<byte[]>> chunk = zk().read(snapshotDir + "/" + i, d, what, Outcome.NOT_APPLIED);
                if (chunk.isEmpty()) {
                    vanished = true;
                    break;
                }
                byte[] bytes = chunk.get().value();
                if (offset + bytes.length > data.length) {
                    throw corrupt(snapshotDir, "its chunks are larger than the manifest's size " + m.size());
                }
                System.arraycopy(bytes, 0, data, offset, bytes.length);
                offset += bytes.length;
            }
            if (vanished) {
                // Replaced and deleted while we read it: read the newer manifest.
                if (attempt >= 10) {
                    throw corrupt(snapshotDir, "its chunks keep disappearing");
                }
                continue;
            }
            if (offset != data.length || crc(data) != m.crc()) {
                throw corrupt(snapshotDir, "size or CRC does not match the manifest");
            }
            return Optional.of(new Loaded(m.position(), data, m.zxid(), snapshotDir));
        }
    }

    private static StateSyncException corrupt(String path, String why) {
        return new StateSyncException(
                StateSyncException.Reason.DECODING_FAILED, path, "snapshot " + path + " is corrupt: " + why, null);
    }

    /**
     * Writes a snapshot unless one at this position or later exists; every request against the
     * deadline. The pruning of older snapshots that follows runs against a deadline of its own.
     *
     * @return the oldest position still covered by a kept snapshot, or -1 if nothing was written
     */
    long write(long position, byte[] data, long zxid, Deadline d) throws InterruptedException {
        String what = "snapshot of " + dir + " at position " + position;
        Optional<Manifest> current = manifest(d, what, Outcome.NOT_APPLIED);
        if (current.isPresent() && current.get().position() >= position) {
            return -1;
        }
        String name = position + "-" + UUID.randomUUID();
        String snapshotDir = dir + "/" + name;
        int chunkSize = coordinator.maxValueBytes();
        int chunks = (data.length + chunkSize - 1) / chunkSize;
        ZkAccess zk = zk();
        // The directory is this writer's alone: its creates are safe to repeat after a lost reply
        // (an existing znode there is one of ours that landed).
        zk.createIfAbsent(snapshotDir, new byte[0], CreateMode.PERSISTENT, d, what, Outcome.UNKNOWN);
        boolean switched = false;
        // Whether a switch was sent and not yet resolved: then the directory may be the current one,
        // and is left for a later prune (which keeps whatever the manifest names) instead of deleted.
        boolean unresolved = false;
        try {
            for (int i = 0; i < chunks; i++) {
                byte[] chunk = Arrays.copyOfRange(data, i * chunkSize, Math.min(data.length, (i + 1) * chunkSize));
                String chunkPath = snapshotDir + "/" + i;
                String full = zk.fullPath(chunkPath);
                ZkAccess.Reply r = zk.call(
                        d, chunkPath, what, Outcome.UNKNOWN, h -> zk.create(h, full, chunk, CreateMode.PERSISTENT));
                if (!r.ok() && r.rc() != KeeperException.Code.NODEEXISTS.intValue()) {
                    throw ZkAccess.error(r.rc(), chunkPath);
                }
            }
            while (true) {
                Manifest next = new Manifest(position, name, chunks, data.length, crc(data), zxid, -1);
                unresolved = true;
                int rc = switchManifest(
                        next.encode(), current.map(Manifest::version).orElse(-1), d, what);
                if (rc == 0) {
                    switched = true;
                    break;
                }
                if (rc != KeeperException.Code.NODEEXISTS.intValue()
                        && rc != KeeperException.Code.BADVERSION.intValue()) {
                    unresolved = false;
                    throw ZkAccess.error(rc, manifestPath);
                }
                current = manifest(d, what, Outcome.UNKNOWN);
                unresolved = false;
                if (current.isPresent() && current.get().directory().equals(name)) {
                    switched = true; // our switch landed before its reply was lost
                    break;
                }
                if (current.isPresent() && current.get().position() >= position) {
                    return -1;
                }
            }
        } finally {
            if (!switched && !unresolved) {
                deleteQuietly(snapshotDir, d);
            }
        }
        return cleanUp(position, zk.defaultDeadline());
    }

    /**
     * Switches the manifest once: creates it ({@code version} -1) or sets it at that version. A lost
     * reply is answered by the caller's re-read, never by sending it again blindly.
     *
     * @return the result code: 0, NODEEXISTS or BADVERSION (someone else switched first, or a lost
     *     attempt of ours landed), or another error
     */
    private int switchManifest(byte[] encoded, int version, Deadline d, String what) {
        ZkAccess zk = zk();
        String full = zk.fullPath(manifestPath);
        CompletableFuture<ZkAccess.Reply> sent;
        if (version < 0) {
            sent = zk.create(zk.handle(), full, encoded, CreateMode.PERSISTENT);
        } else {
            CompletableFuture<ZkAccess.Reply> f = new CompletableFuture<>();
            zk.handle()
                    .setData(
                            full,
                            encoded,
                            version,
                            (rc, p, ctx, stat) -> f.complete(new ZkAccess.Reply(rc, null, stat, null, null)),
                            null);
            sent = f;
        }
        ZkAccess.Reply r = ZkAccess.await(sent, d, manifestPath, what, Outcome.UNKNOWN);
        if (!ZkAccess.isLoss(r.rc())) {
            return r.rc();
        }
        // Lost: after the policy's pause, the caller reads back whether it landed before sending again.
        zk.backoff(1, d, manifestPath, what, Outcome.UNKNOWN);
        return version < 0 ? KeeperException.Code.NODEEXISTS.intValue() : KeeperException.Code.BADVERSION.intValue();
    }

    /**
     * Deletes snapshot directories beyond the newest {@code keep}; returns the oldest kept position.
     * Every request against the deadline.
     */
    private long cleanUp(long newest, Deadline d) throws InterruptedException {
        String what = "pruning of the snapshots in " + dir;
        Optional<Manifest> current = manifest(d, what, Outcome.NOT_APPLIED);
        String currentDir = current.map(Manifest::directory).orElse("");
        long currentPosition = current.map(Manifest::position).orElse(newest);
        List<String> names = children(dir, d, what);
        List<long[]> older = new ArrayList<>();
        List<String> olderNames = new ArrayList<>();
        for (String n : names) {
            if (n.equals(MANIFEST) || n.equals(currentDir)) {
                continue;
            }
            long p = positionOf(n);
            if (p < 0 || p > currentPosition) {
                continue; // not ours, or a newer snapshot being written
            }
            if (p == currentPosition) {
                deleteQuietly(dir + "/" + n, d); // lost the race to the current one
                continue;
            }
            older.add(new long[] {p, olderNames.size()});
            olderNames.add(n);
        }
        older.sort((a, b) -> Long.compare(b[0], a[0]));
        long oldestKept = currentPosition;
        for (int i = 0; i < older.size(); i++) {
            long[] o = older.get(i);
            if (i < keep - 1) {
                oldestKept = Math.min(oldestKept, o[0]);
            } else {
                deleteQuietly(dir + "/" + olderNames.get((int) o[1]), d);
            }
        }
        return oldestKept;
    }

    /** The children of a znode; empty if it does not exist. */
    private List<String> children(String p, Deadline d, String what) {
        ZkAccess zk = zk();
        String full = zk.fullPath(p);
        ZkAccess.Reply r = zk.call(d, p, what, Outcome.NOT_APPLIED, h -> ZkAccess.getChildren(h, full));
        if (r.noNode()) {
            return List.of();
        }
        List<String> names = r.children();
        if (!r.ok() || names == null) {
            throw ZkAccess.error(r.rc(), p);
        }
        return names;
    }

    private static long positionOf(String name) {
        int dash = name.indexOf('-');
        if (dash <= 0) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Deletes a snapshot directory: its chunks (a snapshot directory has no deeper znodes), then the
     * directory, each delete through the retry loop against the deadline; a znode already gone is
     * fine. A failure is logged, not thrown: a directory left behind is pruned by a later snapshot.
     */
    private void deleteQuietly(String path, Deadline d) {
        String what = "deletion of snapshot " + path;
        ZkAccess zk = zk();
        try {
            for (int round = 0; round < 3; round++) {
                for (String child : children(path, d, what)) {
                    String childPath = path + "/" + child;
                    String full = zk.fullPath(childPath);
                    ZkAccess.Reply r = zk.call(d, childPath, what, Outcome.UNKNOWN, h -> ZkAccess.delete(h, full, -1));
                    if (!r.ok() && !r.noNode()) {
                        throw ZkAccess.error(r.rc(), childPath);
                    }
                }
                String full = zk.fullPath(path);
                ZkAccess.Reply r = zk.call(d, path, what, Outcome.UNKNOWN, h -> ZkAccess.delete(h, full, -1));
                if (r.ok() || r.noNode()) {
                    return;
                }
                if (r.rc() != KeeperException.Code.NOTEMPTY.intValue()) {
                    throw ZkAccess.error(r.rc(), path);
                }
                // a chunk created meanwhile (a writer's create retried): list again
            }
            LOG.warn("could not delete snapshot {}: it keeps gaining znodes", path);
        } catch (StateSyncException e) {
            LOG.warn("could not delete snapshot {}", path, e);
        }
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }
}
