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
package io.statesync.recipes.layout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A recorded layout: every znode under a namespace, one line each, in the order a depth-first walk
 * meets them (parents before children, children sorted by name):
 *
 * <pre>
 * MODE PATH VERSION DATA
 * </pre>
 *
 * MODE is {@code persistent}, {@code container} or {@code ephemeral}; PATH is relative to the
 * namespace; VERSION is the znode's data version (some recipes count with it, e.g. the work queue's
 * removals); DATA is the znode's data in base64, or {@code -} if it is empty. Lines starting with
 * {@code #} are comments. Written by {@link LayoutFixtureRecorder}, loaded by the layout tests.
 */
final class LayoutFixture {
    /** The kind of znode. */
    enum Mode {
        PERSISTENT,
        CONTAINER,
        EPHEMERAL
    }

    /** One znode of the fixture. */
    @SuppressWarnings("ArrayRecordComponent")
    record Znode(Mode mode, String path, int version, byte[] data) {
        String line() {
            return mode.name().toLowerCase(Locale.ROOT) + " " + path + " " + version + " "
                    + (data.length == 0 ? "-" : Base64.getEncoder().encodeToString(data));
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final List<Znode> znodes;

    private LayoutFixture(List<Znode> znodes) {
        this.znodes = List.copyOf(znodes);
    }

    Optional<Znode> find(String path) {
        return znodes.stream().filter(z -> z.path().equals(path)).findFirst();
    }

    Znode get(String path) {
        return find(path).orElseThrow(() -> new AssertionError("the fixture has no znode " + path));
    }

    List<Znode> under(String prefix) {
        return znodes.stream().filter(z -> z.path().startsWith(prefix + "/")).toList();
    }

    /** Reads every znode under {@code /namespace} of a live server. */
    static LayoutFixture dump(ZooKeeper zk, String namespace) throws KeeperException, InterruptedException {
        List<Znode> out = new ArrayList<>();
        walk(zk, "/" + namespace, "", out);
        return new LayoutFixture(out);
    }

    private static void walk(ZooKeeper zk, String root, String rel, List<Znode> out)
            throws KeeperException, InterruptedException {
        String full = rel.isEmpty() ? root : root + rel;
        Stat stat = new Stat();
        byte[] data = zk.getData(full, false, stat);
        if (!rel.isEmpty()) {
            Mode mode = stat.getEphemeralOwner() == Long.MIN_VALUE
                    ? Mode.CONTAINER
                    : stat.getEphemeralOwner() != 0 ? Mode.EPHEMERAL : Mode.PERSISTENT;
            out.add(new Znode(mode, rel, stat.getVersion(), data == null ? new byte[0] : data));
        }
        List<String> children = new ArrayList<>(zk.getChildren(full, false));
        children.sort(null);
        for (String child : children) {
            walk(zk, root, rel + "/" + child, out);
        }
    }

    String text() {
        StringBuilder s = new StringBuilder();
        for (Znode z : znodes) {
            s.append(z.line()).append('\n');
        }
        return s.toString();
    }

    /** Reads a fixture from the test class path, e.g. {@code layout/0.1/znodes.txt}. */
    static LayoutFixture load(String resource) {
        InputStream in = LayoutFixture.class.getClassLoader().getResourceAsStream(resource);
        Objects.requireNonNull(in, () -> "no resource " + resource);
        List<Znode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ", 4);
                byte[] data =
                        parts[3].equals("-") ? new byte[0] : Base64.getDecoder().decode(parts[3]);
                out.add(new Znode(
                        Mode.valueOf(parts[0].toUpperCase(Locale.ROOT)), parts[1], Integer.parseInt(parts[2]), data));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LayoutFixture(out);
    }

    /**
     * Writes the fixture under {@code /namespace}, each znode with its recorded data version (its data
     * written again that many times): persistent and container znodes through {@code persistent},
     * each ephemeral one through the session {@code owner} gives for its path (a session standing for
     * a node of the release that wrote it, still running; e.g. one per recipe, to end them one by
     * one). Before a znode with a sequence number is created, its parent's sequence counter is moved
     * up to that number, so a sequential znode created later never takes a recorded name.
     */
    void writeTo(ZooKeeper persistent, Function<String, ZooKeeper> owner, String namespace)
            throws KeeperException, InterruptedException {
        String root = "/" + namespace;
        persistent.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (Znode z : znodes) {
            String parent = root + z.path().substring(0, z.path().lastIndexOf('/'));
            advanceSequence(persistent, parent, z.path());
            ZooKeeper session = z.mode() == Mode.EPHEMERAL ? owner.apply(z.path()) : persistent;
            CreateMode mode = switch (z.mode()) {
                case PERSISTENT -> CreateMode.PERSISTENT;
                case CONTAINER -> CreateMode.CONTAINER;
                case EPHEMERAL -> CreateMode.EPHEMERAL;
            };
            session.create(root + z.path(), z.data(), ZooDefs.Ids.OPEN_ACL_UNSAFE, mode);
            for (int v = 0; v < z.version(); v++) {
                persistent.setData(root + z.path(), z.data(), v); // the recorded data version
            }
        }
    }

    private void advanceSequence(ZooKeeper zk, String parent, String childPath)
            throws KeeperException, InterruptedException {
        String name = childPath.substring(childPath.lastIndexOf('/') + 1);
        if (name.length() < 10 || !name.substring(name.length() - 10).chars().allMatch(Character::isDigit)) {
            return;
        }
        long wanted = Long.parseLong(name.substring(name.length() - 10));
        while (true) {
            String made = zk.create(
                    parent + "/pad-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
            zk.delete(made, -1);
            if (Long.parseLong(made.substring(made.length() - 10)) >= wanted) {
                return;
            }
        }
    }
}
