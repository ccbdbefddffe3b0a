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
import io.statesync.recipes.internal.PackFormat;
import io.statesync.recipes.internal.Segments;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>This class recognises the kind, dispatches to the view of that kind ({@link ZnodeViews},
 * {@link LockView}, {@link ElectionView}, {@link LogView}, {@link QueueView}, {@link
 * ReplicatedView}) and owns what they share: the znodes, the listing limit, the time of the
 * inspection and how values are shown.
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
                case SHARED_STATE -> new ZnodeViews(this).sharedState(node, v);
                case STATE_TREE -> new ZnodeViews(this).stateTree(node, v);
                case LOCK, READ_WRITE_LOCK, SEMAPHORE -> new LockView(this).read(node, kind, v);
                case ELECTION -> new ElectionView(this).read(node, v);
                case MEMBERSHIP -> new ZnodeViews(this).membership(node, v);
                case EVENT_LOG -> new LogView(this).read(node.path(), v);
                case WORK_QUEUE -> new QueueView(this).read(node.path(), v);
                case REPLICATED_STATE -> new ReplicatedView(this).read(node, v);
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

    /** The events at positions {@code from} (inclusive) to {@code to} (exclusive), in order. */
    void events(String path, long from, long to, Consumer<Map<String, Object>> each) {
        new LogView(this).events(path, from, to, each);
    }

    // ---------------------------------------------------------------- for the views

    Znodes znodes() {
        return zn;
    }

    /** The most entries a view lists. */
    int max() {
        return max;
    }

    /** The time this inspector was made, in epoch milliseconds: the "now" of its views' ages. */
    long now() {
        return now;
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

    /** {@code s} as a number, or 0 if it is none. */
    static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
