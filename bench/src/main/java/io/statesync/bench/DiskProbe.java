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
package io.statesync.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * What the server's data directory sits on: its file system type and the cost of one fsync there,
 * measured the way ZooKeeper's transaction log syncs (a write appended to a file, then {@code
 * FileChannel.force(false)}). On a file system whose fsync is nearly free (tmpfs) every write
 * figure of the run is faster than on a disk, so the report header states both.
 *
 * @param dir the directory probed (the parent of the servers' temporary data directories)
 * @param fileSystem the file store's type, e.g. {@code ext4}, {@code xfs}, {@code tmpfs}, {@code overlay}
 * @param fsyncMedianMs the median over {@link #SAMPLES} of one 4 KiB write plus force, in milliseconds
 */
record DiskProbe(Path dir, String fileSystem, double fsyncMedianMs) {
    /** How many 4 KiB write+force pairs the median is taken of. */
    static final int SAMPLES = 50;

    private static final int BLOCK = 4096;

    static DiskProbe measure(Path dir) throws IOException {
        Files.createDirectories(dir);
        String type = Files.getFileStore(dir).type();
        Path file = Files.createTempFile(dir, "statesync-bench-fsync-", ".probe");
        long[] nanos = new long[SAMPLES];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            byte[] block = new byte[BLOCK];
            Arrays.fill(block, (byte) 'x');
            for (int i = 0; i < SAMPLES; i++) {
                ByteBuffer buffer = ByteBuffer.wrap(block);
                long t = System.nanoTime();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
                nanos[i] = System.nanoTime() - t;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Arrays.sort(nanos);
        double median = (nanos[SAMPLES / 2 - 1] + nanos[SAMPLES / 2]) / 2.0 / 1e6;
        return new DiskProbe(dir, type, median);
    }
}
