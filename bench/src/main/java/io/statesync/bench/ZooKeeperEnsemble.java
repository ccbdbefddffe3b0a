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
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real 3-server ZooKeeper ensemble for the bench: three {@link ZooKeeperProcess} members
 * ({@code QuorumPeerMain}, each in its own JVM with its own data directory), on loopback with a
 * client, quorum and election port each, ZooKeeper's default fsync and the single server's tick.
 * Writes are quorum writes: the leader commits once two of the three servers have logged them.
 * Knows which server leads (each server's {@code srvr} reply) and counts the requests the servers
 * received, summed over the three.
 */
final class ZooKeeperEnsemble implements AutoCloseable {
    static final int SIZE = 3;

    private final Path root;
    private final List<ZooKeeperProcess> servers = new ArrayList<>();

    private ZooKeeperEnsemble(Path root) {
        this.root = root;
    }

    /** Starts the three servers and returns once each leads or follows. */
    static ZooKeeperEnsemble start() throws IOException, InterruptedException {
        ZooKeeperEnsemble e = new ZooKeeperEnsemble(
                Files.createTempDirectory(ZooKeeperProcess.dataDirParent(), "statesync-bench-ensemble-"));
        try {
            int[] client = new int[SIZE];
            StringBuilder peers = new StringBuilder();
            for (int i = 0; i < SIZE; i++) {
                client[i] = freePort();
                peers.append("server.")
                        .append(i + 1)
                        .append("=127.0.0.1:")
                        .append(freePort())
                        .append(':')
                        .append(freePort())
                        .append('\n');
            }
            for (int i = 0; i < SIZE; i++) {
                Path dir = e.root.resolve("server-" + (i + 1));
                Files.createDirectories(dir.resolve("data"));
                Files.writeString(dir.resolve("data").resolve("myid"), Integer.toString(i + 1));
                Path config = dir.resolve("zoo.cfg");
                Files.writeString(
                        config,
                        ZooKeeperProcess.config(dir.resolve("data"), client[i]) + "initLimit=10\nsyncLimit=5\n"
                                + peers);
                e.servers.add(ZooKeeperProcess.launchMember(dir, client[i], config));
            }
            for (ZooKeeperProcess s : e.servers) {
                s.awaitServing();
            }
            return e;
        } catch (IOException | InterruptedException | RuntimeException failure) {
            e.close();
            throw failure;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The index (0 to 2) of the server that leads now. */
    int leader() {
        for (int i = 0; i < SIZE; i++) {
            if (servers.get(i).isAlive() && servers.get(i).mode().equals("leader")) {
                return i;
            }
        }
        throw new IllegalStateException("no ZooKeeper server of the ensemble leads");
    }

    /** The connect string of the servers that follow now: a client given it never talks to the leader. */
    String followersConnectString() {
        List<String> followers = new ArrayList<>();
        for (ZooKeeperProcess s : servers) {
            if (s.isAlive() && s.mode().equals("follower")) {
                followers.add(s.connectString());
            }
        }
        if (followers.isEmpty()) {
            throw new IllegalStateException("no ZooKeeper server of the ensemble follows");
        }
        return String.join(",", followers);
    }

    /**
     * Requests the servers have received so far ({@code zk_packets_received}), summed over the
     * running ones. A request a follower forwards to the leader is counted once, by the follower: the
     * counter counts what clients send, not the traffic between servers.
     */
    long packetsReceived() {
        long sum = 0;
        for (ZooKeeperProcess s : servers) {
            if (s.isAlive()) {
                try {
                    sum += s.packetsReceived();
                } catch (UncheckedIOException | IllegalStateException e) {
                    // a server that is starting or electing counts nothing yet
                }
            }
        }
        return sum;
    }

    /** Kills server {@code i} (SIGKILL, as a crash) and returns once it has exited; its data stays. */
    void kill(int i) throws IOException, InterruptedException {
        servers.get(i).kill();
    }

    /** Starts killed server {@code i} again on its data; returns once it leads or follows. */
    void restart(int i) throws IOException, InterruptedException {
        servers.get(i).relaunch();
    }

    /** The process ids of the three servers, for the log. */
    List<Long> pids() {
        return servers.stream().map(ZooKeeperProcess::pid).toList();
    }

    @Override
    public void close() {
        for (ZooKeeperProcess s : servers) {
            s.close();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leave the temporary directory behind
        }
    }
}
