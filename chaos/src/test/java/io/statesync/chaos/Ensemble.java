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
package io.statesync.chaos;

import static org.awaitility.Awaitility.await;

import io.statesync.testkit.JvmProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * A real ZooKeeper ensemble: each server a JVM of its own ({@link QuorumPeerMain}), on loopback
 * ports, with its own data directory. Servers can be killed and restarted with their data.
 */
final class Ensemble implements AutoCloseable {
    /** ZooKeeper's tick: session timeouts are granted between 2 and 20 ticks. */
    static final int TICK_MS = 500;

    private final Path root;
    private final int size;
    private final int[] clientPorts;
    private final int[] quorumPorts;
    private final int[] electionPorts;
    private final JvmProcess[] servers;

    private Ensemble(Path root, int size) throws IOException {
        this.root = root;
        this.size = size;
        this.clientPorts = new int[size];
        this.quorumPorts = new int[size];
        this.electionPorts = new int[size];
        this.servers = new JvmProcess[size];
        for (int i = 0; i < size; i++) {
            clientPorts[i] = freePort();
            quorumPorts[i] = freePort();
            electionPorts[i] = freePort();
        }
    }

    /** Starts {@code size} servers and waits until each serves requests. */
    static Ensemble start(int size) throws Exception {
        Ensemble e = new Ensemble(Files.createTempDirectory("statesync-chaos-"), size);
        try {
            for (int i = 0; i < size; i++) {
                e.writeConfig(i);
            }
            for (int i = 0; i < size; i++) {
                e.startServer(i);
            }
            for (int i = 0; i < size; i++) {
                e.awaitServing(i);
            }
            return e;
        } catch (Exception | Error failure) {
            e.close();
            throw failure;
        }
    }

    String connectString() {
        List<String> hosts = new ArrayList<>();
        for (int port : clientPorts) {
            hosts.add("127.0.0.1:" + port);
        }
        return String.join(",", hosts);
    }

    /** The address of server {@code i} alone: a client given it talks to that server only. */
    String connectString(int i) {
        return "127.0.0.1:" + clientPorts[i];
    }

    int size() {
        return size;
    }

    private void writeConfig(int i) throws IOException {
        Path dir = root.resolve("server-" + (i + 1));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data").resolve("myid"), Integer.toString(i + 1));
        StringBuilder cfg = new StringBuilder()
                .append("tickTime=")
                .append(TICK_MS)
                .append("\ninitLimit=20\nsyncLimit=5\n")
                .append("dataDir=")
                .append(dir.resolve("data"))
                .append("\nclientPort=")
                .append(clientPorts[i])
                .append("\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=srvr,ruok\n")
                .append("maxSessionTimeout=60000\n");
        for (int j = 0; j < size; j++) {
            cfg.append("server.")
                    .append(j + 1)
                    .append("=127.0.0.1:")
                    .append(quorumPorts[j])
                    .append(':')
                    .append(electionPorts[j])
                    .append('\n');
        }
        Files.writeString(dir.resolve("zoo.cfg"), cfg.toString());
    }

    private void startServer(int i) throws IOException {
        Path cfg = root.resolve("server-" + (i + 1)).resolve("zoo.cfg");
        servers[i] =
                JvmProcess.start("zk" + (i + 1), QuorumPeerMain.class, List.of("-Xmx128m"), List.of(cfg.toString()));
    }

    /** Waits until server {@code i} answers as leader or follower. */
    void awaitServing(int i) {
        JvmProcess server = servers[i];
        await().alias("ZooKeeper server " + (i + 1) + " serves; its output:\n" + String.join("\n", server.out()) + "\n"
                        + server.stderr())
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> mode(i).equals("leader") || mode(i).equals("follower"));
    }

    /** The server's mode from its {@code srvr} command: leader, follower, or "down". */
    String mode(int i) {
        for (String line : srvr(i).split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring("Mode: ".length()).trim();
            }
        }
        return "down";
    }

    /** The reply to the {@code srvr} command of server {@code i}, empty if it does not answer. */
    private String srvr(int i) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", clientPorts[i]), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The last transaction id server {@code i} has applied (its {@code srvr} command's {@code Zxid}).
     *
     * @throws IllegalStateException if the server does not answer
     */
    long zxid(int i) {
        for (String line : srvr(i).split("\n")) {
            if (line.startsWith("Zxid: 0x")) {
                return Long.parseLong(line.substring("Zxid: 0x".length()).trim(), 16);
            }
        }
        throw new IllegalStateException("ZooKeeper server " + (i + 1) + " gave no zxid");
    }

    /** The index of the server that leads the ensemble now. */
    int leader() {
        for (int i = 0; i < size; i++) {
            if (servers[i] != null && servers[i].isAlive() && mode(i).equals("leader")) {
                return i;
            }
        }
        throw new IllegalStateException("no ZooKeeper server leads");
    }

    /** The index of a server that follows the leader now. */
    int follower() {
        for (int i = 0; i < size; i++) {
            if (servers[i] != null && servers[i].isAlive() && mode(i).equals("follower")) {
                return i;
            }
        }
        throw new IllegalStateException("no ZooKeeper server follows");
    }

    /**
     * Freezes server {@code i} (SIGSTOP): its sockets stay open and nothing answers.
     *
     * @throws IOException if the signal cannot be sent
     * @throws InterruptedException if interrupted while sending it
     */
    void pause(int i) throws IOException, InterruptedException {
        servers[i].pause();
    }

    /**
     * Lets a frozen server {@code i} run on (SIGCONT) and waits until it serves again.
     *
     * @throws IOException if the signal cannot be sent
     * @throws InterruptedException if interrupted while sending it
     */
    void resume(int i) throws IOException, InterruptedException {
        servers[i].resume();
        awaitServing(i);
    }

    /**
     * Stops server {@code i} as an operator does (SIGTERM) and waits for it to exit.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void stop(int i) throws InterruptedException {
        servers[i].stop();
    }

    /** Kills server {@code i} at once (SIGKILL): no clean shutdown, its data stays. */
    void kill(int i) throws InterruptedException {
        servers[i].kill();
    }

    /** Starts server {@code i} again on its data and waits until it serves. */
    void restart(int i) throws IOException {
        startServer(i);
        awaitServing(i);
    }

    @Override
    public void close() {
        for (JvmProcess s : servers) {
            if (s != null) {
                s.close();
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a test for
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
