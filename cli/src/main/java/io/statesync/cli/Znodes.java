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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Read-only access to the znodes under a namespace, on the raw ZooKeeper handle: only {@code
 * exists}, {@code getData} and {@code getChildren}, never a watch, never a write (a namespace that
 * does not exist is not created, as a Curator namespace facade would).
 */
final class Znodes {
    /** A znode as read: its data and stat. */
    @SuppressWarnings("ArrayRecordComponent")
    record Node(String path, byte[] data, Stat stat) {}

    private final ZooKeeper zk;
    private final String prefix;

    /**
     * @param zk the handle
     * @param namespace the namespace without slashes, or empty for the root
     */
    Znodes(ZooKeeper zk, String namespace) {
        this.zk = zk;
        this.prefix = namespace.isEmpty() ? "" : "/" + namespace;
    }

    String full(String path) {
        String p = prefix + path;
        return p.isEmpty() ? "/" : p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    }

    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    Optional<Stat> stat(String path) {
        try {
            return Optional.ofNullable(zk.exists(full(path), false));
        } catch (KeeperException e) {
            throw failed(path, e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    Optional<Node> read(String path) {
        try {
            Stat stat = new Stat();
            byte[] data = zk.getData(full(path), false, stat);
            return Optional.of(new Node(path, data == null ? new byte[0] : data, stat));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (KeeperException e) {
            throw failed(path, e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    /** The children's names, sorted; empty if the znode does not exist. */
    List<String> children(String path) {
        try {
            List<String> names = new ArrayList<>(zk.getChildren(full(path), false));
            Collections.sort(names);
            return names;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (KeeperException e) {
            throw failed(path, e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    /** The numeric children, ascending; the others are left out. */
    List<Long> numericChildren(String path) {
        List<Long> out = new ArrayList<>();
        for (String c : children(path)) {
            try {
                out.add(Long.parseLong(c));
            } catch (NumberFormatException e) {
                // not a position
            }
        }
        Collections.sort(out);
        return out;
    }

    private static CliException failed(String path, KeeperException e) {
        return new CliException(CliException.FAILED, "cannot read " + path + ": " + e.code());
    }

    private static CliException interrupted() {
        Thread.currentThread().interrupt();
        return new CliException(CliException.FAILED, "interrupted");
    }
}
