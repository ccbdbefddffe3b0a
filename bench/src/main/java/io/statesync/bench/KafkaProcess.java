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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Kafka broker in a JVM of its own ({@link KafkaBrokerMain}, KRaft, one combined broker and
 * controller on loopback), with a fixed heap and a fresh data directory, so that its memory and disk
 * are measured apart from the bench's: resident set from {@code /proc}, heap used after a full
 * collection through {@code jcmd}, the bytes of its data directory.
 */
final class KafkaProcess implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final String bootstrapServers;

    private KafkaProcess(Process process, Path dir, String bootstrapServers) {
        this.process = process;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker with the given maximum heap (e.g. {@code 1g}); returns once it serves. */
    static KafkaProcess start(String maxHeap) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(ZooKeeperProcess.dataDirParent(), "statesync-bench-kafka-");
        List<String> command = Jvm.javaCommand(
                // the test kit puts its log directories in the temporary directory
                List.of("-Xmx" + maxHeap, "-Djava.io.tmpdir=" + dir), KafkaBrokerMain.class.getName());
        Path log = dir.resolve("broker.log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            Optional<String> line;
            try (Stream<String> lines = Files.lines(log)) {
                line = lines.filter(l -> l.startsWith(KafkaBrokerMain.BOOTSTRAP))
                        .findFirst();
            }
            if (line.isPresent()) {
                return new KafkaProcess(
                        p,
                        dir,
                        line.get().substring(KafkaBrokerMain.BOOTSTRAP.length()).trim());
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("the Kafka broker did not start within 120 s (exit "
                        + (p.isAlive() ? "none" : p.exitValue()) + "); see " + log);
            }
            TimeUnit.MILLISECONDS.sleep(100); // polling a process that is starting, not synchronizing threads
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    long pid() {
        return process.pid();
    }

    /** The broker process's resident set now, in bytes ({@code VmRSS}). */
    long rssBytes() {
        return Jvm.statusBytes(pid(), "VmRSS");
    }

    /** The broker process's largest resident set so far, in bytes ({@code VmHWM}). */
    long peakRssBytes() {
        return Jvm.statusBytes(pid(), "VmHWM");
    }

    /** The broker's heap in use after a full collection, in bytes. */
    long heapAfterGcBytes() {
        return Jvm.heapAfterGc(pid());
    }

    /** The bytes under the broker's data directory (its log segments, indexes and metadata). */
    long diskBytes() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the broker shuts down when its input closes
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leave the temporary directory behind
        }
    }
}
