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
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real ZooKeeper server ({@code ZooKeeperServerMain} of the ZooKeeper 3.9.5 jar) in a separate
 * JVM: loopback only, a fresh temporary data directory, ZooKeeper's default fsync settings. The
 * four-letter word {@code mntr} is enabled so the bench can count the requests each workload sends
 * and the watches and ephemeral znodes it holds on the server. {@link #launchMember} starts one
 * server of an ensemble instead ({@code QuorumPeerMain}; see {@link ZooKeeperEnsemble}).
 */
final class ZooKeeperProcess implements AutoCloseable {
    private final List<String> command;
    private final Path dataDir;
    private final int port;
    /** Whether this is one server of an ensemble: it is up once it leads or follows, not once it answers. */
    private final boolean member;

    private volatile Process process;

    private ZooKeeperProcess(List<String> command, Process process, Path dataDir, int port, boolean member) {
        this.command = command;
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.member = member;
    }

    static ZooKeeperProcess start() throws IOException, InterruptedException {
        return start("6g", List.of()); // every run's data stays on the server until it stops
    }

    /** Starts a server with the given maximum heap (e.g. {@code 1g}); returns once it answers. */
    static ZooKeeperProcess start(String maxHeap) throws IOException, InterruptedException {
        return start(maxHeap, List.of());
    }

    /**
     * Starts a server whose JVM gets the given options too (e.g. {@code -Djute.maxbuffer=...}), after
     * the bench's own.
     */
    static ZooKeeperProcess start(List<String> jvmOptions) throws IOException, InterruptedException {
        return start("6g", jvmOptions);
    }

    /**
     * Starts a server with the given maximum heap and JVM options; returns once it answers.
     *
     * @param maxHeap e.g. {@code 1g}
     * @param jvmOptions options after the heap's, e.g. {@code -Djute.maxbuffer=...}
     */
    static ZooKeeperProcess start(String maxHeap, List<String> jvmOptions) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(dataDirParent(), "statesync-bench-zk-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(config, config(dir.resolve("data"), port));
        List<String> jvm = new ArrayList<>();
        jvm.add("-Xmx" + maxHeap);
        jvm.addAll(jvmOptions);
        List<String> command = command(jvm, "org.apache.zookeeper.server.ZooKeeperServerMain", config);
        ZooKeeperProcess zk = new ZooKeeperProcess(command, launch(command, dir), dir, port, false);
        try {
            zk.awaitAnswer();
        } catch (IOException e) {
            zk.close();
            throw e;
        }
        return zk;
    }

    /**
     * The configuration every bench server shares (loopback, no connection limit, the four-letter
     * words the bench reads); an ensemble's member adds its quorum lines.
     *
     * @param dataDir the server's data directory
     * @param clientPort its client port
     * @return the {@code zoo.cfg} lines, each ended by a newline
     */
    static String config(Path dataDir, int clientPort) {
        return String.join(
                "\n",
                "tickTime=2000",
                "dataDir=" + dataDir,
                "clientPort=" + clientPort,
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "maxSessionTimeout=60000",
                "admin.enableServer=false",
                "4lw.commands.whitelist=mntr,srvr,ruok",
                "");
    }

    /**
     * Launches one server of an ensemble ({@code QuorumPeerMain}) on the configuration in {@code
     * dir}, without waiting: a server cannot serve before a quorum of its peers runs. See {@link
     * #awaitServing()}.
     *
     * @param dir the server's own directory (its configuration, data and log); deleted on close
     * @param port its client port, as in the configuration
     */
    static ZooKeeperProcess launchMember(Path dir, int port, Path config) throws IOException {
        List<String> command = command(List.of("-Xmx2g"), "org.apache.zookeeper.server.quorum.QuorumPeerMain", config);
        return new ZooKeeperProcess(command, launch(command, dir), dir, port, true);
    }

    private static List<String> command(List<String> jvmOptions, String mainClass, Path config) {
        return Jvm.javaCommand(jvmOptions, mainClass, config.toString());
    }

    private static Process launch(List<String> command, Path dir) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server.log").toFile()))
                .start();
    }

    /**
     * Returns once the server answers {@code ruok} (one server of an ensemble: once it leads or
     * follows); at most 60 s.
     */
    private void awaitAnswer() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (member ? mode().isEmpty() : !answers()) {
            if (!process.isAlive()) {
                throw new IOException(
                        "ZooKeeper exited with " + process.exitValue() + "; see " + dataDir.resolve("server.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("ZooKeeper did not answer within 60s; see " + dataDir.resolve("server.log"));
            }
            TimeUnit.MILLISECONDS.sleep(20); // polling a process that is starting, not synchronizing threads
        }
    }

    /**
     * Kills the server (SIGKILL, as a crash), keeps it down for {@code down}, and starts it again on
     * the same port and data directory; returns once it answers. Its sessions come back from its
     * data; its counters start again from zero.
     */
    void restart(Duration down) throws IOException, InterruptedException {
        Process old = process;
        old.destroyForcibly();
        if (!old.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("ZooKeeper did not exit within 30 s of SIGKILL");
        }
        TimeUnit.NANOSECONDS.sleep(down.toNanos()); // the outage itself, not a synchronisation
        process = launch(command, dataDir);
        awaitAnswer();
    }

    /** Returns once the server serves (one server of an ensemble: leads or follows); at most 60 s. */
    void awaitServing() throws IOException, InterruptedException {
        awaitAnswer();
    }

    /** Kills the server (SIGKILL, as a crash) and returns once it has exited; its data stays. */
    void kill() throws IOException, InterruptedException {
        if (!process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("ZooKeeper did not exit within 30 s of SIGKILL");
        }
    }

    /** Starts a killed server again on the same ports and data; returns once it serves. */
    void relaunch() throws IOException, InterruptedException {
        process = launch(command, dataDir);
        awaitAnswer();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The server's role from its {@code srvr} reply ({@code leader}, {@code follower} or {@code
     * standalone}), or empty while it does not serve (starting, electing a leader, or down).
     */
    String mode() {
        String reply;
        try {
            reply = fourLetterWord("srvr");
        } catch (UncheckedIOException e) {
            return "";
        }
        for (String line : reply.lines().toList()) {
            if (line.startsWith("Mode: ")) {
                return line.substring("Mode: ".length()).trim();
            }
        }
        return "";
    }

    /** Where every server's temporary data directory is made: the JVM's temporary directory. */
    static Path dataDirParent() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** Whether the server process is still running. */
    boolean alive() {
        return process.isAlive();
    }

    /** The server's log (its standard output and error). */
    Path serverLog() {
        return dataDir.resolve("server.log");
    }

    /** Requests the server has received so far (ZooKeeper's {@code zk_packets_received}). */
    long packetsReceived() {
        return metric("zk_packets_received");
    }

    /** Watches the server holds now, over every session (ZooKeeper's {@code zk_watch_count}). */
    long watchCount() {
        return metric("zk_watch_count");
    }

    /** Ephemeral znodes on the server now (ZooKeeper's {@code zk_ephemerals_count}). */
    long ephemeralsCount() {
        return metric("zk_ephemerals_count");
    }

    /** One whole-number figure of the server's {@code mntr} output. */
    private long metric(String name) {
        for (String line : fourLetterWord("mntr").lines().toList()) {
            int tab = line.indexOf('\t');
            if (tab > 0 && line.substring(0, tab).equals(name)) {
                return Long.parseLong(line.substring(tab + 1).trim());
            }
        }
        throw new IllegalStateException("mntr did not report " + name);
    }

    private boolean answers() {
        try {
            return fourLetterWord("ruok").startsWith("imok");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private String fourLetterWord(String word) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leave the temporary directory behind
        }
    }
}
