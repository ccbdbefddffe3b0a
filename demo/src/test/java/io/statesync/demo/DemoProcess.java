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

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The demo run as a separate JVM process ({@code java -cp <the test class path> io.statesync.demo.Demo
 * ...}), its standard output and error collected line by line.
 */
final class DemoProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Writer stdin;
    private final List<Thread> pumps = new ArrayList<>();

    private DemoProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pumps.add(pump(process.getInputStream(), out, name + "-out"));
        pumps.add(pump(process.getErrorStream(), err, name + "-err"));
    }

    static DemoProcess start(String name, String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classPath,
                Demo.class.getName()));
        command.addAll(List.of(args));
        return new DemoProcess(name, new ProcessBuilder(command).start());
    }

    private static Thread pump(InputStream stream, List<String> lines, String thread) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                thread);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits (up to 30 s) for an output line containing {@code text}, and returns it. */
    String awaitLine(String text) {
        return awaitLine(line -> line.contains(text), "a line containing \"" + text + "\"");
    }

    String awaitLine(Predicate<String> matches, String what) {
        await().alias(name + " prints " + what + "; it printed:\n" + String.join("\n", out) + "\nstderr:\n"
                        + String.join("\n", err))
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> out.stream().anyMatch(matches));
        return out.stream().filter(matches).findFirst().orElseThrow();
    }

    Optional<String> lastLine(Predicate<String> matches) {
        @Nullable String found = null;
        for (String line : out) {
            if (matches.test(line)) {
                found = line;
            }
        }
        return Optional.ofNullable(found);
    }

    void type(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    name + " did not exit within " + timeout + "; it printed:\n" + String.join("\n", out));
        }
        for (Thread pump : pumps) {
            pump.join(5000); // the last lines
        }
        return process.exitValue();
    }

    /** Ctrl-C's sibling: SIGTERM, which runs the same shutdown path; waits for the exit code. */
    int stop() throws InterruptedException {
        // Through the handle: Process.destroy() would also close our ends of its output streams,
        // and we would miss what it prints while shutting down.
        process.toHandle().destroy();
        return awaitExit(Duration.ofSeconds(30));
    }

    List<String> out() {
        return out;
    }

    String stderr() {
        return String.join("\n", err);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
