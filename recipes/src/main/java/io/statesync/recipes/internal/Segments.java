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
package io.statesync.recipes.internal;

import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The segmented layout shared by the event log and the work queue: one directory of positions,
 * grouped so that no znode has too many children, described by a meta znode created once.
 *
 * <pre>
 * D/{g}/{s}/{p}    position p, in segment s = p / S, group g = s / G
 * </pre>
 *
 * <p>{@code S} (segment size) and {@code G} (group size) are fixed when the recipe's znodes are
 * first created and read back from its meta znode, whose format is {@code key=value} lines:
 * {@code segmentSize}, {@code groupSize}, any keys of the recipe's own, then {@link
 * LayoutVersion#PROPERTY_LINE}. One {@code Segments} names the paths in one directory {@code D}; a
 * recipe with several directories of the same shape (the queue's items, claims and dead letters)
 * has one each. Immutable, thread-safe.
 */
public final class Segments {

    /** The two sizes of a segmented layout, as stored in a meta znode. */
    public interface Shape {
        /**
         * Positions per segment.
         *
         * @return at least 1
         */
        int segmentSize();

        /**
         * Segments per group.
         *
         * @return at least 1
         */
        int groupSize();
    }

    private final String dir;

    /**
     * The layout of one directory.
     *
     * @param dir the directory's path (relative to the coordinator's namespace)
     */
    public Segments(String dir) {
        this.dir = dir;
    }

    /**
     * The directory.
     *
     * @return its path
     */
    public String dir() {
        return dir;
    }

    /**
     * The path of a group.
     *
     * @param group the group number
     * @return {@code D/{group}}
     */
    public String groupPath(long group) {
        return dir + "/" + group;
    }

    /**
     * The path of a segment.
     *
     * @param shape the layout's sizes
     * @param segment the segment number
     * @return {@code D/{segment / G}/{segment}}
     */
    public String segmentPath(Shape shape, long segment) {
        return dir + "/" + (segment / shape.groupSize()) + "/" + segment;
    }

    /**
     * The path of a position.
     *
     * @param shape the layout's sizes
     * @param position the position
     * @return {@code D/{g}/{s}/{position}}
     */
    public String path(Shape shape, long position) {
        return segmentPath(shape, position / shape.segmentSize()) + "/" + position;
    }

    /**
     * Adds to a {@code multi} the creates that put data at a position: its group's znode when the
     * position opens the group's first segment, its segment's znode when it opens a segment, then the
     * position's own znode (all persistent).
     *
     * @param ops the multi's operations, added to
     * @param c how the operations are made
     * @param shape the layout's sizes
     * @param position the position
     * @param data the position's data
     */
    public void addCreates(List<Op> ops, RawOps c, Shape shape, long position, byte[] data) {
        if (position % shape.segmentSize() == 0) {
            long segment = position / shape.segmentSize();
            if (segment % shape.groupSize() == 0) {
                ops.add(c.create(CreateMode.PERSISTENT, groupPath(segment / shape.groupSize())));
            }
            ops.add(c.create(CreateMode.PERSISTENT, segmentPath(shape, segment)));
        }
        ops.add(c.create(CreateMode.PERSISTENT, path(shape, position), data));
    }

    // ---------------------------------------------------------------- the meta format

    /**
     * Encodes a meta znode: the two sizes, the recipe's own lines, the format line.
     *
     * @param shape the sizes
     * @param extraLines the recipe's own {@code key=value} lines, in order, without newlines
     * @return the znode's data (UTF-8)
     */
    public static byte[] encodeMeta(Shape shape, String... extraLines) {
        StringBuilder b = new StringBuilder()
                .append("segmentSize=")
                .append(shape.segmentSize())
                .append("\ngroupSize=")
                .append(shape.groupSize())
                .append('\n');
        for (String line : extraLines) {
            b.append(line).append('\n');
        }
        return b.append(LayoutVersion.PROPERTY_LINE).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A decoded meta znode: its two sizes and its other fields. */
    public static final class Meta {
        private final String path;
        private final String kind;
        private final int segmentSize;
        private final int groupSize;
        private final Map<String, String> fields;

        private Meta(String path, String kind, int segmentSize, int groupSize, Map<String, String> fields) {
            this.path = path;
            this.kind = kind;
            this.segmentSize = segmentSize;
            this.groupSize = groupSize;
            this.fields = fields;
        }

        /**
         * The segment size.
         *
         * @return at least 1
         */
        public int segmentSize() {
            return segmentSize;
        }

        /**
         * The group size.
         *
         * @return at least 1
         */
        public int groupSize() {
            return groupSize;
        }

        /**
         * A non-negative decimal field of the recipe's own.
         *
         * @param key the field's key
         * @return its value
         * @throws StateSyncException DECODING_FAILED if it is missing, not a number or negative
         */
        public long nonNegative(String key) {
            long v = parse(path, kind, key, fields.get(key));
            if (v < 0) {
                throw invalid(path, kind);
            }
            return v;
        }
    }

    /**
     * Decodes a meta znode.
     *
     * @param path the meta znode's path, for errors
     * @param kind what it is the meta of ("event-log", "work-queue"), for errors
     * @param data the znode's data
     * @return the sizes and the other fields
     * @throws io.statesync.core.IncompatibleLayoutException if it was written by a newer format
     * @throws StateSyncException DECODING_FAILED if a size is missing, not a number or below 1
     */
    public static Meta decodeMeta(String path, String kind, byte[] data) {
        LayoutVersion.checkProperties(path, kind + " meta", data);
        Map<String, String> fields = new HashMap<>();
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq >= 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        long seg = parse(path, kind, "segmentSize", fields.get("segmentSize"));
        long group = parse(path, kind, "groupSize", fields.get("groupSize"));
        if (seg < 1 || group < 1 || seg > Integer.MAX_VALUE || group > Integer.MAX_VALUE) {
            throw invalid(path, kind);
        }
        return new Meta(path, kind, (int) seg, (int) group, fields);
    }

    private static long parse(String path, String kind, String key, @Nullable String value) {
        if (value == null) {
            throw invalid(path, kind);
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new StateSyncException(
                    StateSyncException.Reason.DECODING_FAILED,
                    path,
                    kind + " meta at " + path + " has a bad " + key + ": " + value,
                    e);
        }
    }

    private static StateSyncException invalid(String path, String kind) {
        return new StateSyncException(
                StateSyncException.Reason.DECODING_FAILED, path, kind + " meta at " + path + " is not valid", null);
    }

    // ---------------------------------------------------------------- first use

    /**
     * Creates a recipe's znodes unless they exist: each of {@code nodes} in order (with its
     * missing ancestors), then the meta znode last, so that its presence says every other znode
     * exists. Safe to repeat and to race with another creator.
     *
     * @param zk the coordinator's access
     * @param nodes the znodes before the meta, with their initial data
     * @param metaPath the meta znode's path
     * @param meta its data
     * @param d the deadline of every request
     * @param what the operation, for errors
     * @param outcome the outcome reported if a request fails
     */
    public static void create(
            ZkAccess zk,
            List<Map.Entry<String, byte[]>> nodes,
            String metaPath,
            byte[] meta,
            Deadline d,
            String what,
            Outcome outcome) {
        for (Map.Entry<String, byte[]> node : nodes) {
            zk.createIfAbsent(node.getKey(), node.getValue(), CreateMode.PERSISTENT, d, what, outcome);
        }
        zk.createIfAbsent(metaPath, meta, CreateMode.PERSISTENT, d, what, outcome);
    }

    /**
     * The layout of a recipe, loaded once on first use (double-checked, one loader at a time) and
     * then kept: the sizes never change once created.
     *
     * @param <M> the recipe's meta type
     */
    public static final class Lazy<M extends Shape> {
        private final Object lock = new Object();
        private volatile @Nullable M value;

        /**
         * The layout if it is loaded.
         *
         * @return it, or null before the first successful load
         */
        public @Nullable M known() {
            return value;
        }

        /**
         * The layout, loaded by {@code loader} if not yet known.
         *
         * @param loader reads (creating if needed) the meta; its exceptions pass through
         * @return the layout
         */
        public M get(Supplier<M> loader) {
            M m = value;
            if (m != null) {
                return m;
            }
            synchronized (lock) {
                m = value;
                if (m == null) {
                    m = loader.get();
                    value = m;
                }
                return m;
            }
        }
    }

    /**
     * Logs, once per load, that a recipe's znodes were created with other sizes than configured
     * (the stored ones win).
     *
     * @param log the recipe's logger
     * @param kind "event log" or "work queue"
     * @param path the recipe's path
     * @param stored the sizes read from the meta
     * @param requested the configured sizes
     */
    public static void warnIfResized(Logger log, String kind, String path, Shape stored, Shape requested) {
        if (stored.segmentSize() != requested.segmentSize() || stored.groupSize() != requested.groupSize()) {
            log.warn(
                    "{} {} was created with segmentSize={} groupSize={}; using those, not the configured {} and {}",
                    kind,
                    path,
                    stored.segmentSize(),
                    stored.groupSize(),
                    requested.segmentSize(),
                    requested.groupSize());
        }
    }
}
