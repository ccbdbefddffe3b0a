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
package io.statesync.testkit;

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
 * A JVM that a test starts on its own class path (a ZooKeeper server, a node of the application, a
 * demo command), for tests that need separate processes: real pauses, real kills, real exits. Its
 * standard output and error are kept line by line; lines can be typed to its standard input; it can
 * be paused (SIGSTOP), resumed (SIGCONT), stopped (SIGTERM) and killed (SIGKILL), each for real,
 * through the operating system (pause and resume need a {@code kill} command, as on Linux and macOS).
 *
 * <pre>{@code
 * try (JvmProcess node = JvmProcess.start("node-1", MyNode.class, List.of("-Xmx96m"), List.of("--id", "1"))) {
 *     node.awaitLine("leads", Duration.ofSeconds(30));
 *     node.pause();
 *     ...
 * }
 * }</pre>
 */
public final class JvmProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Writer stdin;
    private final List<Thread> pumps = new ArrayList<>();
    private final Object printed = new Object();

    private JvmProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pumps.add(pump(process.getInputStream(), out, name + "-out"));
        pumps.add(pump(process.getErrorStream(), err, name + "-err"));
    }

    /**
     * Starts {@code main} in a new JVM (this JVM's {@code java}, the test class path, a small
     * client-compiled serial-GC JVM unless {@code jvmOptions} say otherwise).
     *
     * @param name a name for messages and thread names
     * @param main the class whose {@code main} runs
     * @param jvmOptions options for the JVM, e.g. {@code -Xmx128m}
     * @param args the program's arguments
     * @return the running process
     * @throws IOException if the process cannot be started
     */
    public static JvmProcess start(String name, Class<?> main, List<String> jvmOptions, List<String> args)
            throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(args);
        return new JvmProcess(name, new ProcessBuilder(command).start());
    }

    private Thread pump(InputStream stream, List<String> lines, String thread) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            lines.add(line);
                            synchronized (printed) {
                                printed.notifyAll();
                            }
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

    /**
     * The name given at start.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The operating system's process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether the process is still running (a paused process is).
     *
     * @return {@code true} until it exits
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The lines of standard output so far, a live view that grows as the process prints.
     *
     * @return the lines
     */
    public List<String> out() {
        return out;
    }

    /**
     * The standard error so far.
     *
     * @return its lines, joined by newlines
     */
    public String stderr() {
        return String.join("\n", err);
    }

    /** How long {@link #awaitLine(String)} waits. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    /**
     * Waits up to {@link #DEFAULT_WAIT} for an output line containing {@code text}.
     *
     * @param text what the line contains
     * @return the first such line
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no such line is printed in time; its message has everything the
     *     process printed
     */
    public String awaitLine(String text) throws InterruptedException {
        return awaitLine(text, DEFAULT_WAIT);
    }

    /**
     * Waits up to {@link #DEFAULT_WAIT} for an output line that {@code matches}.
     *
     * @param matches the test for a line
     * @param what what is awaited, for the failure message
     * @return the first such line
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no such line is printed in time; its message has everything the
     *     process printed
     */
    public String awaitLine(Predicate<String> matches, String what) throws InterruptedException {
        return awaitLine(matches, what, DEFAULT_WAIT);
    }

    /**
     * Waits for an output line containing {@code text}.
     *
     * @param text what the line contains
     * @param timeout how long to wait
     * @return the first such line
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no such line is printed within {@code timeout}; its message has
     *     everything the process printed
     */
    public String awaitLine(String text, Duration timeout) throws InterruptedException {
        return awaitLine(line -> line.contains(text), "a line containing \"" + text + "\"", timeout);
    }

    /**
     * Waits for an output line that {@code matches}.
     *
     * @param matches the test for a line
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait
     * @return the first such line
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no such line is printed within {@code timeout}; its message has
     *     everything the process printed
     */
    public String awaitLine(Predicate<String> matches, String what, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (printed) {
            while (true) {
                for (String line : out) {
                    if (matches.test(line)) {
                        return line;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + " did not print " + what + " within " + timeout + "; it printed:\n"
                            + String.join("\n", out) + "\nstderr:\n" + stderr());
                }
                TimeUnit.NANOSECONDS.timedWait(printed, left);
            }
        }
    }

    /**
     * The last output line so far that {@code matches}.
     *
     * @param matches the test for a line
     * @return the line, or empty if none matches
     */
    public Optional<String> lastLine(Predicate<String> matches) {
        @Nullable String found = null;
        for (String line : out) {
            if (matches.test(line)) {
                found = line;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Types a line on the process's standard input.
     *
     * @param line the line, without its newline
     * @throws IOException if the process no longer reads its input
     */
    public void type(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /**
     * Waits for the process to exit by itself, and for its last lines.
     *
     * @param timeout how long to wait
     * @return its exit code
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if it does not exit within {@code timeout}
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    name + " did not exit within " + timeout + "; it printed:\n" + String.join("\n", out));
        }
        for (Thread pump : pumps) {
            pump.join(5000); // the last lines
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM (what Ctrl-C's shutdown path also runs) and waits up to 30 s for the exit code;
     * what the process prints while it shuts down is kept.
     *
     * @return its exit code
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if it does not exit within 30 s
     */
    public int stop() throws InterruptedException {
        // Through the handle: Process.destroy() would also close our ends of its output streams.
        process.toHandle().destroy();
        return awaitExit(Duration.ofSeconds(30));
    }

    /**
     * Freezes the process (SIGSTOP): its threads, timers and sockets stand still, as in a long GC
     * pause.
     *
     * @throws IOException if the signal cannot be sent
     * @throws InterruptedException if interrupted while sending it
     */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /**
     * Lets a paused process run on (SIGCONT).
     *
     * @throws IOException if the signal cannot be sent
     * @throws InterruptedException if interrupted while sending it
     */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    /**
     * Kills the process at once (SIGKILL) and waits up to 30 s for it to be gone.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " (" + name + ") failed");
        }
    }

    /**
     * Stops the process if it still runs: SIGCONT (in case it is paused), then SIGTERM, then SIGKILL
     * if it has not exited within 10 s.
     */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                signal("CONT");
                process.toHandle().destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
