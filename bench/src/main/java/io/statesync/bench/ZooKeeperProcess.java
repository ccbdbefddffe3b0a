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
 * and the watches and ephemeral znodes it holds on the server.
 */
final class ZooKeeperProcess implements AutoCloseable {
    private final List<String> command;
    private final Path dataDir;
    private final int port;
    private volatile Process process;

    private ZooKeeperProcess(List<String> command, Process process, Path dataDir, int port) {
        this.command = command;
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    static ZooKeeperProcess start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * Starts a server whose JVM gets the given options too (e.g. {@code -Djute.maxbuffer=...}), after
     * the bench's own.
     */
    static ZooKeeperProcess start(List<String> jvmOptions) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(dataDirParent(), "statesync-bench-zk-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "tickTime=2000",
                        "dataDir=" + dir.resolve("data"),
                        "clientPort=" + port,
                        "clientPortAddress=127.0.0.1",
                        "maxClientCnxns=0",
                        "maxSessionTimeout=60000",
                        "admin.enableServer=false",
                        "4lw.commands.whitelist=mntr,srvr,ruok",
                        ""));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx6g"); // every run's data stays on the server until it stops
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("org.apache.zookeeper.server.ZooKeeperServerMain");
        command.add(config.toString());
        ZooKeeperProcess zk = new ZooKeeperProcess(command, launch(command, dir), dir, port);
        try {
            zk.awaitAnswer();
        } catch (IOException e) {
            zk.close();
            throw e;
        }
        return zk;
    }

    private static Process launch(List<String> command, Path dir) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server.log").toFile()))
                .start();
    }

    /** Returns once the server answers {@code ruok}; at most 60 s. */
    private void awaitAnswer() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!answers()) {
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
