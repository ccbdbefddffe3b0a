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
package io.statesync.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A real ZooKeeper — one server, or an ensemble of three on loopback ports — run in this process
 * with ZooKeeper's own {@link ZooKeeperServerEmbedded}, on free loopback ports and temporary data
 * directories that {@link #close()} removes.
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    private final List<ZooKeeperServerEmbedded> servers;
    private final List<Integer> clientPorts;
    private final Path baseDir;
    private boolean closed;

    private EmbeddedZooKeeper(List<ZooKeeperServerEmbedded> servers, List<Integer> clientPorts, Path baseDir) {
        this.servers = servers;
        this.clientPorts = clientPorts;
        this.baseDir = baseDir;
    }

    /**
     * Starts servers and waits until they serve clients.
     *
     * @param count 1 for a single server, 3 (or 5) for an ensemble
     * @return the running servers
     * @throws Exception if a server does not start, or does not serve clients within a minute
     */
    static EmbeddedZooKeeper start(int count) throws Exception {
        return start(count, 0);
    }

    /**
     * Starts servers and waits until they serve clients.
     *
     * @param count 1 for a single server, 3 (or 5) for an ensemble
     * @param firstClientPort the first server's client port (the others follow it), or 0 for free ports
     * @return the running servers
     * @throws Exception if a server does not start, or does not serve clients within a minute
     */
    static EmbeddedZooKeeper start(int count, int firstClientPort) throws Exception {
        if (count != 1 && (count < 3 || count % 2 == 0)) {
            throw new IllegalArgumentException("servers must be 1 or an odd number from 3, was " + count);
        }
        Path base = Files.createTempDirectory("statesync-demo-zk-");
        List<Integer> clientPorts = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            int client = firstClientPort == 0 ? freePort() : firstClientPort + id - 1;
            clientPorts.add(client);
            if (count > 1) {
                peers.add("server." + id + "=127.0.0.1:" + freePort() + ":" + freePort() + ";127.0.0.1:" + client);
            }
        }
        List<ZooKeeperServerEmbedded> servers = new ArrayList<>();
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(servers, clientPorts, base);
        try {
            for (int id = 1; id <= count; id++) {
                Path dir = Files.createDirectories(base.resolve("server-" + id));
                Path data = Files.createDirectories(dir.resolve("data"));
                Properties config = new Properties();
                config.setProperty("tickTime", "500");
                config.setProperty("initLimit", "20");
                config.setProperty("syncLimit", "10");
                config.setProperty("dataDir", data.toString());
                config.setProperty("admin.enableServer", "false");
                config.setProperty("4lw.commands.whitelist", "ruok,srvr,mntr");
                config.setProperty("maxSessionTimeout", "60000");
                if (count == 1) {
                    config.setProperty("clientPort", Integer.toString(clientPorts.get(0)));
                    config.setProperty("clientPortAddress", "127.0.0.1");
                } else {
                    Files.writeString(data.resolve("myid"), Integer.toString(id), StandardCharsets.US_ASCII);
                    for (int p = 0; p < peers.size(); p++) {
                        config.setProperty(
                                "server." + (p + 1),
                                peers.get(p).substring(peers.get(p).indexOf('=') + 1));
                    }
                }
                ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                        .baseDir(dir)
                        .configuration(config)
                        .exitHandler(ExitHandler.LOG_ONLY)
                        .build();
                servers.add(server);
            }
            for (ZooKeeperServerEmbedded server : servers) {
                server.start();
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            for (int port : clientPorts) {
                awaitServing(port, deadline);
            }
            return zk;
        } catch (Exception | Error e) {
            zk.close();
            throw e;
        }
    }

    /**
     * The connect string of every server.
     *
     * @return {@code 127.0.0.1:port[,127.0.0.1:port...]}
     */
    String connectString() {
        return clientPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /**
     * The temporary directory holding every server's data; {@link #close()} removes it.
     *
     * @return the directory
     */
    Path directory() {
        return baseDir;
    }

    int size() {
        return servers.size();
    }

    /** Stops every server and removes the temporary directories. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ZooKeeperServerEmbedded server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + baseDir, e);
        }
    }

    /**
     * Waits until the server on {@code port} answers ZooKeeper's {@code srvr} command with a mode
     * (standalone, leader or follower): only then does it serve clients.
     */
    private static void awaitServing(int port, long deadline) throws IOException, InterruptedException {
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                socket.setSoTimeout(1000);
                socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (answer.contains("Mode: ")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or not yet in a quorum
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("ZooKeeper on 127.0.0.1:" + port + " did not start serving within a minute");
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
