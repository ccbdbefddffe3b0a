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
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Nodes;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.internal.LayoutVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
 * that deletion re-reads the manifest. Thread-safe.
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

    private Optional<Manifest> manifest() throws InterruptedException {
        return Nodes.read(coordinator, manifestPath).map(v -> Manifest.decode(manifestPath, v.value(), v.version()));
    }

    /** Loads the newest snapshot, if there is one. */
    Optional<Loaded> loadLatest() throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Optional<Manifest> found = manifest();
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Manifest m = found.get();
            String snapshotDir = dir + "/" + m.directory();
            byte[] data = new byte[m.size()];
            int offset = 0;
            boolean vanished = false;
            for (int i = 0; i < m.chunks(); i++) {
                Optional<Versioned<byte[]>> chunk = Nodes.read(coordinator, snapshotDir + "/" + i);
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
     * Writes a snapshot unless one at this position or later exists.
     *
     * @return the oldest position still covered by a kept snapshot, or -1 if nothing was written
     */
    long write(long position, byte[] data, long zxid) throws InterruptedException {
        Optional<Manifest> current = manifest();
        if (current.isPresent() && current.get().position() >= position) {
            return -1;
        }
        String name = position + "-" + UUID.randomUUID();
        String snapshotDir = dir + "/" + name;
        int chunkSize = coordinator.maxValueBytes();
        int chunks = (data.length + chunkSize - 1) / chunkSize;
        Nodes.create(coordinator, snapshotDir, new byte[0], CreateMode.PERSISTENT);
        boolean switched = false;
        try {
            for (int i = 0; i < chunks; i++) {
                byte[] chunk = Arrays.copyOfRange(data, i * chunkSize, Math.min(data.length, (i + 1) * chunkSize));
                Nodes.create(coordinator, snapshotDir + "/" + i, chunk, CreateMode.PERSISTENT);
            }
            while (true) {
                Manifest next = new Manifest(position, name, chunks, data.length, crc(data), zxid, -1);
                try {
                    if (current.isEmpty()) {
                        Nodes.create(coordinator, manifestPath, next.encode(), CreateMode.PERSISTENT);
                    } else {
                        Nodes.write(
                                coordinator,
                                manifestPath,
                                next.encode(),
                                current.get().version());
                    }
                    switched = true;
                    break;
                } catch (StateSyncException e) {
                    if (e.reason() != StateSyncException.Reason.NODE_EXISTS
                            && e.reason() != StateSyncException.Reason.VERSION_CONFLICT) {
                        throw e;
                    }
                }
                current = manifest();
                if (current.isPresent() && current.get().position() >= position) {
                    return -1;
                }
            }
        } finally {
            if (!switched) {
                deleteQuietly(snapshotDir);
            }
        }
        return cleanUp(position);
    }

    /** Deletes snapshot directories beyond the newest {@code keep}; returns the oldest kept position. */
    private long cleanUp(long newest) throws InterruptedException {
        Optional<Manifest> current = manifest();
        String currentDir = current.map(Manifest::directory).orElse("");
        long currentPosition = current.map(Manifest::position).orElse(newest);
        List<String> names;
        try {
            names = coordinator.curatorFramework().getChildren().forPath(dir);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZkErrors.translate(e, dir);
        }
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
                deleteQuietly(dir + "/" + n); // lost the race to the current one
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
                deleteQuietly(dir + "/" + olderNames.get((int) o[1]));
            }
        }
        return oldestKept;
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

    private void deleteQuietly(String path) {
        try {
            coordinator.curatorFramework().delete().deletingChildrenIfNeeded().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("could not delete snapshot {}", path, e);
        }
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }
}
